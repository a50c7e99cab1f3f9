// Console report: per-scenario lines and the end-of-run summary.
#include "reports/console.h"

#include <string>
#include <string_view>
#include <vector>

#include "reports/text.h"

namespace loginspec::reports {

namespace {

constexpr std::string_view kDash = " \u2014 ";  // em dash between a line and its detail
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::size_t kVerdictWidth = 5;  // length of "ERROR", the longest verdict
constexpr std::string_view kCheckIndent = "        ";

std::string_view ansi_color(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "\x1b[32m";  // green
    case Verdict::kFail:
      return "\x1b[31m";  // red
    case Verdict::kWarn:
      return "\x1b[33m";  // yellow
    case Verdict::kSkip:
      return "\x1b[36m";  // cyan
    case Verdict::kError:
      return "\x1b[35m";  // magenta
  }
  return "";
}

// The verdict padded to kVerdictWidth plus one space, so scenario ids line up.
void write_verdict(std::ostream& out, Verdict verdict, bool color) {
  const std::string_view name = to_string(verdict);
  if (color) {
    out << ansi_color(verdict) << name << kReset;
  } else {
    out << name;
  }
  out << std::string(kVerdictWidth - name.size() + 1, ' ');
}

std::string check_summary(const CheckResult& check) { return check.id + ": " + check.message; }

// Text after the dash on a scenario line: for SKIP and ERROR the reason comes first, because
// the harness sets those verdicts for causes outside the checks (client missing, timeout).
std::string line_detail(const ScenarioResult& scenario) {
  if (scenario.verdict == Verdict::kPass) return "";

  const bool prefer_reason =
      scenario.verdict == Verdict::kSkip || scenario.verdict == Verdict::kError;
  if (prefer_reason && !scenario.reason.empty()) return scenario.reason;

  const CheckResult* check = deciding_check(scenario);
  if (check != nullptr) return check_summary(*check);
  return scenario.reason;
}

// Writes text with each line after the first indented by `indent`.
void write_indented(std::ostream& out, std::string_view text, std::string_view indent) {
  for (char c : text) {
    out << c;
    if (c == '\n') out << indent;
  }
}

void write_failed_scenario(std::ostream& out, const ScenarioResult& scenario, bool strict) {
  out << "  ";
  write_verdict(out, scenario.verdict, false);
  out << terminal_text(scenario.id, LineBreaks::kEscape);
  if (scenario.known_failure) out << "  (known)";
  out << '\n';

  std::vector<const CheckResult*> failed_checks;
  for (const CheckResult& check : scenario.checks) {
    const Verdict effect = check_effect(check, strict);
    if (effect == Verdict::kError || effect == Verdict::kFail || effect == Verdict::kWarn) {
      failed_checks.push_back(&check);
    }
  }

  // The reason is shown unless it is the one-line summary of the first failed check, which
  // grade_scenario() writes as "<check id>: <message>".
  const bool reason_repeats_check =
      !failed_checks.empty() && scenario.reason.starts_with(failed_checks.front()->id + ": ");
  if (!scenario.reason.empty() && !reason_repeats_check) {
    out << kCheckIndent;
    write_indented(out, terminal_text(scenario.reason, LineBreaks::kKeep), kCheckIndent);
    out << '\n';
  }

  for (const CheckResult* check : failed_checks) {
    out << kCheckIndent << '[' << to_string(check->level) << ' ' << to_string(check->verdict)
        << "] " << terminal_text(check->id, LineBreaks::kEscape);
    if (!check->spec.empty()) out << " (" << terminal_text(check->spec, LineBreaks::kEscape) << ')';
    out << ": ";
    write_indented(out, terminal_text(check->message, LineBreaks::kKeep), kCheckIndent);
    out << '\n';
  }
}

}  // namespace

void write_console_line(std::ostream& out, const ScenarioResult& scenario, bool color) {
  write_verdict(out, scenario.verdict, color);
  out << terminal_text(scenario.id, LineBreaks::kEscape) << "  ("
      << format_fixed(scenario.wall_ms, 0) << " ms";
  if (scenario.known_failure) out << ", known failure";
  if (scenario.stale_baseline_entry) out << ", stale baseline entry";
  out << ')';

  const std::string detail = line_detail(scenario);
  if (!detail.empty()) out << kDash << terminal_text(detail, LineBreaks::kEscape);
  out << '\n';
}

void write_console_summary(std::ostream& out, const RunResult& run) {
  const std::map<Verdict, int> counts = run.counts();
  int known_failures = 0;
  for (const ScenarioResult& scenario : run.scenarios) {
    if (scenario.known_failure) ++known_failures;
  }

  out << "Scenarios: " << run.scenarios.size();
  for (Verdict verdict : kAllVerdicts) {
    out << "   " << to_string(verdict) << ' ' << counts.at(verdict);
  }
  if (known_failures > 0) out << "   (" << known_failures << " known)";
  out << '\n';

  const std::string client_name = run.client_name.empty() ? "unknown client" : run.client_name;
  const std::string client_version =
      run.client_version.empty() ? "(version unknown)" : run.client_version;
  out << "Client:    " << terminal_text(client_name, LineBreaks::kEscape) << ' '
      << terminal_text(client_version, LineBreaks::kEscape) << '\n';
  out << "Tool:      loginspec " << terminal_text(run.tool_version, LineBreaks::kEscape)
      << (run.strict ? ", strict: SHOULD failures count as FAIL" : "") << '\n';
  out << "Wall time: " << format_fixed(run.wall_ms / 1000.0, 2) << " s\n";
  if (run.interrupted) {
    out << "Interrupted: " << run.scenarios.size() << " of " << run.selected << " scenarios ran\n";
  }

  bool any_failed = false;
  for (const ScenarioResult& scenario : run.scenarios) {
    if (scenario.verdict != Verdict::kFail && scenario.verdict != Verdict::kError) continue;
    if (!any_failed) out << "\nFailures and errors:\n";
    any_failed = true;
    write_failed_scenario(out, scenario, run.strict);
  }
  if (!any_failed) out << "\nNo failures or errors.\n";

  bool any_stale = false;
  for (const ScenarioResult& scenario : run.scenarios) {
    if (!scenario.stale_baseline_entry) continue;
    if (!any_stale) out << "\nStale baseline entries (listed as failing, but did not fail):\n";
    any_stale = true;
    out << "  " << terminal_text(scenario.id, LineBreaks::kEscape) << "  now "
        << to_string(scenario.verdict) << '\n';
  }
}

}  // namespace loginspec::reports
