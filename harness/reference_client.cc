// Reference login client: ping, challenge, token request, Bearer retry, credential store.
#include "harness/reference_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mocks/transcript.h"
#include "protocol/basic.h"
#include "protocol/challenge.h"
#include "protocol/token_response.h"

namespace loginspec::harness {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 5;
constexpr int kUnboundedRetries = 60;

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets
  int port = 0;
  std::string path_and_query = "/";

  std::string origin() const {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + "://" + shown + ":" + std::to_string(port);
  }
  bool same_origin(const Url& other) const {
    return scheme == other.scheme && host == other.host && port == other.port;
  }
};

// Parses an absolute http(s) URL (RFC 3986 §3); nullopt for anything else.
std::optional<Url> parse_url(std::string_view text) {
  Url url;
  std::size_t colon = text.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  url.scheme = std::string(text.substr(0, colon));
  for (auto& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  std::string_view rest = text.substr(colon + 3);
  std::size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    std::string_view tail = rest.substr(path_start);
    tail = tail.substr(0, tail.find('#'));
    url.path_and_query = tail.front() == '?' ? "/" + std::string(tail) : std::string(tail);
  }
  if (authority.find('@') != std::string_view::npos || authority.empty()) return std::nullopt;
  std::string_view port_text;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port_text = authority.substr(close + 2);
    }
  } else {
    std::size_t port_colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port_text = authority.substr(port_colon + 1);
  }
  if (url.host.empty()) return std::nullopt;
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    url.port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || url.port > 65535) return std::nullopt;
      url.port = url.port * 10 + (c - '0');
    }
    if (url.port <= 0 || url.port > 65535) return std::nullopt;
  }
  return url;
}

struct Reply {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::string error;  // transport error; status is 0 then
};

class LoginFlow {
 public:
  explicit LoginFlow(const ReferenceOptions& options)
      : options_(options), deadline_(Clock::now() + options.time_limit) {}

  ReferenceResult run();

 private:
  [[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

  std::chrono::milliseconds remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return std::max(left, std::chrono::milliseconds(1));
  }

  Reply get(const Url& url, const httplib::Headers& headers);
  std::string describe_error(httplib::Error error, const Url& url) const;
  Url registry_url();
  std::string bearer_token(const protocol::Challenge& challenge, const Url& registry);
  void store(const std::string& identity_token);

  const ReferenceOptions& options_;
  Clock::time_point deadline_;
  std::string config_file_;
  std::string identity_token_;  // refresh token from the token server, stored instead of the password
};

// Turns a cpp-httplib error into a sentence a user can act on.
std::string LoginFlow::describe_error(httplib::Error error, const Url& url) const {
  switch (error) {
    case httplib::Error::Connection:
      return "connection failed (nothing listening, or the address is unreachable)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "the connection closed or timed out before a complete response arrived";
    case httplib::Error::Write:
      return "the connection closed while the request was being sent";
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA file " + options_.ca_file.string() + " (missing, unreadable or not PEM)";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + url.origin() +
             " failed (the server may speak plain HTTP: use --insecure and no https:// for plain-HTTP registries)";
    case httplib::Error::SSLServerVerification:
      return "the server certificate of " + url.origin() + " failed verification";
    default:
      return "request failed: " + httplib::to_string(error);
  }
}

Reply LoginFlow::get(const Url& url, const httplib::Headers& headers) {
  if (Clock::now() >= deadline_) fail("time limit reached before GET " + url.origin() + url.path_and_query);
  bool with_certificate = url.scheme == "https" && !options_.client_certificate_file.empty();
  httplib::Client client = with_certificate ? httplib::Client(url.origin(), options_.client_certificate_file.string(),
                                                              options_.client_key_file.string())
                                            : httplib::Client(url.origin());
  auto timeout = std::min(remaining(), std::chrono::milliseconds(10000));
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_follow_location(false);
  client.set_keep_alive(false);

  if (url.scheme == "https") {
    SSL_CTX* ctx = client.ssl_context();
    if (options_.faults.accept_any_certificate) {
      client.enable_server_certificate_verification(false);
    } else {
      client.enable_server_certificate_verification(true);
      if (!options_.ca_file.empty()) client.set_ca_cert_path(options_.ca_file.string().c_str());
      // Names are checked against subjectAltName only (RFC 6125 §6.4.4; CA/Browser Forum
      // baseline requirements), never against the subject common name.
      X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      if (X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) != 1) {
        X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
      }
    }
  }

  httplib::Headers sent = headers;
  sent.emplace("User-Agent", "loginspec-reference/0.1");
  auto result = client.Get(url.path_and_query.c_str(), sent);
  Reply reply;
  if (!result) {
    reply.error = describe_error(result.error(), url);
    if (url.scheme == "https") {
      auto verify = client.get_openssl_verify_result();
      if (verify != X509_V_OK) reply.error += ": " + std::string(X509_verify_cert_error_string(verify));
    }
    return reply;
  }
  reply.status = result->status;
  reply.headers = result->headers;
  reply.body = result->body;
  return reply;
}

