// Runs scenarios against one client adapter and grades each one.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/adapter.h"
#include "harness/checks.h"
#include "harness/scenario.h"
#include "mocks/transcript.h"
#include "reports/result.h"

namespace loginspec::harness {

struct RunOptions {
  bool strict = false;         // SHOULD violations become FAIL
  bool show_secrets = false;   // keep secrets in results (never the default)
  bool keep = false;           // keep the private run folder (certificates, client homes)
  std::ostream* console = nullptr;  // one line per scenario as it finishes
  bool color = false;
};

// Replaces every secret in text with "<redacted>".
class Redactor {
 public:
  Redactor(std::vector<std::string> secrets, bool enabled);
  std::string apply(std::string text) const;
  std::string header_value(const std::string& name, const std::string& value) const;

 private:
  std::vector<std::string> secrets_;
  bool enabled_;
};

// Grades a finished login attempt: the default checks plus the scenario's, over the transcript.
// Secrets are redacted unless options.show_secrets. Used by run_scenario and by serve mode.
reports::ScenarioResult evaluate_scenario(const Scenario& scenario, const ScenarioRuntime& runtime,
                                          const std::vector<mocks::RecordedRequest>& transcript,
                                          const LoginAttempt& attempt, const RunOptions& options);

// The values a scenario's results must not show: issued tokens, both passwords and their
// Basic encodings.
std::vector<std::string> scenario_secrets(const Scenario& scenario, const ScenarioRuntime& runtime);

// One recorded request as a report exchange, with secrets redacted by `redactor`.
reports::ExchangeRecord to_exchange(const mocks::RecordedRequest& request, const Redactor& redactor);

reports::ScenarioResult run_scenario(const Scenario& scenario, ClientAdapter& adapter, class TlsMaterialCache& tls,
                                     const std::filesystem::path& run_dir, const RunOptions& options);

reports::RunResult run_scenarios(const std::vector<Scenario>& scenarios, ClientAdapter& adapter, const RunOptions& options);

// Requests the running scenarios to stop (from a signal handler): a client run by the exec
// adapter is ended at once, the in-process reference client finishes its current request
// (its own time limits bound that), and no further scenario starts.
void request_stop();
bool stop_requested();
// The flag behind request_stop(), for waits that must end early (child processes).
const std::atomic<bool>& stop_flag();

}  // namespace loginspec::harness
