// Starting a scenario: TLS material, templated rules, the registry and token server behaviour.
#include "harness/environment.h"

#include <sys/stat.h>
#include <unistd.h>

#include "protocol/challenge.h"

#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <stdexcept>

namespace loginspec::harness {

namespace {

using mocks::Presented;

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  RAND_bytes(buffer.data(), static_cast<int>(buffer.size()));
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buffer) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// The registry's responses follow Distribution 2.8 byte for byte: header order, spelling and body.
mocks::Response distribution_unauthorized(int status, const std::vector<std::string>& challenge_lines) {
  mocks::Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  response.headers.push_back({"Docker-Distribution-Api-Version", "registry/2.0"});
  for (const auto& line : challenge_lines) response.headers.push_back({"Www-Authenticate", line});
  response.headers.push_back({"Date", "${date}"});
  response.headers.push_back({"Content-Length", "${content_length}"});
  response.body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\",\"detail\":null}]}\n";
  return response;
}

mocks::Response distribution_ok() {
  mocks::Response response;
  response.status = 200;
  response.headers = {{"Content-Length", "${content_length}"},
                      {"Content-Type", "application/json; charset=utf-8"},
                      {"Docker-Distribution-Api-Version", "registry/2.0"},
                      {"Date", "${date}"}};
  response.body = "{}";
  return response;
}

mocks::Response not_found() {
  mocks::Response response;
  response.status = 404;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Date", "${date}"},
                      {"Content-Length", "${content_length}"}};
  response.body = "404 page not found\n";
  return response;
}

mocks::Response json_answer(int status, std::string body) {
  mocks::Response response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}, {"Date", "${date}"}, {"Content-Length", "${content_length}"}};
  response.body = std::move(body);
  return response;
}


}  // namespace

std::filesystem::path make_private_directory(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("cannot make a private folder from " + pattern + ": " + std::strerror(errno));
  }
  ::chmod(buffer.data(), 0700);
  return buffer.data();
}

TlsMaterialCache::TlsMaterialCache(std::filesystem::path run_dir)
    : run_dir_(std::move(run_dir)), ca_file_(run_dir_ / "ca.pem") {}

mocks::ServerTlsOptions TlsMaterialCache::server_options(TlsProfile profile, const std::string& host) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(profile, host);
  if (auto found = cache_.find(key); found != cache_.end()) return found->second;

  ensure_ca_locked();
  if (!leaf_key_) leaf_key_ = mocks::make_ec_key();
  mocks::CertificateSpec spec;
  spec.common_name = host;
  spec.ip_addresses = {host};
  spec.dns_names = {"localhost"};
  spec.key = leaf_key_;

  mocks::ServerTlsOptions options;
  switch (profile) {
    case TlsProfile::kOff:
    case TlsProfile::kValid:
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kUnknownCa:
      if (!unknown_ca_) unknown_ca_ = mocks::CertificateAuthority::create_with_key("loginspec unknown CA", mocks::make_ec_key());
      options.leaf = unknown_ca_->issue(spec);
      break;
    case TlsProfile::kSelfSigned:
      options.leaf = mocks::CertificateAuthority::self_signed(spec);
      break;
    case TlsProfile::kExpired:
      spec.not_before_offset_seconds = -20L * 24 * 3600;
      spec.not_after_offset_seconds = -10L * 24 * 3600;
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kNotYetValid:
      spec.not_before_offset_seconds = 10L * 24 * 3600;
      spec.not_after_offset_seconds = 20L * 24 * 3600;
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kWrongHost:
      spec.common_name = "wrong.loginspec.invalid";
      spec.ip_addresses = {};
      spec.dns_names = {"wrong.loginspec.invalid"};
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kCommonNameOnly:
      spec.include_subject_alt_name = false;
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kMissingIntermediate:
      if (!intermediate_) intermediate_ = ca_->create_intermediate("loginspec intermediate CA");
      options.leaf = intermediate_->issue(spec);
      break;
    case TlsProfile::kSha1Signature:
      spec.digest = "sha1";
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kRsa1024:
      if (!weak_leaf_key_) weak_leaf_key_ = mocks::make_rsa_key(1024);
      spec.key = weak_leaf_key_;
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kWrongExtendedKeyUsage:
      spec.usage = mocks::CertificateSpec::Usage::kWrongUsage;
      options.leaf = ca_->issue(spec);
      break;
    case TlsProfile::kClientCertRequired:
      options.leaf = ca_->issue(spec);
      options.request_client_certificate = true;
      options.require_client_certificate = true;
      options.client_cas = {ca_->own()};
      break;
    case TlsProfile::kTls10Only:
      options.leaf = ca_->issue(spec);
      options.min_version = TLS1_VERSION;
      options.max_version = TLS1_VERSION;
      break;
    case TlsProfile::kTls11Only:
      options.leaf = ca_->issue(spec);
      options.min_version = TLS1_1_VERSION;
      options.max_version = TLS1_1_VERSION;
      break;
  }
  cache_.emplace(key, options);
  return options;
}

