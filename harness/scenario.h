// The scenario model: one JSON file defines the servers' responses, the login to attempt,
// the correct outcome and the checks that grade the client.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mocks/mock_server.h"
#include "mocks/script.h"

namespace loginspec::harness {

// TLS setup of a server. Every bad variant is made at run time, on purpose.
enum class TlsProfile {
  kOff,                  // plain HTTP
  kValid,                // leaf from the scenario CA, SAN for the listen address
  kUnknownCa,            // leaf from a CA the client is never given
  kSelfSigned,           // leaf that signs itself
  kExpired,              // notAfter in the past
  kNotYetValid,          // notBefore in the future
  kWrongHost,            // SAN names another host only
  kCommonNameOnly,       // right name in the CN, no subjectAltName (RFC 6125 §6.4.4)
  kMissingIntermediate,  // leaf from an intermediate CA the server does not send
  kSha1Signature,
  kRsa1024,
  kWrongExtendedKeyUsage,  // EKU codeSigning instead of serverAuth
  kClientCertRequired,     // server demands a client certificate
  kTls10Only,
  kTls11Only,
};
std::string_view to_string(TlsProfile profile);
std::optional<TlsProfile> parse_tls_profile(std::string_view text);
std::vector<std::string_view> tls_profile_names();

struct ServerSpec {
  std::string listen = "127.0.0.1";
  TlsProfile tls = TlsProfile::kOff;
  std::vector<mocks::Rule> rules;  // checked before the built-in behaviour; strings may hold ${...}
};

enum class RegistryAuth { kBearer, kBasic, kNone, kNever };
std::string_view to_string(RegistryAuth auth);

struct RegistrySpec : ServerSpec {
  RegistryAuth auth = RegistryAuth::kBearer;
  std::optional<std::vector<std::string>> challenge;  // field lines; nullopt: default for `auth`
  int unauthorized_status = 401;
  std::string service = "loginspec-registry";
};

enum class PostSupport { kOAuth, kNotFound };

struct AuthServerSpec : ServerSpec {
  std::string path = "/token";
  std::optional<nlohmann::ordered_json> token_response;  // nullopt: the default body
  std::optional<std::string> token_body;                  // raw body instead of JSON
  bool refresh_token = false;                             // issue one when the client asks (offline_token / access_type)
  PostSupport post = PostSupport::kOAuth;
  int bad_credentials_status = 401;
};

// A third server for redirect targets and realms on another host; rules only.
struct OtherServerSpec : ServerSpec {
  OtherServerSpec() { listen = "127.0.0.2"; }
};

// The TLS mode given to the client; kAuto follows the registry's own TLS setting.
enum class LoginTls { kAuto, kOn, kOff };

enum class Expectation { kSuccess, kFailure, kEither };
std::string_view to_string(Expectation expectation);

struct CheckSpec {
  std::string id;
  nlohmann::json params = nlohmann::json::object();
  std::string pointer;  // JSON pointer in the scenario file, for messages
};

struct Scenario {
  std::string id;                 // "bearer/happy-path", from the path under scenarios/
  std::filesystem::path file;
  std::string title;
  std::vector<std::string> spec;  // clauses enforced, e.g. "RFC 6750 §3"
  std::vector<std::string> tags;
  std::vector<std::string> requires_capabilities;
  std::chrono::milliseconds time_limit{20000};

  std::string username = "loginspec";       // what the servers accept
  std::string password = "pw-Zq84-secret";
  std::string login_username;               // what the client is given
  std::string login_password;

  LoginTls login_tls = LoginTls::kAuto;
  bool login_client_certificate = false;    // give the client a certificate from the run CA

  RegistrySpec registry;
  std::optional<AuthServerSpec> auth;
  std::optional<OtherServerSpec> other;
  Expectation expect = Expectation::kSuccess;
  std::vector<CheckSpec> checks;
};

// Variables a scenario may use in strings: ${registry.url}, ${registry.host}, ${auth.url},
// ${auth.host}, ${other.url}, ${other.host}, ${realm}, ${service}, ${username}, ${password},
// ${token}, ${refresh_token}.
// Answer-time ones (${date}, ${now}, ${content_length}) are left for the mocks.
std::vector<std::string_view> template_variable_names();

}  // namespace loginspec::harness
