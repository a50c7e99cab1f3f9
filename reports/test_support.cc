// Fixed results for the tests of reports/, as declared in test_support.h.
#include "reports/test_support.h"

#include <string>

namespace loginspec::reports::testing {

namespace {

CheckResult check(std::string id, Level level, Verdict verdict, std::string spec,
                  std::string message) {
  return CheckResult{std::move(id), level, verdict, std::move(spec), std::move(message)};
}

ClientOutcome exited(int exit_code, bool reported_success, std::string stdout_text,
                     std::string stderr_text, double wall_ms) {
  ClientOutcome client;
  client.ran = true;
  client.reported_success = reported_success;
  client.exit_code = exit_code;
  client.stdout_text = std::move(stdout_text);
  client.stderr_text = std::move(stderr_text);
  client.wall_ms = wall_ms;
  return client;
}

ScenarioResult bearer_happy_path() {
  ScenarioResult scenario;
  scenario.id = "bearer/happy-path";
  scenario.title = "Bearer token flow with a Basic-authenticated token request";
  scenario.spec = {"RFC 6750 §3", "distribution token authentication"};
  scenario.tags = {"bearer", "smoke"};
  scenario.verdict = Verdict::kPass;
  scenario.checks = {
      check("token-request-service", Level::kMust, Verdict::kPass,
            "distribution token authentication", "token request carried service=\"registry.test\""),
      check("token-sent-as-bearer", Level::kMust, Verdict::kPass, "RFC 6750 §2.1",
            "registry request carried Authorization: Bearer <redacted>"),
      check("user-agent-present", Level::kInfo, Verdict::kPass, "RFC 9110 §10.1.5",
            "User-Agent: skopeo/1.14.2"),
  };
  scenario.client = exited(0, true, "Login Succeeded!\n", "", 21.5);

  ExchangeRecord probe;
  probe.server = "registry";
  probe.kind = "http";
  probe.method = "GET";
  probe.target = "/v2/";
  probe.headers = {{"Host", "127.0.0.1:41001"}, {"User-Agent", "skopeo/1.14.2"}};
  probe.status = 401;
  probe.at_ms = 1.25;

  ExchangeRecord token;
  token.server = "auth";
  token.kind = "http";
  token.method = "GET";
  token.target = "/token?service=registry.test&scope=repository%3Alibrary%2Falpine%3Apull";
  token.headers = {{"Host", "127.0.0.1:41002"},
                   {"Authorization", "Basic <redacted>"},
                   {"Accept", "application/json"},
                   {"Accept", "*/*"}};
  token.status = 200;
  token.at_ms = 3.5;

  ExchangeRecord retry = probe;
  retry.headers.emplace_back("Authorization", "Bearer <redacted>");
  retry.status = 200;
  retry.at_ms = 6.75;

  scenario.exchanges = {probe, token, retry};
  scenario.wall_ms = 23.4;
  return scenario;
}

ScenarioResult bearer_wrong_scope() {
  ScenarioResult scenario;
  scenario.id = "bearer/wrong-scope";
  scenario.title = "Token request asks for the scope from the challenge";
  scenario.spec = {"distribution token authentication"};
  scenario.tags = {"bearer"};
  scenario.verdict = Verdict::kFail;
  scenario.reason =
      "token-request-scope: expected scope \"repository:library/alpine:pull\" & <push>, found none";
  scenario.checks = {
      check("token-request-sent", Level::kMust, Verdict::kPass, "distribution token authentication",
            "one token request was sent"),
      check("token-request-scope", Level::kMust, Verdict::kFail,
            "distribution token authentication",
            "expected scope \"repository:library/alpine:pull\" & <push>, found none"),
      check("token-reused", Level::kShould, Verdict::kFail, "distribution token authentication",
            "client asked for a second token instead of reusing the first"),
      check("token-request-count", Level::kInfo, Verdict::kFail, "", "2 token requests"),
  };
  scenario.client = exited(0, true, "Login Succeeded!\n", "", 38.0);

  ExchangeRecord token;
  token.server = "auth";
  token.kind = "http";
  token.method = "POST";
  token.target = "/token";
  token.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  token.body = "grant_type=password&service=registry.test&username=alice&password=<redacted>";
  token.status = 200;
  token.at_ms = 2.0;
  scenario.exchanges = {token};

  scenario.wall_ms = 41.0;
  scenario.known_failure = true;
  return scenario;
}

ScenarioResult basic_over_plain_http() {
  ScenarioResult scenario;
  scenario.id = "basic/over-plain-http";
  scenario.title = "Credentials are never sent over plain HTTP";
  scenario.spec = {"RFC 7617 §4"};
  scenario.tags = {"basic", "tls"};
  scenario.verdict = Verdict::kFail;
  scenario.reason =
      "no-credentials-in-clear: client sent Basic credentials over plain HTTP to 127.0.0.1:41003 "
      "(header value <redacted>)";
  scenario.checks = {
      check("no-credentials-in-clear", Level::kMust, Verdict::kFail, "RFC 7617 §4",
            "client sent Basic credentials over plain HTTP\nto 127.0.0.1:41003 "
            "(header value <redacted>)"),
      check("error-reported", Level::kShould, Verdict::kPass, "", "client reported an error"),
  };
  scenario.client = exited(
      1, false, "",
      "Error: pinging container registry 127.0.0.1:41003: \x1b[31mfailed\x1b[0m\x01\n", 12.0);

  ExchangeRecord request;
  request.server = "registry";
  request.kind = "http";
  request.method = "GET";
  request.target = "/v2/";
  request.headers = {{"Authorization", "Basic <redacted>"}};
  request.status = 401;
  request.at_ms = 0.5;
  scenario.exchanges = {request};

  scenario.wall_ms = 14.0;
  return scenario;
}

ScenarioResult tls_expired_certificate() {
  ScenarioResult scenario;
  scenario.id = "tls/expired-certificate";
  scenario.title = "Expired server certificate is rejected with a clear message";
  scenario.spec = {"RFC 5280 §4.1.2.5"};
  scenario.tags = {"tls"};
  scenario.verdict = Verdict::kWarn;
  scenario.reason =
      "tls-error-message: expected \"expired\" in client output, found \"\x1b[31mTLS "
      "error\x1b[0m\"";
  scenario.checks = {
      check("tls-rejected", Level::kMust, Verdict::kPass, "RFC 5280 §4.1.2.5",
            "client closed the connection during the handshake"),
      check("tls-error-message", Level::kShould, Verdict::kFail, "",
            "expected \"expired\" in client output, found \"\x1b[31mTLS error\x1b[0m\""),
  };
  scenario.client = exited(1, false, "", "\x1b[31mTLS error\x1b[0m\n", 30.0);

  ExchangeRecord handshake;
  handshake.server = "registry";
  handshake.kind = "tls-handshake-failed";
  handshake.at_ms = 4.0;
  scenario.exchanges = {handshake};

  scenario.wall_ms = 31.0;
  return scenario;
}

ScenarioResult tls_client_certificate() {
  ScenarioResult scenario;
  scenario.id = "tls/client-certificate";
  scenario.title = "Client certificate authentication";
  scenario.spec = {"RFC 8446 §4.4.2"};
  scenario.tags = {"tls", "mtls"};
  scenario.verdict = Verdict::kSkip;
  scenario.reason = "client has no option for a client certificate";
  scenario.checks = {
      check("client-certificate-sent", Level::kMust, Verdict::kSkip, "RFC 8446 §4.4.2",
            "client has no option for a client certificate"),
  };
  scenario.wall_ms = 0.0;
  return scenario;
}

ScenarioResult bearer_token_endpoint_down() {
  ScenarioResult scenario;
  scenario.id = "bearer/token-endpoint-down";
  scenario.title = "Unreachable token endpoint is reported";
  scenario.spec = {"distribution token authentication"};
  scenario.tags = {"bearer", "errors"};
  scenario.verdict = Verdict::kError;
  scenario.reason = "client timed out after 30000 ms and was killed";
  scenario.checks = {
      check("error-reported", Level::kMust, Verdict::kError, "",
            "no client exit status to evaluate"),
  };
  scenario.client.ran = true;
  scenario.client.exit_code = -1;
  scenario.client.signal = "SIGKILL";
  scenario.client.timed_out = true;
  scenario.client.stderr_text = "time=\"2025-03-04T10:15:31Z\" level=debug msg=\"GET /token\"\n";
  scenario.client.wall_ms = 30000.0;
  scenario.wall_ms = 30012.0;
  return scenario;
}

ScenarioResult basic_happy_path() {
  ScenarioResult scenario;
  scenario.id = "basic/happy-path";
  scenario.title = "Basic authentication against the registry";
  scenario.spec = {"RFC 7617 §2"};
  scenario.tags = {"basic", "smoke"};
  scenario.verdict = Verdict::kPass;
  scenario.checks = {
      check("basic-credentials", Level::kMust, Verdict::kPass, "RFC 7617 §2",
            "Authorization: Basic <redacted> decodes to user \"alice\""),
  };
  scenario.client = exited(0, true, "Login Succeeded!\n", "", 9.0);
  scenario.wall_ms = 10.0;
  scenario.stale_baseline_entry = true;
  return scenario;
}

}  // namespace

RunResult sample_run() {
  RunResult run;
  run.tool_version = "0.1.0";
  run.client_name = "skopeo";
  run.client_version = "1.14.2";
  run.started_at = "2025-03-04T10:15:30Z";
  run.wall_ms = 30131.4;
  run.strict = false;
  run.scenarios = {bearer_happy_path(),      bearer_wrong_scope(),
                   basic_over_plain_http(),  tls_expired_certificate(),
                   tls_client_certificate(), bearer_token_endpoint_down(),
                   basic_happy_path()};
  return run;
}

ScenarioResult all_bytes_scenario() {
  std::string every_byte;
  for (int value = 0; value < 256; ++value) every_byte += static_cast<char>(value);

  ScenarioResult scenario;
  scenario.id = "escaping/all-bytes";
  scenario.title = "Every byte value in captured text";
  scenario.verdict = Verdict::kFail;
  scenario.reason = "all-bytes: " + every_byte;
  scenario.checks = {check("all-bytes", Level::kMust, Verdict::kFail, every_byte, every_byte)};
  scenario.client = exited(2, false, every_byte, every_byte, 1.0);

  ExchangeRecord exchange;
  exchange.server = "registry";
  exchange.kind = "http";
  exchange.method = "GET";
  exchange.target = every_byte;
  exchange.headers = {{every_byte, every_byte}};
  exchange.body = every_byte;
  exchange.status = 400;
  scenario.exchanges = {exchange};

  scenario.wall_ms = 1.0;
  return scenario;
}

}  // namespace loginspec::reports::testing