void TlsMaterialCache::ensure_ca_locked() {
  if (ca_) return;
  ca_ = mocks::CertificateAuthority::create_with_key("loginspec run CA", mocks::make_ec_key());
  mocks::write_file(ca_file_, ca_->own().certificate_pem(), 0644);
}

const std::filesystem::path& TlsMaterialCache::ca_file() {
  std::lock_guard lock(mutex_);
  ensure_ca_locked();
  return ca_file_;
}

std::pair<std::filesystem::path, std::filesystem::path> TlsMaterialCache::client_certificate_files() {
  std::lock_guard lock(mutex_);
  if (!client_files_) {
    ensure_ca_locked();
    mocks::CertificateSpec spec;
    spec.common_name = "loginspec client";
    spec.usage = mocks::CertificateSpec::Usage::kClient;
    spec.key = mocks::make_ec_key();
    auto pair = ca_->issue(spec);
    client_files_ = std::make_pair(run_dir_ / "client.cert", run_dir_ / "client.key");
    mocks::write_file(client_files_->first, pair.certificate_pem(), 0644);
    mocks::write_file(client_files_->second, pair.key_pem(), 0600);
  }
  return *client_files_;
}

ScenarioEnvironment::ScenarioEnvironment(const Scenario& scenario, TlsMaterialCache& tls, std::filesystem::path work_dir)
    : scenario_(scenario),
      tls_(tls),
      work_dir_(std::move(work_dir)),
      transcript_(std::make_shared<mocks::Transcript>()),
      registry_slot_(std::make_shared<Slot>()),
      auth_slot_(std::make_shared<Slot>()),
      other_slot_(std::make_shared<Slot>()) {
  auto make_server = [&](const std::string& name, const ServerSpec& spec, const std::shared_ptr<Slot>& slot) {
    mocks::ServerOptions options;
    options.name = name;
    options.host = spec.listen;
    if (spec.tls != TlsProfile::kOff) options.tls = tls_.server_options(spec.tls, spec.listen);
    auto responder = [slot](const mocks::RecordedRequest& request) {
      std::lock_guard lock(slot->mutex);
      if (!slot->responder) return mocks::Response{.status = 503};
      return (*slot->responder)(request);
    };
    auto server = std::make_unique<mocks::MockServer>(options, transcript_, responder);
    server->start();
    return server;
  };

  // Both servers bind first, so each one's templates can name the other's address.
  registry_ = make_server("registry", scenario_.registry, registry_slot_);
  if (scenario_.auth) auth_ = make_server("auth", *scenario_.auth, auth_slot_);
  if (scenario_.other) other_ = make_server("other", *scenario_.other, other_slot_);

  runtime_.registry_url = registry_->url();
  runtime_.registry_host = registry_->authority();
  if (auth_) {
    runtime_.auth_url = auth_->url();
    runtime_.auth_host = auth_->authority();
    runtime_.auth_path = scenario_.auth->path;
    runtime_.realm = runtime_.auth_url + scenario_.auth->path;
  }
  if (other_) {
    runtime_.other_url = other_->url();
    runtime_.other_host = other_->authority();
  }
  runtime_.token = "tok-" + random_hex(12);
  runtime_.refresh_token = "ref-" + random_hex(12);
  runtime_.service = scenario_.registry.service;

  variables_ = {{"registry.url", runtime_.registry_url}, {"registry.host", runtime_.registry_host},
                {"auth.url", runtime_.auth_url},         {"auth.host", runtime_.auth_host},
                {"other.url", runtime_.other_url},       {"other.host", runtime_.other_host},
                {"realm", runtime_.realm},               {"service", runtime_.service},
                {"username", scenario_.username},        {"password", scenario_.password},
                {"token", runtime_.token},               {"refresh_token", runtime_.refresh_token}};

  if (scenario_.registry.challenge) {
    for (const auto& line : *scenario_.registry.challenge) runtime_.challenge_lines.push_back(fill(line));
  } else if (scenario_.registry.auth == RegistryAuth::kBasic) {
    runtime_.challenge_lines = {"Basic realm=\"loginspec\""};
  } else {
    runtime_.challenge_lines = {"Bearer realm=\"" + runtime_.realm + "\",service=\"" + runtime_.service + "\""};
  }

  // Token requests are recognised by where the Bearer realm points, which need not be the auth server.
  runtime_.realm_server = "auth";
  runtime_.realm_path = runtime_.auth_path;
  for (const auto& challenge : protocol::parse_challenge_lines(runtime_.challenge_lines).challenges) {
    const std::string* realm = challenge.is("Bearer") ? challenge.param("realm") : nullptr;
    if (realm == nullptr) continue;
    for (const auto& [server, url] : {std::pair<std::string, std::string>{"registry", runtime_.registry_url},
                                      {"auth", runtime_.auth_url}, {"other", runtime_.other_url}}) {
      if (url.empty() || realm->rfind(url + "/", 0) != 0) continue;
      std::string path = realm->substr(url.size());
      runtime_.realm_server = server;
      runtime_.realm_path = path.substr(0, path.find('?'));
    }
    break;
  }

  runtime_.accepted.username = scenario_.username;
  runtime_.accepted.password = scenario_.password;
  runtime_.accepted.access_tokens = {runtime_.token};
  runtime_.accepted.refresh_tokens = {runtime_.refresh_token};
  if (scenario_.auth && scenario_.auth->token_response) {
    // A scripted body may name other token values; the registry accepts whatever was issued.
    for (const char* field : {"token", "access_token"}) {
      auto found = scenario_.auth->token_response->find(field);
      if (found != scenario_.auth->token_response->end() && found->is_string() && !found->get<std::string>().empty()) {
        runtime_.accepted.access_tokens.push_back(fill(found->get<std::string>()));
      }
    }
  }

  {
    std::lock_guard lock(registry_slot_->mutex);
    registry_slot_->responder = std::make_unique<mocks::ScriptedResponder>(registry_responder());
  }
  if (auth_) {
    std::lock_guard lock(auth_slot_->mutex);
    auth_slot_->responder = std::make_unique<mocks::ScriptedResponder>(auth_responder());
  }
  if (other_) {
    std::vector<mocks::Rule> rules;
    for (const auto& rule : scenario_.other->rules) rules.push_back(fill_rule(rule));
    std::lock_guard lock(other_slot_->mutex);
    other_slot_->responder = std::make_unique<mocks::ScriptedResponder>(std::move(rules), not_found(), runtime_.accepted);
  }
}

