// The runner: per scenario, fresh servers, one login attempt, checks over the recorded facts.
#include "harness/runner.h"

#include <atomic>
#include <chrono>
#include <ctime>

#include "harness/checks.h"
#include "harness/environment.h"
#include "mocks/script.h"
#include "protocol/basic.h"
#include "protocol/challenge.h"
#include "reports/console.h"

#ifndef LOGINSPEC_VERSION
#define LOGINSPEC_VERSION "0.0.0"
#endif

namespace loginspec::harness {

namespace {

std::atomic<bool> g_stop{false};

}  // namespace

reports::ExchangeRecord to_exchange(const mocks::RecordedRequest& request, const Redactor& redactor) {
  reports::ExchangeRecord record;
  record.server = request.server;
  record.kind = std::string(mocks::to_string(request.kind));
  record.method = request.method;
  record.target = redactor.apply(request.kind == mocks::RequestKind::kHttp ? request.target : request.detail);
  for (const auto& header : request.headers) {
    record.headers.emplace_back(header.name, redactor.header_value(header.name, header.value));
  }
  record.body = redactor.apply(request.body);
  record.status = request.status;
  record.at_ms = request.at_ms;
  return record;
}

std::vector<std::string> scenario_secrets(const Scenario& scenario, const ScenarioRuntime& runtime) {
  std::vector<std::string> secrets = runtime.secrets();
  secrets.push_back(scenario.login_password);
  secrets.push_back(protocol::base64_encode(scenario.login_username + ":" + scenario.login_password));
  secrets.push_back(protocol::base64_encode(scenario.username + ":" + scenario.password));
  return secrets;
}

void request_stop() { g_stop = true; }
bool stop_requested() { return g_stop; }
const std::atomic<bool>& stop_flag() { return g_stop; }

Redactor::Redactor(std::vector<std::string> secrets, bool enabled) : enabled_(enabled) {
  for (auto& secret : secrets) {
    if (secret.size() < 3) continue;
    std::string encoded = mocks::percent_encode(secret);
    secrets_.push_back(secret);
    if (encoded != secret) secrets_.push_back(encoded);
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::apply(std::string text) const {
  if (!enabled_) return text;
  for (const auto& secret : secrets_) {
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "<redacted>");
    }
  }
  return text;
}

std::string Redactor::header_value(const std::string& name, const std::string& value) const {
  if (!enabled_) return value;
  bool credentials = protocol::iequals(name, "Authorization") || protocol::iequals(name, "Proxy-Authorization");
  if (credentials) {
    std::size_t space = value.find(' ');
    return space == std::string::npos ? "<redacted>" : value.substr(0, space) + " <redacted>";
  }
  return apply(value);
}

reports::ScenarioResult run_scenario(const Scenario& scenario, ClientAdapter& adapter, TlsMaterialCache& tls,
                                     const std::filesystem::path& run_dir, const RunOptions& options) {
  auto start = std::chrono::steady_clock::now();
  reports::ScenarioResult result;
  result.id = scenario.id;
  result.title = scenario.title;
  result.spec = scenario.spec;
  result.tags = scenario.tags;
  auto finish = [&](reports::Verdict verdict, std::string reason) {
    result.verdict = verdict;
    result.reason = std::move(reason);
    result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
  };

  for (const auto& capability : scenario.requires_capabilities) {
    if (auto reason = adapter.unsupported(capability)) {
      return finish(reports::Verdict::kSkip, "needs " + capability + ": " + *reason);
    }
  }

  std::filesystem::path work_dir = run_dir / scenario.id;
  std::error_code error;
  std::filesystem::create_directories(work_dir, error);
  std::filesystem::permissions(work_dir, std::filesystem::perms::owner_all, error);

  std::unique_ptr<ScenarioEnvironment> environment;
  try {
    environment = std::make_unique<ScenarioEnvironment>(scenario, tls, work_dir);
  } catch (const std::exception& start_error) {
    return finish(reports::Verdict::kError, std::string("harness could not start the servers: ") + start_error.what());
  }

  LoginAttempt attempt = adapter.login(environment->login_request());
  environment->stop();
  reports::ScenarioResult graded = evaluate_scenario(scenario, environment->runtime(), environment->transcript(),
                                                     attempt, options);
  graded.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return graded;
}

reports::ScenarioResult evaluate_scenario(const Scenario& scenario, const ScenarioRuntime& runtime,
                                          const std::vector<mocks::RecordedRequest>& transcript,
                                          const LoginAttempt& attempt, const RunOptions& options) {
  reports::ScenarioResult result;
  result.id = scenario.id;
  result.title = scenario.title;
  result.spec = scenario.spec;
  result.tags = scenario.tags;

  Redactor redactor(scenario_secrets(scenario, runtime), !options.show_secrets);

  result.client = attempt.outcome;
  result.client.stdout_text = redactor.apply(attempt.outcome.stdout_text);
  result.client.stderr_text = redactor.apply(attempt.outcome.stderr_text);
  for (const auto& request : transcript) result.exchanges.push_back(to_exchange(request, redactor));

  if (!attempt.harness_error.empty()) {
    result.verdict = reports::Verdict::kError;
    result.reason = redactor.apply(attempt.harness_error);
    return result;
  }

  CheckContext context{scenario, runtime, transcript, attempt, scenario.login_password};
  std::vector<std::pair<std::string, nlohmann::json>> to_run;
  for (const auto& id : default_check_ids()) to_run.emplace_back(id, nlohmann::json::object());
  for (const auto& check : scenario.checks) {
    auto existing = std::find_if(to_run.begin(), to_run.end(), [&](const auto& item) { return item.first == check.id; });
    if (existing != to_run.end()) existing->second = check.params;
    else to_run.emplace_back(check.id, check.params);
  }
  for (const auto& [id, params] : to_run) {
    const CheckDefinition* definition = find_check(id);
    reports::CheckResult check = run_check(*definition, context, params, options.strict);
    check.message = redactor.apply(check.message);
    result.checks.push_back(std::move(check));
  }

  result.verdict = reports::grade(result.checks, options.strict);
  for (const auto& check : result.checks) {
    if (check.verdict == result.verdict && result.verdict != reports::Verdict::kPass) {
      result.reason = check.id + ": " + check.message;
      break;
    }
  }
  return result;
}

reports::RunResult run_scenarios(const std::vector<Scenario>& scenarios, ClientAdapter& adapter, const RunOptions& options) {
  auto start = std::chrono::steady_clock::now();
  reports::RunResult run;
  run.tool_version = LOGINSPEC_VERSION;
  run.client_name = adapter.name();
  run.client_version = adapter.version();
  run.started_at = mocks::rfc3339_now();
  run.strict = options.strict;
  run.selected = static_cast<int>(scenarios.size());

  std::filesystem::path run_dir = make_private_directory("loginspec-");
  {
    TlsMaterialCache tls(run_dir);
    for (const auto& scenario : scenarios) {
      if (stop_requested()) break;
      reports::ScenarioResult result = run_scenario(scenario, adapter, tls, run_dir, options);
      if (options.console != nullptr) reports::write_console_line(*options.console, result, options.color);
      run.scenarios.push_back(std::move(result));
    }
  }
  if (options.keep) {
    if (options.console != nullptr) *options.console << "kept the run folder " << run_dir.string() << "\n";
  } else {
    std::error_code error;
    std::filesystem::remove_all(run_dir, error);
  }
  run.interrupted = stop_requested();
  run.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace loginspec::harness
