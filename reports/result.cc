// Names, parsing and grading for the result model in result.h.
#include "reports/result.h"

#include <stdexcept>
#include <string>

namespace loginspec::reports {

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kMust:
      return "MUST";
    case Level::kShould:
      return "SHOULD";
    case Level::kInfo:
      return "INFO";
  }
  return "UNKNOWN-LEVEL";
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kWarn:
      return "WARN";
    case Verdict::kSkip:
      return "SKIP";
    case Verdict::kError:
      return "ERROR";
  }
  return "UNKNOWN-VERDICT";
}

Verdict parse_verdict(std::string_view text) {
  for (Verdict verdict : kAllVerdicts) {
    if (text == to_string(verdict)) return verdict;
  }
  throw std::invalid_argument("invalid verdict \"" + std::string(text) +
                              "\": expected one of PASS, FAIL, WARN, SKIP, ERROR");
}

Level parse_level(std::string_view text) {
  for (Level level : kAllLevels) {
    if (text == to_string(level)) return level;
  }
  throw std::invalid_argument("invalid level \"" + std::string(text) +
                              "\": expected one of MUST, SHOULD, INFO");
}

std::map<Verdict, int> RunResult::counts() const {
  std::map<Verdict, int> result;
  for (Verdict verdict : kAllVerdicts) result[verdict] = 0;
  for (const ScenarioResult& scenario : scenarios) ++result[scenario.verdict];
  return result;
}

Verdict check_effect(const CheckResult& check, bool strict) {
  if (check.verdict == Verdict::kError) return Verdict::kError;
  if (check.verdict == Verdict::kPass || check.verdict == Verdict::kSkip) return check.verdict;
  if (check.level == Level::kInfo) return Verdict::kPass;

  // The check failed or warned. Only a failed MUST check fails the scenario outright.
  if (check.level == Level::kMust && check.verdict == Verdict::kFail) return Verdict::kFail;
  return strict ? Verdict::kFail : Verdict::kWarn;
}

Verdict grade(const std::vector<CheckResult>& checks, bool strict) {
  if (checks.empty()) return Verdict::kError;

  bool any_fail = false;
  bool any_warn = false;
  bool all_skip = true;
  for (const CheckResult& check : checks) {
    const Verdict effect = check_effect(check, strict);
    if (effect == Verdict::kError) return Verdict::kError;
    any_fail = any_fail || effect == Verdict::kFail;
    any_warn = any_warn || effect == Verdict::kWarn;
    all_skip = all_skip && check.verdict == Verdict::kSkip;
  }

  if (any_fail) return Verdict::kFail;
  if (any_warn) return Verdict::kWarn;
  if (all_skip) return Verdict::kSkip;
  return Verdict::kPass;
}

namespace {

bool is_failed_or_warned(const CheckResult& check) {
  return check.level != Level::kInfo &&
         (check.verdict == Verdict::kFail || check.verdict == Verdict::kWarn);
}

const CheckResult* find_check(const ScenarioResult& scenario, bool (*matches)(const CheckResult&)) {
  for (const CheckResult& check : scenario.checks) {
    if (matches(check)) return &check;
  }
  return nullptr;
}

}  // namespace

const CheckResult* deciding_check(const ScenarioResult& scenario) {
  switch (scenario.verdict) {
    case Verdict::kPass:
      return nullptr;
    case Verdict::kError:
      return find_check(scenario,
                        [](const CheckResult& check) { return check.verdict == Verdict::kError; });
    case Verdict::kSkip:
      return find_check(scenario,
                        [](const CheckResult& check) { return check.verdict == Verdict::kSkip; });
    case Verdict::kFail: {
      const CheckResult* must_failure = find_check(scenario, [](const CheckResult& check) {
        return check.level == Level::kMust && check.verdict == Verdict::kFail;
      });
      if (must_failure != nullptr) return must_failure;
      return find_check(scenario, is_failed_or_warned);
    }
    case Verdict::kWarn:
      return find_check(scenario, is_failed_or_warned);
  }
  return nullptr;
}

void grade_scenario(ScenarioResult& scenario, bool strict) {
  scenario.verdict = grade(scenario.checks, strict);
  if (scenario.checks.empty()) {
    scenario.reason = std::string(kNoChecksReason);
    return;
  }

  const CheckResult* check = deciding_check(scenario);
  if (check == nullptr) {
    scenario.reason.clear();
    return;
  }

  // The reason is documented as one line, so line breaks in the message become spaces.
  std::string reason = check->id + ": " + check->message;
  for (char& c : reason) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  scenario.reason = std::move(reason);
}

}  // namespace loginspec::reports