Url LoginFlow::registry_url() {
  std::string text = options_.registry;
  if (text.find("://") == std::string::npos) text = (options_.insecure ? "http://" : "https://") + text;
  auto url = parse_url(text);
  if (!url) fail("invalid registry address \"" + options_.registry + "\": expected host:port or an http(s) URL");
  url->path_and_query = "/v2/";
  return *url;
}

std::string LoginFlow::bearer_token(const protocol::Challenge& challenge, const Url& registry) {
  const std::string* realm_text = challenge.param("realm");
  std::string guessed = registry.origin() + "/token";
  if ((realm_text == nullptr || realm_text->empty()) && options_.faults.guess_realm) realm_text = &guessed;
  if (realm_text == nullptr || realm_text->empty()) fail("the Bearer challenge has no realm, so there is no token server to ask");
  auto realm = parse_url(*realm_text);
  if (!realm) fail("the Bearer challenge's realm \"" + protocol::visible(*realm_text) + "\" is not an absolute http(s) URL");
  if (registry.scheme == "https" && realm->scheme == "http" && !options_.faults.follow_any_realm) {
    fail("the realm " + *realm_text + " is plain HTTP while the registry uses HTTPS; refusing to send credentials");
  }

  // distribution token.md: GET the realm with service, offline_token and client_id; scopes
  // are not needed to log in. Query parameters already on the realm are kept.
  std::string query;
  auto add = [&](std::string_view key, std::string_view value) {
    query += (query.empty() ? "" : "&") + std::string(key) + "=" + mocks::percent_encode(value);
  };
  add("account", options_.username);
  add("client_id", "loginspec");
  add("offline_token", "true");
  if (const std::string* service = challenge.param("service"); service && !options_.faults.ignore_service) {
    add("service", *service);
  }
  Url target = *realm;
  target.path_and_query += (target.path_and_query.find('?') == std::string::npos ? "?" : "&") + query;

  httplib::Headers headers;
  if (!options_.faults.skip_token_credentials) {
    headers.emplace("Authorization", protocol::basic_authorization({options_.username, options_.password}));
  }

  Reply reply;
  for (int hop = 0;; ++hop) {
    reply = get(target, headers);
    if (reply.status == 0) fail("token request to " + target.origin() + " failed: " + reply.error);
    if (reply.status < 300 || reply.status >= 400) break;
    if (hop == kMaxRedirects) fail("the token server redirected more than " + std::to_string(kMaxRedirects) + " times");
    auto location = reply.headers.find("Location");
    auto next = location == reply.headers.end() ? std::nullopt : parse_url(location->second);
    if (!next) fail("the token server answered " + std::to_string(reply.status) + " without an absolute Location");
    // Credentials never follow a redirect to another origin (OCI distribution spec; RFC 9110 §15.4).
    if (!next->same_origin(target) && !options_.faults.keep_credentials_on_redirect) headers.erase("Authorization");
    target = *next;
  }

  if (reply.status == 401 || reply.status == 403) {
    fail("the token server rejected the username or password (HTTP " + std::to_string(reply.status) + ")");
  }
  if (reply.status != 200) fail("the token server answered HTTP " + std::to_string(reply.status) + ", expected 200");

  auto parsed = protocol::parse_token_response(reply.body);
  if (!parsed.response) fail("the token response is invalid: " + parsed.error->message);
  identity_token_ = parsed.response->refresh_token.value_or("");
  return *parsed.response->effective_token();
}

