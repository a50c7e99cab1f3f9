// The result model of a run: what the harness fills in and every report reads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loginspec::reports {

enum class Level { kMust, kShould, kInfo };
enum class Verdict { kPass, kFail, kWarn, kSkip, kError };

std::string_view to_string(Level level);      // "MUST", "SHOULD", "INFO"
std::string_view to_string(Verdict verdict);  // "PASS", "FAIL", "WARN", "SKIP", "ERROR"

struct CheckResult {
  std::string id;         // e.g. "token-request-service"
  Level level = Level::kMust;
  Verdict verdict = Verdict::kPass;
  std::string spec;       // clause it enforces, e.g. "RFC 6750 §3"
  std::string message;    // what was expected, what was found (secrets already redacted)

  bool operator==(const CheckResult&) const = default;
};

// One request as the mocks recorded it, already redacted.
struct ExchangeRecord {
  std::string server;     // "registry" or "auth"
  std::string kind;       // "http", "tls-on-plain-port", "plain-on-tls-port", "tls-handshake-failed"
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;         // 0 when nothing was answered
  double at_ms = 0;       // since the scenario started

  bool operator==(const ExchangeRecord&) const = default;
};

struct ClientOutcome {
  bool ran = false;
  bool reported_success = false;
  int exit_code = -1;
  std::string signal;     // e.g. "SIGKILL" when the client died from a signal
  bool timed_out = false;
  std::string stdout_text;  // capped and redacted
  std::string stderr_text;  // capped and redacted
  double wall_ms = 0;

  bool operator==(const ClientOutcome&) const = default;
};

struct ScenarioResult {
  std::string id;         // e.g. "bearer/happy-path"
  std::string title;
  std::vector<std::string> spec;
  std::vector<std::string> tags;
  Verdict verdict = Verdict::kPass;
  std::string reason;     // for SKIP and ERROR; also a one-line summary of the first FAIL
  std::vector<CheckResult> checks;
  ClientOutcome client;
  std::vector<ExchangeRecord> exchanges;
  double wall_ms = 0;
  // Baseline bookkeeping: set when the scenario's failure is listed in the client's baseline.
  bool known_failure = false;
  bool stale_baseline_entry = false;

  bool operator==(const ScenarioResult&) const = default;
};

struct RunResult {
  std::string tool_version;   // loginspec version
  std::string client_name;    // e.g. "skopeo"
  std::string client_version; // as the client printed it, or "" when unknown
  std::string started_at;     // RFC 3339 UTC
  double wall_ms = 0;
  bool strict = false;
  bool interrupted = false;   // the run was stopped (SIGINT/SIGTERM) before every scenario ran
  int selected = 0;           // scenarios selected for the run; more than scenarios.size() when interrupted
  std::vector<ScenarioResult> scenarios;

  // Number of scenarios per verdict. Every verdict is a key, with 0 when no scenario has it.
  std::map<Verdict, int> counts() const;

  bool operator==(const RunResult&) const = default;
};

// Verdict of a scenario from its checks: any ERROR -> ERROR, any MUST failure -> FAIL,
// any SHOULD failure -> WARN (FAIL when strict), else PASS. INFO never grades.
// In detail: an ERROR from a check of any level, INFO included, makes the scenario ERROR,
// because that check could not be evaluated. A check whose own verdict is WARN counts as
// a SHOULD failure. Strict mode turns every WARN into FAIL. The scenario is SKIP when
// there is at least one check and every check is SKIP, and ERROR when there are no checks.
Verdict grade(const std::vector<CheckResult>& checks, bool strict);

// Reason given to a scenario that has no checks.
inline constexpr std::string_view kNoChecksReason = "scenario has no checks";

// Verdict that one check contributes to its scenario under the rules of grade().
// INFO checks contribute PASS or SKIP unless they are ERROR.
Verdict check_effect(const CheckResult& check, bool strict);

// Sets scenario.verdict from its checks with grade(), and scenario.reason to the one-line
// explanation of that verdict: kNoChecksReason, or "<check id>: <message>" of the first
// check behind a FAIL, WARN, ERROR or SKIP. A PASS gets an empty reason.
void grade_scenario(ScenarioResult& scenario, bool strict);

// First check that explains scenario.verdict, or nullptr when none does (PASS, or a
// verdict the harness set without a check, such as ERROR for a client that never started).
// Works from the stored verdict alone, so it needs no strict flag: a FAIL prefers a failed
// MUST check and falls back to a failed or warned SHOULD check, which strict mode grades FAIL.
const CheckResult* deciding_check(const ScenarioResult& scenario);

// Parses "PASS", "FAIL", "WARN", "SKIP", "ERROR" (exact case). Throws std::invalid_argument
// naming the value and the allowed ones.
Verdict parse_verdict(std::string_view text);

// Parses "MUST", "SHOULD", "INFO" (exact case). Throws std::invalid_argument naming the
// value and the allowed ones.
Level parse_level(std::string_view text);

// Every verdict and level in declaration order, for loops and tables.
inline constexpr Verdict kAllVerdicts[] = {Verdict::kPass, Verdict::kFail, Verdict::kWarn,
                                           Verdict::kSkip, Verdict::kError};
inline constexpr Level kAllLevels[] = {Level::kMust, Level::kShould, Level::kInfo};

}  // namespace loginspec::reports
