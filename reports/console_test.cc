// Tests of the console report beyond the golden file: colors, one-line output, edge cases.
#include "reports/console.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "reports/test_support.h"

namespace loginspec::reports {
namespace {

std::string line_for(const ScenarioResult& scenario, bool color) {
  std::ostringstream out;
  write_console_line(out, scenario, color);
  return out.str();
}

std::string summary_for(const RunResult& run) {
  std::ostringstream out;
  write_console_summary(out, run);
  return out.str();
}

ScenarioResult passing_scenario() {
  ScenarioResult scenario;
  scenario.id = "bearer/happy-path";
  scenario.verdict = Verdict::kPass;
  scenario.checks = {{"token-sent", Level::kMust, Verdict::kPass, "", "ok"}};
  scenario.wall_ms = 23.4;
  return scenario;
}

TEST(ConsoleTest, PassLine) {
  EXPECT_EQ(line_for(passing_scenario(), false), "PASS  bearer/happy-path  (23 ms)\n");
}

TEST(ConsoleTest, ColorWrapsOnlyVerdict) {
  EXPECT_EQ(line_for(passing_scenario(), true),
            "\x1b[32mPASS\x1b[0m  bearer/happy-path  (23 ms)\n");

  ScenarioResult failing = passing_scenario();
  failing.verdict = Verdict::kFail;
  failing.checks[0].verdict = Verdict::kFail;
  EXPECT_EQ(line_for(failing, true).rfind("\x1b[31mFAIL\x1b[0m  bearer/happy-path", 0), 0u);
}

TEST(ConsoleTest, FailLineIsOneLine) {
  ScenarioResult scenario = passing_scenario();
  scenario.verdict = Verdict::kFail;
  scenario.checks.push_back(
      {"scope", Level::kMust, Verdict::kFail, "", "expected\r\npull\nfound \x1b[2J"});
  const std::string line = line_for(scenario, false);
  EXPECT_EQ(line,
            "FAIL  bearer/happy-path  (23 ms) \u2014 scope: expected\\npull\\nfound \\x1B[2J\n");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(ConsoleTest, ErrorLinePrefersReason) {
  ScenarioResult scenario = passing_scenario();
  scenario.verdict = Verdict::kError;
  scenario.reason = "client binary not found: /usr/bin/skopeo";
  EXPECT_EQ(line_for(scenario, false),
            "ERROR bearer/happy-path  (23 ms) \u2014 client binary not found: /usr/bin/skopeo\n");
}

TEST(ConsoleTest, SkipLineWithoutReasonUsesCheck) {
  ScenarioResult scenario = passing_scenario();
  scenario.verdict = Verdict::kSkip;
  scenario.checks[0].verdict = Verdict::kSkip;
  scenario.checks[0].message = "needs IPv6";
  EXPECT_EQ(line_for(scenario, false),
            "SKIP  bearer/happy-path  (23 ms) \u2014 token-sent: needs IPv6\n");
}

TEST(ConsoleTest, SummaryWithoutFailures) {
  RunResult run;
  run.tool_version = "0.1.0";
  run.client_name = "docker";
  run.wall_ms = 1500;
  run.scenarios = {passing_scenario()};
  EXPECT_EQ(summary_for(run),
            "Scenarios: 1   PASS 1   FAIL 0   WARN 0   SKIP 0   ERROR 0\n"
            "Client:    docker (version unknown)\n"
            "Tool:      loginspec 0.1.0\n"
            "Wall time: 1.50 s\n"
            "\n"
            "No failures or errors.\n");
}

TEST(ConsoleTest, SummaryStrictListsShouldFailures) {
  RunResult run;
  run.strict = true;
  ScenarioResult scenario = passing_scenario();
  scenario.verdict = Verdict::kFail;
  scenario.checks.push_back(
      {"cache-token", Level::kShould, Verdict::kFail, "", "token not reused"});
  run.scenarios = {scenario};
  const std::string summary = summary_for(run);
  EXPECT_NE(summary.find("strict: SHOULD failures count as FAIL"), std::string::npos) << summary;
  EXPECT_NE(summary.find("        [SHOULD FAIL] cache-token: token not reused\n"),
            std::string::npos)
      << summary;
}

TEST(ConsoleTest, SummaryIndentsMultiLineMessages) {
  RunResult run;
  ScenarioResult scenario = passing_scenario();
  scenario.verdict = Verdict::kFail;
  scenario.checks[0] = {"scope", Level::kMust, Verdict::kFail, "", "first line\nsecond line"};
  run.scenarios = {scenario};
  const std::string summary = summary_for(run);
  EXPECT_NE(summary.find("        [MUST FAIL] scope: first line\n        second line\n"),
            std::string::npos)
      << summary;
}

TEST(ConsoleTest, SummaryMarksKnownAndStale) {
  const std::string summary = summary_for(testing::sample_run());
  EXPECT_NE(summary.find("  FAIL  bearer/wrong-scope  (known)\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("  FAIL  basic/over-plain-http\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("  basic/happy-path  now PASS\n"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("tls/expired-certificate"), std::string::npos)
      << "WARN scenarios are not listed with failures:\n"
      << summary;
}

}  // namespace
}  // namespace loginspec::reports
