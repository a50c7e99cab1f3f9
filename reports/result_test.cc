// Tests of the result model: names, parsing, counts and grading.
#include "reports/result.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "reports/test_support.h"

namespace loginspec::reports {
namespace {

CheckResult make_check(Level level, Verdict verdict, std::string id = "check") {
  return CheckResult{std::move(id), level, verdict, "",
                     "message of " + std::string(to_string(verdict))};
}

TEST(ResultTest, VerdictNamesRoundTrip) {
  for (Verdict verdict : kAllVerdicts) {
    EXPECT_EQ(parse_verdict(to_string(verdict)), verdict) << to_string(verdict);
  }
  EXPECT_EQ(to_string(Verdict::kPass), "PASS");
  EXPECT_EQ(to_string(Verdict::kFail), "FAIL");
  EXPECT_EQ(to_string(Verdict::kWarn), "WARN");
  EXPECT_EQ(to_string(Verdict::kSkip), "SKIP");
  EXPECT_EQ(to_string(Verdict::kError), "ERROR");
}

TEST(ResultTest, LevelNamesRoundTrip) {
  for (Level level : kAllLevels) {
    EXPECT_EQ(parse_level(to_string(level)), level) << to_string(level);
  }
  EXPECT_EQ(to_string(Level::kMust), "MUST");
  EXPECT_EQ(to_string(Level::kShould), "SHOULD");
  EXPECT_EQ(to_string(Level::kInfo), "INFO");
}

TEST(ResultTest, ParseVerdictRejectsUnknownValue) {
  try {
    parse_verdict("pass");
    FAIL() << "lowercase \"pass\" was accepted";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("\"pass\""), std::string::npos) << message;
    EXPECT_NE(message.find("PASS, FAIL, WARN, SKIP, ERROR"), std::string::npos) << message;
  }
  EXPECT_THROW(parse_verdict(""), std::invalid_argument);
}

TEST(ResultTest, ParseLevelRejectsUnknownValue) {
  try {
    parse_level("MAY");
    FAIL() << "\"MAY\" was accepted";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("\"MAY\""), std::string::npos) << message;
    EXPECT_NE(message.find("MUST, SHOULD, INFO"), std::string::npos) << message;
  }
}

TEST(ResultTest, CountsListEveryVerdict) {
  RunResult run;
  const std::map<Verdict, int> empty_counts = run.counts();
  ASSERT_EQ(empty_counts.size(), 5u);
  for (Verdict verdict : kAllVerdicts) EXPECT_EQ(empty_counts.at(verdict), 0);

  for (Verdict verdict : {Verdict::kPass, Verdict::kFail, Verdict::kPass, Verdict::kError}) {
    ScenarioResult scenario;
    scenario.verdict = verdict;
    run.scenarios.push_back(scenario);
  }
  const std::map<Verdict, int> counts = run.counts();
  EXPECT_EQ(counts.at(Verdict::kPass), 2);
  EXPECT_EQ(counts.at(Verdict::kFail), 1);
  EXPECT_EQ(counts.at(Verdict::kWarn), 0);
  EXPECT_EQ(counts.at(Verdict::kSkip), 0);
  EXPECT_EQ(counts.at(Verdict::kError), 1);
}

struct SingleCheckCase {
  Level level;
  Verdict check_verdict;
  Verdict expected;         // scenario verdict when not strict
  Verdict expected_strict;  // scenario verdict when strict
};

// The grading rules of result.h, one check at a time, for every level and verdict.
constexpr SingleCheckCase kSingleCheckCases[] = {
    {Level::kMust, Verdict::kPass, Verdict::kPass, Verdict::kPass},
    {Level::kMust, Verdict::kFail, Verdict::kFail, Verdict::kFail},
    {Level::kMust, Verdict::kWarn, Verdict::kWarn, Verdict::kFail},
    {Level::kMust, Verdict::kSkip, Verdict::kSkip, Verdict::kSkip},
    {Level::kMust, Verdict::kError, Verdict::kError, Verdict::kError},
    {Level::kShould, Verdict::kPass, Verdict::kPass, Verdict::kPass},
    {Level::kShould, Verdict::kFail, Verdict::kWarn, Verdict::kFail},
    {Level::kShould, Verdict::kWarn, Verdict::kWarn, Verdict::kFail},
    {Level::kShould, Verdict::kSkip, Verdict::kSkip, Verdict::kSkip},
    {Level::kShould, Verdict::kError, Verdict::kError, Verdict::kError},
    {Level::kInfo, Verdict::kPass, Verdict::kPass, Verdict::kPass},
    {Level::kInfo, Verdict::kFail, Verdict::kPass, Verdict::kPass},
    {Level::kInfo, Verdict::kWarn, Verdict::kPass, Verdict::kPass},
    {Level::kInfo, Verdict::kSkip, Verdict::kSkip, Verdict::kSkip},
    {Level::kInfo, Verdict::kError, Verdict::kError, Verdict::kError},
};

