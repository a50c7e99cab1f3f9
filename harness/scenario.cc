// Names of the scenario model's enumerations, as scenario files spell them.
#include "harness/scenario.h"

#include "harness/adapter.h"

namespace loginspec::harness {

namespace {

constexpr std::pair<TlsProfile, std::string_view> kTlsProfiles[] = {
    {TlsProfile::kOff, "off"},
    {TlsProfile::kValid, "valid"},
    {TlsProfile::kUnknownCa, "unknown-ca"},
    {TlsProfile::kSelfSigned, "self-signed"},
    {TlsProfile::kExpired, "expired"},
    {TlsProfile::kNotYetValid, "not-yet-valid"},
    {TlsProfile::kWrongHost, "wrong-host"},
    {TlsProfile::kCommonNameOnly, "common-name-only"},
    {TlsProfile::kMissingIntermediate, "missing-intermediate"},
    {TlsProfile::kSha1Signature, "sha1-signature"},
    {TlsProfile::kRsa1024, "rsa-1024"},
    {TlsProfile::kWrongExtendedKeyUsage, "wrong-extended-key-usage"},
    {TlsProfile::kClientCertRequired, "client-certificate-required"},
    {TlsProfile::kTls10Only, "tls1.0-only"},
    {TlsProfile::kTls11Only, "tls1.1-only"},
};

}  // namespace

std::string_view to_string(TlsProfile profile) {
  for (const auto& [value, name] : kTlsProfiles) {
    if (value == profile) return name;
  }
  return "off";
}

std::optional<TlsProfile> parse_tls_profile(std::string_view text) {
  for (const auto& [value, name] : kTlsProfiles) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> tls_profile_names() {
  std::vector<std::string_view> names;
  for (const auto& [value, name] : kTlsProfiles) names.push_back(name);
  return names;
}

std::string_view to_string(RegistryAuth auth) {
  switch (auth) {
    case RegistryAuth::kBearer: return "bearer";
    case RegistryAuth::kBasic: return "basic";
    case RegistryAuth::kNone: return "none";
    case RegistryAuth::kNever: return "never";
  }
  return "bearer";
}

std::string_view to_string(Expectation expectation) {
  switch (expectation) {
    case Expectation::kSuccess: return "success";
    case Expectation::kFailure: return "failure";
    case Expectation::kEither: return "either";
  }
  return "success";
}

std::vector<std::string_view> template_variable_names() {
  return {"registry.url", "registry.host", "auth.url", "auth.host", "other.url",    "other.host",
          "realm",        "service",       "username", "password",  "token",        "refresh_token"};
}

const std::vector<std::string>& known_capabilities() {
  static const std::vector<std::string> kCapabilities = {
      "tls",                   // can be pointed at an HTTPS registry and given a CA to trust
      "tls-verification",      // verifies server certificates for this registry address
      "plain-http",            // can log in to a plain-HTTP registry
      "ipv6",                  // can reach a registry on [::1]
      "credential-store",      // the adapter can read back what the client stored
      "client-certificate",    // can present a client certificate
  };
  return kCapabilities;
}

}  // namespace loginspec::harness