ScenarioEnvironment::~ScenarioEnvironment() { stop(); }

void ScenarioEnvironment::stop() {
  if (registry_) registry_->stop();
  if (auth_) auth_->stop();
  if (other_) other_->stop();
}

std::string ScenarioEnvironment::fill(const std::string& text) const {
  if (text.find("${") == std::string::npos) return text;
  std::string out = text;
  for (const auto& [name, value] : variables_) mocks::replace_all(out, "${" + name + "}", value);
  return out;
}

mocks::Response ScenarioEnvironment::fill_response(const mocks::Response& response) const {
  mocks::Response out = response;
  for (auto& header : out.headers) header.value = fill(header.value);
  out.body = fill(out.body);
  return out;
}

mocks::Rule ScenarioEnvironment::fill_rule(const mocks::Rule& rule) const {
  mocks::Rule out = rule;
  out.response = fill_response(rule.response);
  for (auto& [key, value] : out.match.query) value = fill(value);
  for (auto& [key, value] : out.match.form) value = fill(value);
  return out;
}

mocks::ScriptedResponder ScenarioEnvironment::registry_responder() const {
  const RegistrySpec& spec = scenario_.registry;
  std::vector<mocks::Rule> rules;
  for (const auto& rule : spec.rules) rules.push_back(fill_rule(rule));

  auto accept = [&](std::vector<Presented> kinds) {
    mocks::Rule rule;
    rule.name = "registry.accept";
    rule.match.path = "/v2/";
    rule.match.credentials = std::move(kinds);
    rule.match.valid = true;
    rule.response = distribution_ok();
    rules.push_back(rule);
  };
  switch (spec.auth) {
    case RegistryAuth::kBearer: accept({Presented::kBearer}); break;
    case RegistryAuth::kBasic: accept({Presented::kBasic}); break;
    case RegistryAuth::kNone: {
      mocks::Rule rule;
      rule.name = "registry.open";
      rule.match.path = "/v2/";
      rule.response = distribution_ok();
      rules.push_back(rule);
      break;
    }
    case RegistryAuth::kNever: break;
  }

  // Distribution adds error="invalid_token" when a Bearer token was sent but rejected.
  if (spec.auth == RegistryAuth::kBearer && !spec.challenge) {
    mocks::Rule rejected;
    rejected.name = "registry.invalid-token";
    rejected.match.path = "/v2/";
    rejected.match.credentials = {Presented::kBearer};
    auto lines = runtime_.challenge_lines;
    for (auto& line : lines) line += ",error=\"invalid_token\"";
    rejected.response = distribution_unauthorized(spec.unauthorized_status, lines);
    rules.push_back(rejected);
  }

  mocks::Rule challenge;
  challenge.name = "registry.challenge";
  challenge.match.path = "/v2*";
  challenge.response = distribution_unauthorized(spec.unauthorized_status, runtime_.challenge_lines);
  rules.push_back(challenge);

  return mocks::ScriptedResponder(std::move(rules), not_found(), runtime_.accepted);
}

