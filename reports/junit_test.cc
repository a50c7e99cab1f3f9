// Tests of the JUnit report beyond the golden file: strict mode, escaping, structure.
#include "reports/junit.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "reports/test_support.h"

namespace loginspec::reports {
namespace {

std::string junit_for(const RunResult& run) {
  std::ostringstream out;
  write_junit(out, run);
  return out.str();
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t pos = text.find(part); pos != std::string::npos;
       pos = text.find(part, pos + 1)) {
    ++count;
  }
  return count;
}

RunResult one_scenario_run(ScenarioResult scenario, bool strict) {
  RunResult run;
  run.tool_version = "0.1.0";
  run.client_name = "podman";
  run.strict = strict;
  run.scenarios = {std::move(scenario)};
  return run;
}

ScenarioResult should_failure_scenario(Verdict verdict) {
  ScenarioResult scenario;
  scenario.id = "bearer/token-reuse";
  scenario.verdict = verdict;
  scenario.checks = {{"token-reused", Level::kShould, Verdict::kFail, "", "second token request"},
                     {"token-sent", Level::kMust, Verdict::kPass, "", "ok"}};
  return scenario;
}

TEST(JunitTest, SuiteCountsMatchVerdicts) {
  const std::string xml = junit_for(testing::sample_run());
  EXPECT_NE(xml.find("<testsuite name=\"loginspec.skopeo\" tests=\"7\" failures=\"2\" errors=\"1\" "
                     "skipped=\"1\" time=\"30.131\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count_of(xml, "<testcase "), 7u);
  EXPECT_EQ(count_of(xml, "<failure "), 2u);
  EXPECT_EQ(count_of(xml, "<error "), 1u);
  EXPECT_EQ(count_of(xml, "<skipped "), 1u);
}

TEST(JunitTest, ClassnameUsesFamily) {
  const std::string xml = junit_for(testing::sample_run());
  EXPECT_NE(
      xml.find("<testcase classname=\"loginspec.skopeo.tls\" name=\"tls/expired-certificate\" "
               "time=\"0.031\">"),
      std::string::npos)
      << xml;
}

TEST(JunitTest, WarnPassesWithWarningsInSystemOut) {
  const std::string xml =
      junit_for(one_scenario_run(should_failure_scenario(Verdict::kWarn), false));
  EXPECT_EQ(count_of(xml, "<failure"), 0u) << xml;
  EXPECT_NE(xml.find("<system-out>Warnings:\n[SHOULD] token-reused: second token request\n"),
            std::string::npos)
      << xml;
}

TEST(JunitTest, StrictListsShouldFailureInBody) {
  const std::string xml =
      junit_for(one_scenario_run(should_failure_scenario(Verdict::kFail), true));
  EXPECT_NE(
      xml.find("<failure message=\"token-reused: second token request\" type=\"token-reused\">"
               "[SHOULD] token-reused: second token request\n</failure>"),
      std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("Warnings:"), std::string::npos) << xml;
}

TEST(JunitTest, FailureBodyListsEveryMustFailure) {
  ScenarioResult scenario;
  scenario.id = "basic/two-failures";
  scenario.verdict = Verdict::kFail;
  scenario.checks = {{"first", Level::kMust, Verdict::kFail, "RFC 7617 \u00a72", "one"},
                     {"second", Level::kMust, Verdict::kFail, "", "two"},
                     {"info", Level::kInfo, Verdict::kFail, "", "ignored"}};
  const std::string xml = junit_for(one_scenario_run(scenario, false));
  EXPECT_NE(xml.find("<failure message=\"first: one\" type=\"first\">"
                     "[MUST] first (RFC 7617 \u00a72): one\n[MUST] second: two\n</failure>"),
            std::string::npos)
      << xml;
}

TEST(JunitTest, AttributesEscapeLineBreaks) {
  ScenarioResult scenario;
  scenario.id = "basic/multi-line";
  scenario.verdict = Verdict::kFail;
  scenario.checks = {{"check", Level::kMust, Verdict::kFail, "", "a\nb\t\"c\""}};
  const std::string xml = junit_for(one_scenario_run(scenario, false));
  EXPECT_NE(xml.find("message=\"check: a&#10;b&#9;&quot;c&quot;\""), std::string::npos) << xml;
}

TEST(JunitTest, NoRawForbiddenBytes) {
  RunResult run = testing::sample_run();
  run.scenarios.push_back(testing::all_bytes_scenario());
  const std::string xml = junit_for(run);
  for (char c : xml) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed_control = byte == '\t' || byte == '\n';
    EXPECT_TRUE(byte >= 0x20 || allowed_control) << "raw control byte " << int(byte);
  }
  EXPECT_NE(xml.find("\\x00\\x01\\x02"), std::string::npos);
  EXPECT_NE(xml.find("&amp;&apos;()"), std::string::npos);
}

TEST(JunitTest, CapsClientOutput) {
  ScenarioResult scenario;
  scenario.id = "basic/noisy";
  scenario.verdict = Verdict::kPass;
  scenario.checks = {{"check", Level::kMust, Verdict::kPass, "", "ok"}};
  scenario.client.ran = true;
  scenario.client.stderr_text = std::string(kMaxJunitOutputBytes + 10, 'x');
  const std::string xml = junit_for(one_scenario_run(scenario, false));
  EXPECT_NE(xml.find("[... 10 more bytes not shown]</system-err>"), std::string::npos);
}

TEST(JunitTest, SkippedCarriesReason) {
  const std::string xml = junit_for(testing::sample_run());
  EXPECT_NE(xml.find("<skipped message=\"client has no option for a client certificate\"/>"),
            std::string::npos)
      << xml;
}

}  // namespace
}  // namespace loginspec::reports