TEST(ResultTest, GradeSingleCheck) {
  for (const SingleCheckCase& c : kSingleCheckCases) {
    const std::vector<CheckResult> checks = {make_check(c.level, c.check_verdict)};
    EXPECT_EQ(grade(checks, false), c.expected)
        << to_string(c.level) << " " << to_string(c.check_verdict) << " (not strict)";
    EXPECT_EQ(grade(checks, true), c.expected_strict)
        << to_string(c.level) << " " << to_string(c.check_verdict) << " (strict)";
  }
}

// Severity of a scenario verdict in a mix of checks: ERROR > FAIL > WARN > PASS. A SKIP
// check alone decides nothing, so it ranks as PASS here.
int severity(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
    case Verdict::kSkip:
      return 0;
    case Verdict::kWarn:
      return 1;
    case Verdict::kFail:
      return 2;
    case Verdict::kError:
      return 3;
  }
  return -1;
}

TEST(ResultTest, GradeEveryPairOfChecks) {
  for (bool strict : {false, true}) {
    for (const SingleCheckCase& first : kSingleCheckCases) {
      for (const SingleCheckCase& second : kSingleCheckCases) {
        const Verdict first_alone = strict ? first.expected_strict : first.expected;
        const Verdict second_alone = strict ? second.expected_strict : second.expected;
        Verdict expected = Verdict::kPass;
        if (first.check_verdict == Verdict::kSkip && second.check_verdict == Verdict::kSkip) {
          expected = Verdict::kSkip;
        } else if (severity(first_alone) >= severity(second_alone)) {
          expected = first_alone == Verdict::kSkip ? Verdict::kPass : first_alone;
        } else {
          expected = second_alone;
        }

        const std::vector<CheckResult> checks = {make_check(first.level, first.check_verdict),
                                                 make_check(second.level, second.check_verdict)};
        EXPECT_EQ(grade(checks, strict), expected)
            << to_string(first.level) << " " << to_string(first.check_verdict) << " + "
            << to_string(second.level) << " " << to_string(second.check_verdict)
            << (strict ? " (strict)" : " (not strict)");
      }
    }
  }
}

TEST(ResultTest, GradeOrdersErrorFailWarnPass) {
  const std::vector<CheckResult> all = {
      make_check(Level::kMust, Verdict::kPass), make_check(Level::kShould, Verdict::kFail),
      make_check(Level::kMust, Verdict::kFail), make_check(Level::kMust, Verdict::kError)};
  EXPECT_EQ(grade(all, false), Verdict::kError);
  EXPECT_EQ(grade({all.begin(), all.begin() + 3}, false), Verdict::kFail);
  EXPECT_EQ(grade({all.begin(), all.begin() + 2}, false), Verdict::kWarn);
  EXPECT_EQ(grade({all.begin(), all.begin() + 2}, true), Verdict::kFail);
  EXPECT_EQ(grade({all.begin(), all.begin() + 1}, false), Verdict::kPass);
}

TEST(ResultTest, GradeEmptyChecksIsError) {
  EXPECT_EQ(grade({}, false), Verdict::kError);
  EXPECT_EQ(grade({}, true), Verdict::kError);
}

TEST(ResultTest, GradeSkipNeedsEveryCheckSkipped) {
  EXPECT_EQ(
      grade({make_check(Level::kMust, Verdict::kSkip), make_check(Level::kInfo, Verdict::kSkip)},
            false),
      Verdict::kSkip);
  EXPECT_EQ(
      grade({make_check(Level::kMust, Verdict::kSkip), make_check(Level::kInfo, Verdict::kPass)},
            false),
      Verdict::kPass);
  EXPECT_EQ(
      grade({make_check(Level::kMust, Verdict::kSkip), make_check(Level::kInfo, Verdict::kFail)},
            false),
      Verdict::kPass);
}