mocks::ScriptedResponder ScenarioEnvironment::auth_responder() const {
  const AuthServerSpec& spec = *scenario_.auth;
  std::vector<mocks::Rule> rules;
  for (const auto& rule : spec.rules) rules.push_back(fill_rule(rule));

  auto token_body = [&](bool with_refresh) {
    if (spec.token_body) return fill(*spec.token_body);
    nlohmann::ordered_json body;
    if (spec.token_response) {
      body = *spec.token_response;
    } else {
      body["token"] = runtime_.token;
      body["access_token"] = runtime_.token;
      body["expires_in"] = 300;
      body["issued_at"] = "${now}";
    }
    if (with_refresh && !body.contains("refresh_token")) body["refresh_token"] = runtime_.refresh_token;
    return fill(body.dump());
  };

  auto add = [&](std::string name, mocks::Match match, mocks::Response response) {
    mocks::Rule rule;
    rule.name = std::move(name);
    rule.match = std::move(match);
    rule.match.path = spec.path;
    rule.response = std::move(response);
    rules.push_back(std::move(rule));
  };

  std::string bad_credentials =
      "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid username or password\",\"detail\":null}]}\n";

  // GET flow (distribution token.md): Basic credentials, refresh token only when offline_token=true.
  if (spec.refresh_token) {
    add("auth.get-offline",
        {.method = "GET", .credentials = {Presented::kBasic}, .valid = true, .query = {{"offline_token", "true"}}},
        json_answer(200, token_body(true)));
  }
  add("auth.get", {.method = "GET", .credentials = {Presented::kBasic}, .valid = true}, json_answer(200, token_body(false)));
  add("auth.get-rejected", {.method = "GET"}, json_answer(spec.bad_credentials_status, bad_credentials));

  // OAuth2 flow (distribution oauth.md): form POST. A 404 makes clients fall back to GET.
  if (spec.post == PostSupport::kNotFound) {
    add("auth.post-not-supported", {.method = "POST"}, not_found());
  } else {
    if (spec.refresh_token) {
      add("auth.post-offline",
          {.method = "POST", .credentials = {Presented::kFormPassword}, .valid = true, .form = {{"access_type", "offline"}}},
          json_answer(200, token_body(true)));
    }
    add("auth.post-password", {.method = "POST", .credentials = {Presented::kFormPassword}, .valid = true},
        json_answer(200, token_body(false)));
    // oauth.md: a refresh_token grant returns the same refresh token again.
    add("auth.post-refresh", {.method = "POST", .credentials = {Presented::kFormRefreshToken}, .valid = true},
        json_answer(200, token_body(spec.refresh_token)));
    add("auth.post-rejected", {.method = "POST"},
        json_answer(spec.bad_credentials_status, "{\"error\":\"invalid_grant\"}\n"));
  }
  return mocks::ScriptedResponder(std::move(rules), not_found(), runtime_.accepted);
}

LoginRequest ScenarioEnvironment::login_request() {
  LoginRequest request;
  request.registry_host = runtime_.registry_host;
  request.registry_url = runtime_.registry_url;
  request.registry_tls = scenario_.login_tls == LoginTls::kAuto ? scenario_.registry.tls != TlsProfile::kOff
                                                                 : scenario_.login_tls == LoginTls::kOn;
  request.username = scenario_.login_username;
  request.password = scenario_.login_password;
  bool any_tls = request.registry_tls || scenario_.registry.tls != TlsProfile::kOff ||
                 (scenario_.auth && scenario_.auth->tls != TlsProfile::kOff) ||
                 (scenario_.other && scenario_.other->tls != TlsProfile::kOff);
  if (any_tls) request.ca_file = tls_.ca_file();
  if (scenario_.login_client_certificate) {
    auto [certificate, key] = tls_.client_certificate_files();
    request.client_certificate_file = certificate;
    request.client_key_file = key;
  }
  request.work_dir = work_dir_;
  request.time_limit = scenario_.time_limit;
  return request;
}

std::vector<std::string> ScenarioRuntime::secrets() const {
  std::vector<std::string> values;
  for (const auto& token : accepted.access_tokens) values.push_back(token);
  values.push_back(refresh_token);
  values.push_back(accepted.password);
  return values;
}

}  // namespace loginspec::harness