void LoginFlow::store(const std::string& identity_token) {
  std::filesystem::path dir = options_.config_dir;
  if (dir.empty() || options_.faults.skip_store) return;
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "config.json";
  config_file_ = file.string();

  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    try {
      config = nlohmann::ordered_json::parse(in);
    } catch (const std::exception&) {
      fail("cannot update " + file.string() + ": it is not valid JSON");
    }
  }
  Url registry = registry_url();
  std::string key = options_.registry.find("://") == std::string::npos ? options_.registry : registry.origin();
  nlohmann::ordered_json entry;
  bool keep_password = identity_token.empty() || options_.faults.keep_password_with_identity_token;
  entry["auth"] = protocol::base64_encode(options_.username + ":" + (keep_password ? options_.password : ""));
  if (!identity_token.empty()) entry["identitytoken"] = identity_token;
  config["auths"][key] = entry;

  // Written to a temporary file and renamed, so a crash never leaves half a file.
  std::string text = config.dump(1, '\t') + "\n";
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  mode_t mode = options_.faults.world_readable_store ? 0644 : 0600;
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) fail("cannot write " + temporary.string() + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    std::filesystem::remove(temporary);
    fail("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, file);
}

ReferenceResult LoginFlow::run() {
  ReferenceResult result;
  std::ostringstream out;
  if (options_.faults.print_password) out << "Logging in as " << options_.username << " with password " << options_.password << "\n";
  try {
    Url registry = registry_url();

    // The ping: an unauthenticated GET /v2/ returns the challenge with the scheme the registry expects.
    Reply ping = get(registry, {});
    if (ping.status == 0) fail("cannot reach " + registry.origin() + "/v2/: " + ping.error);
    if (ping.status == 200) {
      fail("the registry answered /v2/ without asking for credentials, so they could not be verified");
    }
    if (ping.status != 401) fail("the registry answered /v2/ with HTTP " + std::to_string(ping.status) + ", expected 401");

    std::vector<std::string> lines;
    for (auto [it, end] = ping.headers.equal_range("WWW-Authenticate"); it != end; ++it) lines.push_back(it->second);
    if (lines.empty()) fail("the registry answered 401 without a WWW-Authenticate challenge (RFC 9110 §15.5.2)");

    // Each field line is parsed on its own, so one malformed line does not hide a good one.
    std::vector<protocol::Challenge> challenges;
    std::string first_error;
    for (const auto& line : lines) {
      auto parsed = protocol::parse_challenges(line);
      if (parsed.ok()) {
        challenges.insert(challenges.end(), parsed.challenges.begin(), parsed.challenges.end());
      } else if (first_error.empty()) {
        first_error = parsed.error->message;
      }
    }
    const protocol::Challenge* bearer = nullptr;
    const protocol::Challenge* basic = nullptr;
    for (const auto& challenge : challenges) {
      if (!bearer && challenge.is("Bearer")) bearer = &challenge;
      if (!basic && challenge.is("Basic")) basic = &challenge;
    }

    httplib::Headers authorization;
    std::string basic_header = protocol::basic_authorization({options_.username, options_.password});
    if (bearer != nullptr) {
      std::string token = bearer_token(*bearer, registry);
      authorization.emplace("Authorization", "Bearer " + token);
      if (options_.faults.send_password_to_registry) authorization.emplace("Authorization", basic_header);
    } else if (basic != nullptr) {
      if (registry.scheme == "http" && !options_.insecure) fail("refusing to send Basic credentials over plain HTTP");
      authorization.emplace("Authorization", basic_header);
    } else {
      fail(first_error.empty() ? "the registry offers no Bearer or Basic challenge"
                               : "no usable challenge: " + first_error);
    }

    if (options_.faults.skip_bearer_retry) {
      store(identity_token_);
      result.success = true;
    } else {
      int attempts = options_.faults.retry_without_bound ? kUnboundedRetries : 1;
      Reply check;
      for (int i = 0; i < attempts; ++i) {
        check = get(registry, authorization);
        if (check.status == 200) break;
      }
      if (check.status == 0) fail("cannot reach " + registry.origin() + "/v2/: " + check.error);
      if (check.status != 200) {
        fail("the registry rejected the credentials: /v2/ answered HTTP " + std::to_string(check.status));
      }
      store(identity_token_);
      result.success = true;
    }
    out << "Login Succeeded\n";
  } catch (const std::exception& error) {
    out << "Error: " << error.what() << "\n";
  }
  if (options_.faults.report_success_always && !result.success) {
    result.success = true;
    out << "Login Succeeded\n";
  }
  result.output = out.str();
  result.config_file = config_file_;
  return result;
}

}  // namespace

ReferenceFaults ReferenceFaults::parse(const std::string& list) {
  ReferenceFaults faults;
  std::stringstream stream(list);
  std::string name;
  while (std::getline(stream, name, ',')) {
    if (name.empty()) continue;
    if (name == "ignore-service") faults.ignore_service = true;
    else if (name == "send-password-to-registry") faults.send_password_to_registry = true;
    else if (name == "retry-without-bound") faults.retry_without_bound = true;
    else if (name == "accept-any-certificate") faults.accept_any_certificate = true;
    else if (name == "keep-password-with-identity-token") faults.keep_password_with_identity_token = true;
    else if (name == "print-password") faults.print_password = true;
    else if (name == "report-success-always") faults.report_success_always = true;
    else if (name == "skip-token-credentials") faults.skip_token_credentials = true;
    else if (name == "skip-bearer-retry") faults.skip_bearer_retry = true;
    else if (name == "world-readable-store") faults.world_readable_store = true;
    else if (name == "follow-any-realm") faults.follow_any_realm = true;
    else if (name == "keep-credentials-on-redirect") faults.keep_credentials_on_redirect = true;
    else if (name == "guess-realm") faults.guess_realm = true;
    else if (name == "skip-store") faults.skip_store = true;
    else throw std::invalid_argument("unknown reference fault \"" + name + "\"; known faults: " + names());
  }
  return faults;
}

std::string ReferenceFaults::names() {
  return "ignore-service, send-password-to-registry, retry-without-bound, accept-any-certificate, "
         "keep-password-with-identity-token, print-password, report-success-always, skip-token-credentials, "
         "skip-bearer-retry, world-readable-store, follow-any-realm, keep-credentials-on-redirect, guess-realm, skip-store";
}

ReferenceResult reference_login(const ReferenceOptions& options) {
  LoginFlow flow(options);
  return flow.run();
}

}  // namespace loginspec::harness
