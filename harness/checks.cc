// The check catalogue. Every check reads recorded facts only: the transcript, the client's exit
// status and output, and the credentials it stored.
#include "harness/checks.h"

#include <sstream>

#include "protocol/basic.h"
#include "protocol/challenge.h"

namespace loginspec::harness {

namespace {

using mocks::find_pair;
using mocks::Presented;
using mocks::RecordedRequest;
using mocks::RequestKind;
using reports::Level;

std::vector<const RecordedRequest*> http_requests(const CheckContext& context, std::string_view server) {
  std::vector<const RecordedRequest*> out;
  for (const auto& request : context.transcript) {
    if (request.kind == RequestKind::kHttp && request.server == server) out.push_back(&request);
  }
  return out;
}

bool is_token_request(const RecordedRequest& request, const CheckContext& context) {
  return request.kind == RequestKind::kHttp && request.server == context.runtime.realm_server &&
         request.path == context.runtime.realm_path;
}

std::vector<const RecordedRequest*> token_requests(const CheckContext& context) {
  std::vector<const RecordedRequest*> out;
  for (const auto& request : context.transcript) {
    if (is_token_request(request, context)) out.push_back(&request);
  }
  return out;
}

std::string describe(const RecordedRequest& request) {
  std::string text = "#" + std::to_string(request.sequence + 1) + " " + request.method + " " + request.server + " " +
                     request.path;
  if (request.status != 0) text += " -> " + std::to_string(request.status);
  return text;
}

std::string authorization_scheme(const RecordedRequest& request) {
  const std::string* authorization = request.header("Authorization");
  if (authorization == nullptr) return "";
  return authorization->substr(0, authorization->find(' '));
}

std::string bearer_token(const RecordedRequest& request) {
  const std::string* authorization = request.header("Authorization");
  if (authorization == nullptr || !protocol::iequals(authorization_scheme(request), "Bearer")) return "";
  std::size_t space = authorization->find(' ');
  return space == std::string::npos ? "" : authorization->substr(space + 1);
}

bool is_registry_ping(const RecordedRequest& request) { return request.path.rfind("/v2", 0) == 0; }

std::string outcome_text(const LoginAttempt& attempt) {
  const auto& outcome = attempt.outcome;
  if (outcome.timed_out) return "the client did not finish within the time limit and was killed";
  if (!outcome.signal.empty()) return "the client died from " + outcome.signal;
  std::string text = std::string("the client reported ") + (outcome.reported_success ? "success" : "failure") +
                     " (exit code " + std::to_string(outcome.exit_code) + ")";
  // The client's own words make the verdict actionable; its last line is usually the error.
  const std::string& printed = outcome.reported_success ? outcome.stdout_text : outcome.stderr_text;
  std::size_t end = printed.find_last_not_of(" \r\n");
  if (end != std::string::npos) {
    std::size_t start = printed.rfind('\n', end);
    start = start == std::string::npos ? 0 : start + 1;
    std::string line = printed.substr(start, end + 1 - start);
    if (line.size() > 300) line = line.substr(0, 297) + "...";
    text += ": \"" + line + "\"";
  }
  return text;
}

// Returns the `service` parameter of the registry's Bearer challenge, if it has one.
std::optional<std::string> challenged_service(const CheckContext& context) {
  auto parsed = protocol::parse_challenge_lines(context.runtime.challenge_lines);
  for (const auto& challenge : parsed.challenges) {
    if (!challenge.is("Bearer")) continue;
    if (const std::string* service = challenge.param("service")) return *service;
  }
  return std::nullopt;
}


int param_or(const nlohmann::json& params, const char* key, int fallback) {
  auto found = params.find(key);
  return found == params.end() ? fallback : found->get<int>();
}
// NOTE: the loader keeps every max_* parameter between 1 and 100000, so get<int>() cannot wrap.

bool stored_expected(const CheckContext& context) {
  return context.attempt.outcome.reported_success;
}

Evaluation login_outcome(const CheckContext& context, const nlohmann::json&) {
  const auto& outcome = context.attempt.outcome;
  Expectation expect = context.scenario.expect;
  if (expect == Expectation::kEither && !outcome.timed_out && outcome.signal.empty()) {
    return Evaluation::pass("either outcome is acceptable here; " + outcome_text(context.attempt));
  }
  if (expect == Expectation::kEither) {
    return Evaluation::violated("either outcome is acceptable here, but " + outcome_text(context.attempt));
  }
  bool succeeded = outcome.reported_success && !outcome.timed_out && outcome.signal.empty();
  bool want_success = expect == Expectation::kSuccess;
  if (outcome.timed_out || !outcome.signal.empty() || succeeded != want_success) {
    return Evaluation::violated(std::string("expected the login to ") + (want_success ? "succeed" : "fail") + ", but " +
                                outcome_text(context.attempt));
  }
  return Evaluation::pass(outcome_text(context.attempt));
}

Evaluation success_verified(const CheckContext& context, const nlohmann::json&) {
  if (!context.attempt.outcome.reported_success) return Evaluation::skip("the client did not report success");
  // Registries may redirect (OCI distribution spec), so a 200 for /v2/ from the redirect target
  // counts. Whether credentials reached it is left to credentials-verified.
  std::string last;
  for (const auto& request : context.transcript) {
    if (request.kind != RequestKind::kHttp || request.server == "auth") continue;
    if (is_registry_ping(request) && request.status == 200) return Evaluation::pass("answered 200: " + describe(request));
    if (request.server == "registry") last = describe(request);
  }
  return Evaluation::violated("the client reported success, but the registry never answered 200 to /v2/" +
                              (last.empty() ? std::string(" (no request reached it)") : "; last request: " + last));
}

Evaluation credentials_verified(const CheckContext& context, const nlohmann::json&) {
  if (!context.attempt.outcome.reported_success) return Evaluation::skip("the client did not report success");
  for (const auto* request : http_requests(context, "registry")) {
    auto presented = mocks::classify_credentials(*request, context.runtime.accepted);
    if (is_registry_ping(*request) && request->status == 200 && presented.kind != Presented::kNone && presented.valid) {
      return Evaluation::pass("credentials accepted at " + describe(*request));
    }
  }
  return Evaluation::violated(
      "the client reported success although the registry never accepted credentials from it; "
      "a registry that answers /v2/ without authentication proves nothing about the username and password");
}

Evaluation token_request_credentials(const CheckContext& context, const nlohmann::json&) {
  auto requests = token_requests(context);
  if (requests.empty()) return Evaluation::violated("no request reached the token endpoint " + context.runtime.realm);
  const RecordedRequest& first = *requests.front();
  if (const std::string* authorization = first.header("Authorization")) {
    auto parsed = protocol::parse_basic_authorization(*authorization);
    if (!parsed.credentials) {
      return Evaluation::violated("token request " + describe(first) + " carried Authorization with scheme \"" +
                                  authorization_scheme(first) + "\", expected Basic credentials");
    }
    if (parsed.credentials->username != context.scenario.login_username ||
        parsed.credentials->password != context.password) {
      return Evaluation::violated("token request " + describe(first) + " carried Basic credentials for user \"" +
                                  parsed.credentials->username + "\" that differ from the ones the client was given");
    }
    return Evaluation::pass("Basic credentials sent with " + describe(first));
  }
  auto form = first.form();
  const std::string* grant = find_pair(form, "grant_type");
  if (first.method == "POST" && grant != nullptr && *grant == "password") {
    const std::string* user = find_pair(form, "username");
    const std::string* pass = find_pair(form, "password");
    if (user && pass && *user == context.scenario.login_username && *pass == context.password) {
      return Evaluation::pass("password grant sent with " + describe(first));
    }
    return Evaluation::violated("password grant " + describe(first) + " lacks the username or password the client was given");
  }
  return Evaluation::violated("token request " + describe(first) +
                              " carried no credentials: expected Authorization: Basic or a password grant");
}

Evaluation token_request_service(const CheckContext& context, const nlohmann::json&) {
  auto service = challenged_service(context);
  if (!service) return Evaluation::skip("the challenge has no service parameter");
  auto requests = token_requests(context);
  if (requests.empty()) return Evaluation::violated("no request reached the token endpoint, so service was never sent");
  const RecordedRequest& first = *requests.front();
  const std::string* sent = first.method == "POST" ? find_pair(first.form(), "service") : first.query_value("service");
  if (sent == nullptr) {
    return Evaluation::violated("token request " + describe(first) + " has no service parameter; the challenge said service=\"" +
                                *service + "\"");
  }
  if (*sent != *service) {
    return Evaluation::violated("token request " + describe(first) + " sent service=\"" + *sent + "\", the challenge said \"" +
                                *service + "\"");
  }
  return Evaluation::pass("service=\"" + *sent + "\" forwarded");
}

Evaluation bearer_retry(const CheckContext& context, const nlohmann::json&) {
  // The token may come from the realm itself or from where the realm redirected.
  const RecordedRequest* issued = nullptr;
  for (const auto& request : context.transcript) {
    bool token_server = request.server == "auth" || request.server == "other" || is_token_request(request, context);
    if (request.kind == RequestKind::kHttp && token_server && request.status == 200) {
      issued = &request;
      break;
    }
  }
  if (issued == nullptr) return Evaluation::violated("the token server never issued a token, so no Bearer retry could follow");
  std::vector<std::string> seen;
  for (const auto* request : http_requests(context, "registry")) {
    if (request->sequence < issued->sequence || is_token_request(*request, context)) continue;
    std::string token = bearer_token(*request);
    for (const auto& accepted : context.runtime.accepted.access_tokens) {
      if (!token.empty() && token == accepted) return Evaluation::pass("issued token sent with " + describe(*request));
    }
    std::string scheme = authorization_scheme(*request);
    seen.push_back(describe(*request) + " (" + (scheme.empty() ? "no Authorization" : scheme) + ")");
  }
  std::string list;
  for (const auto& item : seen) list += (list.empty() ? "" : ", ") + item;
  return Evaluation::violated("after the token was issued by " + describe(*issued) +
                              ", no registry request carried it as Authorization: Bearer" +
                              (list.empty() ? std::string("; no registry request followed") : "; requests: " + list));
}

Evaluation no_password_to_registry(const CheckContext& context, const nlohmann::json&) {
  for (const auto* request : http_requests(context, "registry")) {
    // A realm on the registry's own host is the token server; the password may go there.
    if (is_token_request(*request, context)) continue;
    bool basic = false;
    for (const auto& value : mocks::find_headers(request->headers, "Authorization")) {
      basic = basic || protocol::iequals(value.substr(0, value.find(' ')), "Basic");
    }
    if (basic) {
      return Evaluation::violated("registry request " + describe(*request) +
                                  " carried Basic credentials, but the registry challenged for Bearer; "
                                  "the password belongs to the token server only");
    }
    bool in_target = request->target.find(context.password) != std::string::npos;
    bool in_body = request->body.find(context.password) != std::string::npos;
    if (in_target || in_body) {
      return Evaluation::violated("registry request " + describe(*request) + " contained the password in its " +
                                  (in_target ? "target" : "body"));
    }
  }
  return Evaluation::pass();
}

Evaluation bounded_requests(const CheckContext& context, const nlohmann::json& params) {
  int max_registry = param_or(params, "max_registry_requests", 10);
  int max_token = param_or(params, "max_token_requests", 10);
  auto registry = http_requests(context, "registry");
  auto tokens = http_requests(context, "auth");
  if (static_cast<int>(registry.size()) > max_registry) {
    return Evaluation::violated("the client sent " + std::to_string(registry.size()) +
                                " requests to the registry; at most " + std::to_string(max_registry) +
                                " are reasonable for one login, so it is retrying without a bound");
  }
  if (static_cast<int>(tokens.size()) > max_token) {
    return Evaluation::violated("the client sent " + std::to_string(tokens.size()) +
                                " requests to the token server; at most " + std::to_string(max_token) +
                                " are reasonable for one login");
  }
  return Evaluation::pass(std::to_string(registry.size()) + " registry and " + std::to_string(tokens.size()) +
                          " token requests");
}

Evaluation secrets_not_in_output(const CheckContext& context, const nlohmann::json&) {
  const auto& outcome = context.attempt.outcome;
  std::vector<std::pair<std::string, std::string>> secrets = {{"the password", context.password}};
  for (const auto& token : context.runtime.accepted.access_tokens) secrets.emplace_back("a token", token);
  secrets.emplace_back("the refresh token", context.runtime.refresh_token);
  for (const auto& [what, value] : secrets) {
    if (value.size() < 4) continue;
    if (outcome.stdout_text.find(value) != std::string::npos) {
      return Evaluation::violated("the client printed " + what + " on standard output");
    }
    if (outcome.stderr_text.find(value) != std::string::npos) {
      return Evaluation::violated("the client printed " + what + " on standard error");
    }
  }
  return Evaluation::pass();
}

Evaluation credentials_stored(const CheckContext& context, const nlohmann::json&) {
  if (!stored_expected(context)) return Evaluation::skip("the client did not report success, so nothing should be stored");
  if (!context.attempt.stored) return Evaluation::skip("the adapter cannot read this client's credential store");
  const auto& stored = *context.attempt.stored;
  if (!stored.entry_found) {
    return Evaluation::violated("no credentials for " + context.runtime.registry_host + " were found in " +
                                stored.file.string());
  }
  if (stored.username != context.scenario.login_username) {
    return Evaluation::violated("the stored username is \"" + stored.username + "\", expected \"" +
                                context.scenario.login_username + "\"");
  }
  if (stored.password != context.password && stored.identity_token.empty()) {
    return Evaluation::violated("the stored entry holds neither the password nor an identity token");
  }
  return Evaluation::pass("stored in " + stored.file.string());
}

bool refresh_token_issued(const CheckContext& context) {
  for (const auto* request : token_requests(context)) {
    if (request->status != 200) continue;
    const std::string* offline = request->query_value("offline_token");
    bool get_offline = request->method == "GET" && offline != nullptr && *offline == "true";
    const std::string* access_type = find_pair(request->form(), "access_type");
    bool post_offline = request->method == "POST" && access_type != nullptr && *access_type == "offline";
    if (get_offline || post_offline) return true;
  }
  return false;
}

Evaluation identity_token_stored(const CheckContext& context, const nlohmann::json&) {
  if (!stored_expected(context)) return Evaluation::skip("the client did not report success");
  if (!context.scenario.auth || !context.scenario.auth->refresh_token) {
    return Evaluation::skip("the token server in this scenario issues no refresh token");
  }
  if (!refresh_token_issued(context)) {
    return Evaluation::skip("the client never asked for a refresh token (offline_token=true or access_type=offline)");
  }
  if (!context.attempt.stored) return Evaluation::skip("the adapter cannot read this client's credential store");
  const auto& stored = *context.attempt.stored;
  if (stored.identity_token != context.runtime.refresh_token) {
    return Evaluation::violated("the token server issued a refresh token, but the store holds " +
                                std::string(stored.identity_token.empty() ? "no identity token" : "a different identity token"));
  }
  if (!stored.password.empty()) {
    return Evaluation::violated("the store holds the identity token and also the password; the password should be dropped");
  }
  return Evaluation::pass("identity token stored, password not stored");
}

Evaluation credential_file_private(const CheckContext& context, const nlohmann::json&) {
  if (!stored_expected(context)) return Evaluation::skip("the client did not report success");
  if (!context.attempt.stored) return Evaluation::skip("the adapter cannot read this client's credential store");
  const auto& stored = *context.attempt.stored;
  if (!stored.entry_found) return Evaluation::skip("nothing was stored");
  if ((stored.mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", stored.mode & 07777);
    return Evaluation::violated(stored.file.string() + " has mode " + mode +
                                "; credentials should be readable by their owner only (0600)");
  }
  return Evaluation::pass();
}

bool weak_tls(TlsProfile profile) { return profile == TlsProfile::kSha1Signature || profile == TlsProfile::kRsa1024; }

// Certificates that fail verification outright. A client certificate server is only "bad"
// for a client that was given no certificate; weak but valid certificates have their own check.
bool bad_tls(TlsProfile profile, const Scenario& scenario) {
  if (profile == TlsProfile::kClientCertRequired) return !scenario.login_client_certificate;
  return profile != TlsProfile::kOff && profile != TlsProfile::kValid && !weak_tls(profile);
}

// Returns the first HTTP request that crossed a connection to one of `servers`, or nullptr.
const RecordedRequest* first_request_to(const CheckContext& context, const std::vector<std::string>& servers) {
  for (const auto& request : context.transcript) {
    if (request.kind != RequestKind::kHttp) continue;
    for (const auto& server : servers) {
      if (request.server == server) return &request;
    }
  }
  return nullptr;
}

Evaluation tls_verified(const CheckContext& context, const nlohmann::json&) {
  std::vector<std::string> bad_servers;
  if (bad_tls(context.scenario.registry.tls, context.scenario)) bad_servers.push_back("registry");
  if (context.scenario.auth && bad_tls(context.scenario.auth->tls, context.scenario)) bad_servers.push_back("auth");
  if (bad_servers.empty()) return Evaluation::skip("no server in this scenario presents a bad certificate");
  if (const RecordedRequest* request = first_request_to(context, bad_servers)) {
    TlsProfile profile = request->server == "registry" ? context.scenario.registry.tls : context.scenario.auth->tls;
    auto presented = mocks::classify_credentials(*request, context.runtime.accepted);
    return Evaluation::violated("the client completed a TLS handshake (" + request->tls_version +
                                ") with a server set up as \"" + std::string(to_string(profile)) + "\" and sent " +
                                describe(*request) + (presented.kind == Presented::kNone ? "" : " with credentials"));
  }
  return Evaluation::pass("no request crossed the bad TLS connection");
}

Evaluation weak_certificate_rejected(const CheckContext& context, const nlohmann::json&) {
  std::vector<std::string> weak_servers;
  if (weak_tls(context.scenario.registry.tls)) weak_servers.push_back("registry");
  if (context.scenario.auth && weak_tls(context.scenario.auth->tls)) weak_servers.push_back("auth");
  if (weak_servers.empty()) return Evaluation::skip("no server in this scenario presents a weak certificate");
  if (const RecordedRequest* request = first_request_to(context, weak_servers)) {
    TlsProfile profile = request->server == "registry" ? context.scenario.registry.tls : context.scenario.auth->tls;
    return Evaluation::violated("the client accepted a certificate with a " +
                                std::string(profile == TlsProfile::kRsa1024 ? "1024-bit RSA key" : "SHA-1 signature") +
                                " and sent " + describe(*request));
  }
  return Evaluation::pass("the weak certificate was rejected");
}

// True when the request carries the password, a token or Authorization of any scheme.
bool carries_credentials(const RecordedRequest& request, const CheckContext& context, std::string* what) {
  if (request.header("Authorization") != nullptr) {
    *what = "an Authorization header (" + authorization_scheme(request) + ")";
    return true;
  }
  std::vector<std::pair<std::string, std::string>> secrets = {{"the password", context.password},
                                                              {"the refresh token", context.runtime.refresh_token}};
  for (const auto& token : context.runtime.accepted.access_tokens) secrets.emplace_back("a token", token);
  for (const auto& [name, value] : secrets) {
    if (value.size() >= 4 && (request.target.find(value) != std::string::npos || request.body.find(value) != std::string::npos)) {
      *what = name;
      return true;
    }
  }
  return false;
}

Evaluation no_credentials_to_other_host(const CheckContext& context, const nlohmann::json&) {
  if (!context.scenario.other) return Evaluation::skip("this scenario has no other host");
  for (const auto* request : http_requests(context, "other")) {
    std::string what;
    if (carries_credentials(*request, context, &what)) {
      return Evaluation::violated("request " + describe(*request) + " to the other host " + context.runtime.other_host +
                                  " carried " + what + "; credentials must not cross to a host that did not issue the challenge");
    }
  }
  return Evaluation::pass();
}

Evaluation no_credentials_over_plain_http(const CheckContext& context, const nlohmann::json&) {
  if (context.scenario.registry.tls == TlsProfile::kOff) return Evaluation::skip("the registry itself is plain HTTP");
  for (const auto& request : context.transcript) {
    if (request.kind != RequestKind::kHttp || request.tls) continue;
    std::string what;
    if (carries_credentials(request, context, &what)) {
      return Evaluation::violated("request " + describe(request) + " went over plain HTTP and carried " + what +
                                  ", although the registry uses HTTPS");
    }
  }
  return Evaluation::pass();
}

Evaluation no_token_request(const CheckContext& context, const nlohmann::json&) {
  auto tokens = http_requests(context, "auth");
  if (!tokens.empty()) {
    return Evaluation::violated("the client requested a token (" + describe(*tokens.front()) +
                                ") although the challenge gave no usable realm");
  }
  // A guessed token endpoint on the registry counts too: anything but the /v2/ ping.
  for (const auto* request : http_requests(context, "registry")) {
    if (request->path != "/v2/" && request->path != "/v2") {
      return Evaluation::violated("the client sent " + describe(*request) +
                                  " although the challenge gave no usable realm; it guessed a token endpoint");
    }
  }
  return Evaluation::pass();
}

Evaluation token_field_used(const CheckContext& context, const nlohmann::json&) {
  for (const auto* request : http_requests(context, "registry")) {
    std::string token = bearer_token(*request);
    if (token.empty()) continue;
    if (context.scenario.auth && context.scenario.auth->token_response) {
      const auto& body = *context.scenario.auth->token_response;
      for (const char* field : {"access_token", "token"}) {
        auto found = body.find(field);
        if (found != body.end() && found->is_string() && !found->get<std::string>().empty() &&
            token == found->get<std::string>()) {
          return Evaluation::pass(std::string("the client used the \"") + field + "\" field");
        }
      }
    }
    return Evaluation::pass(token == context.runtime.token ? "the client used the issued token"
                                                           : "the client sent a token the server never issued");
  }
  return Evaluation::pass("the client sent no Bearer token");
}

Evaluation token_request_parameters(const CheckContext& context, const nlohmann::json&) {
  auto requests = token_requests(context);
  if (requests.empty()) return Evaluation::pass("no token request");
  const RecordedRequest& first = *requests.front();
  std::string text = first.method + " with";
  auto pairs = first.method == "POST" ? first.form() : first.query;
  for (const auto& [key, value] : pairs) {
    bool secret = key == "password" || key == "refresh_token";
    text += " " + key + "=" + (secret ? "<redacted>" : value);
  }
  return Evaluation::pass(text);
}

std::vector<CheckDefinition> make_catalogue() {
  using P = ParamType;
  return {
      {"login-outcome", Level::kMust, "the clauses the scenario lists",
       "The client reports success or failure as the scenario expects, and finishes within the time limit.", {},
       login_outcome},
      {"success-verified", Level::kMust, "distribution token.md: the retried request with the token decides",
       "A reported success is backed by a 200 from the registry's /v2/.", {}, success_verified},
      {"credentials-verified", Level::kShould, "RFC 9110 §11.6.2; Docker login semantics",
       "A reported success means the registry accepted the client's credentials, not merely answered 200.", {},
       credentials_verified},
      {"token-request-credentials", Level::kMust, "distribution token.md: requesting a token",
       "The token request authenticates with the user's credentials (Basic on GET, password grant on POST).", {},
       token_request_credentials},
      {"token-request-service", Level::kMust, "distribution token.md: service query parameter",
       "The token request forwards the challenge's service parameter unchanged.", {}, token_request_service},
      {"bearer-retry", Level::kMust, "distribution token.md; RFC 6750 §2.1",
       "After a token is issued, the client retries the registry with Authorization: Bearer <token>.", {},
       bearer_retry},
      {"no-password-to-registry", Level::kMust, "distribution token.md: the registry only sees tokens",
       "With a Bearer challenge, neither Basic credentials nor the password are sent to the registry.", {},
       no_password_to_registry},
      {"bounded-requests", Level::kMust, "RFC 9110 §15.5.2; distribution token.md (a failed token request ends the flow)",
       "The client stops after a bounded number of requests instead of looping.",
       {{"max_registry_requests", P::kInteger}, {"max_token_requests", P::kInteger}}, bounded_requests},
      {"secrets-not-in-output", Level::kMust, "RFC 6750 §5.3: safeguard bearer tokens",
       "Neither the password nor any token appears in the client's output.", {}, secrets_not_in_output},
      {"credentials-stored", Level::kMust, "Docker config.json and containers auth.json formats",
       "After a successful login the store holds an entry for the registry with the username.", {},
       credentials_stored},
      {"identity-token-stored", Level::kShould, "distribution token.md: offline_token and refresh_token",
       "When the token server issued a refresh token, the store keeps it as identity token and drops the password.", {},
       identity_token_stored},
      {"credential-file-private", Level::kShould, "CWE-732",
       "The credential file is readable by its owner only.", {}, credential_file_private},
      {"tls-verified", Level::kMust, "RFC 9110 §4.3.4; RFC 5280 §6; RFC 6125 §6; RFC 8996",
       "No request is sent over a TLS connection whose certificate fails verification.", {}, tls_verified},
      {"no-credentials-to-other-host", Level::kMust,
       "OCI distribution spec: no Authorization across hosts; RFC 9110 §15.4",
       "Credentials never reach a host other than the registry and its token server, redirects included.", {},
       no_credentials_to_other_host},
      {"no-credentials-over-plain-http", Level::kMust, "RFC 6750 §5.3; RFC 7617 §4",
       "With an HTTPS registry, no credential or token travels over plain HTTP, whatever the realm says.", {},
       no_credentials_over_plain_http},
      {"weak-certificate-rejected", Level::kShould,
       "CA/Browser Forum baseline requirements §6.1.5 (2048-bit RSA minimum) and §7.1.3 (no SHA-1)",
       "Certificates with 1024-bit RSA keys or SHA-1 signatures are rejected.", {}, weak_certificate_rejected},
      {"no-token-request", Level::kMust, "RFC 6750 §3: realm identifies the authorization server",
       "Without a usable realm the client requests no token from anywhere.", {}, no_token_request},
      {"token-field-used", Level::kInfo, "distribution token.md: token and access_token",
       "Records which of token and access_token the client sent.", {}, token_field_used},
      {"token-request-parameters", Level::kInfo, "distribution token.md: query parameters",
       "Records the parameters of the first token request.", {}, token_request_parameters},
  };
}

}  // namespace

const std::vector<CheckDefinition>& check_catalogue() {
  static const std::vector<CheckDefinition> kCatalogue = make_catalogue();
  return kCatalogue;
}

const CheckDefinition* find_check(std::string_view id) {
  for (const auto& definition : check_catalogue()) {
    if (definition.id == id) return &definition;
  }
  return nullptr;
}

const std::vector<std::string>& default_check_ids() {
  static const std::vector<std::string> kDefaults = {"login-outcome", "success-verified", "bounded-requests",
                                                     "secrets-not-in-output"};
  return kDefaults;
}

reports::CheckResult run_check(const CheckDefinition& definition, const CheckContext& context,
                               const nlohmann::json& params, bool strict) {
  reports::CheckResult result;
  result.id = definition.id;
  result.level = definition.level;
  result.spec = definition.spec;
  Evaluation evaluation;
  try {
    evaluation = definition.evaluate(context, params);
  } catch (const std::exception& error) {
    result.verdict = reports::Verdict::kError;
    result.message = std::string("check failed to evaluate: ") + error.what();
    return result;
  }
  result.message = evaluation.message;
  switch (evaluation.kind) {
    case Evaluation::Kind::kPass:
      result.verdict = reports::Verdict::kPass;
      break;
    case Evaluation::Kind::kSkip:
      result.verdict = reports::Verdict::kSkip;
      break;
    case Evaluation::Kind::kViolated:
      if (definition.level == Level::kMust) result.verdict = reports::Verdict::kFail;
      else if (definition.level == Level::kShould) result.verdict = strict ? reports::Verdict::kFail : reports::Verdict::kWarn;
      else result.verdict = reports::Verdict::kPass;
      break;
  }
  return result;
}

}  // namespace loginspec::harness