TEST(ResultTest, GradeScenarioWithoutChecks) {
  ScenarioResult scenario;
  grade_scenario(scenario, false);
  EXPECT_EQ(scenario.verdict, Verdict::kError);
  EXPECT_EQ(scenario.reason, "scenario has no checks");
}

TEST(ResultTest, GradeScenarioNamesFirstMustFailure) {
  ScenarioResult scenario;
  scenario.checks = {make_check(Level::kShould, Verdict::kFail, "should-check"),
                     make_check(Level::kMust, Verdict::kPass, "passing"),
                     make_check(Level::kMust, Verdict::kFail, "must-check")};
  scenario.checks[2].message = "expected a\nfound b";
  grade_scenario(scenario, false);
  EXPECT_EQ(scenario.verdict, Verdict::kFail);
  EXPECT_EQ(scenario.reason, "must-check: expected a found b");
}

TEST(ResultTest, GradeScenarioStrictNamesShouldFailure) {
  ScenarioResult scenario;
  scenario.checks = {make_check(Level::kInfo, Verdict::kFail, "info-check"),
                     make_check(Level::kShould, Verdict::kFail, "should-check")};
  grade_scenario(scenario, true);
  EXPECT_EQ(scenario.verdict, Verdict::kFail);
  EXPECT_EQ(scenario.reason, "should-check: message of FAIL");

  grade_scenario(scenario, false);
  EXPECT_EQ(scenario.verdict, Verdict::kWarn);
  EXPECT_EQ(scenario.reason, "should-check: message of FAIL");
}

TEST(ResultTest, GradeScenarioPassClearsReason) {
  ScenarioResult scenario;
  scenario.reason = "old reason";
  scenario.checks = {make_check(Level::kMust, Verdict::kPass)};
  grade_scenario(scenario, false);
  EXPECT_EQ(scenario.verdict, Verdict::kPass);
  EXPECT_EQ(scenario.reason, "");
}

TEST(ResultTest, DecidingCheckForEachVerdict) {
  ScenarioResult scenario;
  scenario.checks = {make_check(Level::kInfo, Verdict::kSkip, "skipped"),
                     make_check(Level::kShould, Verdict::kWarn, "warned"),
                     make_check(Level::kMust, Verdict::kFail, "failed"),
                     make_check(Level::kInfo, Verdict::kError, "errored")};

  scenario.verdict = Verdict::kPass;
  EXPECT_EQ(deciding_check(scenario), nullptr);
  scenario.verdict = Verdict::kSkip;
  ASSERT_NE(deciding_check(scenario), nullptr);
  EXPECT_EQ(deciding_check(scenario)->id, "skipped");
  scenario.verdict = Verdict::kWarn;
  ASSERT_NE(deciding_check(scenario), nullptr);
  EXPECT_EQ(deciding_check(scenario)->id, "warned");
  scenario.verdict = Verdict::kFail;
  ASSERT_NE(deciding_check(scenario), nullptr);
  EXPECT_EQ(deciding_check(scenario)->id, "failed");
  scenario.verdict = Verdict::kError;
  ASSERT_NE(deciding_check(scenario), nullptr);
  EXPECT_EQ(deciding_check(scenario)->id, "errored");
}

TEST(ResultTest, DecidingCheckMissingForHarnessError) {
  ScenarioResult scenario;
  scenario.verdict = Verdict::kError;
  scenario.reason = "client not found";
  scenario.checks = {make_check(Level::kMust, Verdict::kPass)};
  EXPECT_EQ(deciding_check(scenario), nullptr);
}

// The golden files are only meaningful if the sample run could come from the harness: its
// verdicts follow grade(), and reasons for FAIL and WARN are what grade_scenario() writes.
TEST(ResultTest, SampleRunIsGradedConsistently) {
  const RunResult run = testing::sample_run();
  for (const ScenarioResult& scenario : run.scenarios) {
    ScenarioResult regraded = scenario;
    grade_scenario(regraded, run.strict);
    EXPECT_EQ(regraded.verdict, scenario.verdict) << scenario.id;
    if (scenario.verdict != Verdict::kSkip && scenario.verdict != Verdict::kError) {
      EXPECT_EQ(regraded.reason, scenario.reason) << scenario.id;
    }
  }
}

}  // namespace
}  // namespace loginspec::reports
