// Tests for the scenario loader: each kind of bad input gives file, JSON pointer, expected, found.
#include "harness/scenario_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace loginspec::harness {
namespace {

using ::testing::HasSubstr;

ScenarioError load_error(const std::string& text) {
  try {
    parse_scenario(text, "scenarios/x/bad.json", "x/bad");
  } catch (const ScenarioError& error) {
    return error;
  }
  ADD_FAILURE() << "no error for: " << text;
  return ScenarioError("", "", "", "");
}

constexpr const char* kMinimal = R"({"title": "t", "spec": ["RFC 6750 §3"], "registry": {}, "auth": {}})";

TEST(ScenarioLoaderTest, LoadsMinimalScenarioWithDefaults) {
  Scenario scenario = parse_scenario(kMinimal, "f.json", "family/name");
  EXPECT_EQ(scenario.id, "family/name");
  EXPECT_EQ(scenario.registry.auth, RegistryAuth::kBearer);
  EXPECT_EQ(scenario.registry.tls, TlsProfile::kOff);
  EXPECT_EQ(scenario.expect, Expectation::kSuccess);
  EXPECT_EQ(scenario.login_password, scenario.password);
  ASSERT_TRUE(scenario.auth.has_value());
  EXPECT_EQ(scenario.auth->path, "/token");
}

TEST(ScenarioLoaderTest, AcceptsComments) {
  Scenario scenario = parse_scenario(std::string("// why\n") + kMinimal, "f.json", "a/b");
  EXPECT_EQ(scenario.title, "t");
}

TEST(ScenarioLoaderTest, RejectsUnknownTopLevelKey) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {}, "colour": 1})");
  EXPECT_EQ(error.pointer(), "/colour");
  EXPECT_EQ(error.found(), "unknown key \"colour\"");
  EXPECT_THAT(error.what(), HasSubstr("scenarios/x/bad.json: at /colour: expected one of the keys"));
}

TEST(ScenarioLoaderTest, RejectsUnknownTlsProfile) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {"tls": "vaild"}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/registry/tls");
  EXPECT_EQ(error.found(), "string \"vaild\"");
  EXPECT_THAT(error.expected(), HasSubstr("\"valid\""));
}

TEST(ScenarioLoaderTest, RejectsMissingTitle) {
  auto error = load_error(R"({"spec": ["s"], "registry": {}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/title");
  EXPECT_EQ(error.found(), "nothing");
}

TEST(ScenarioLoaderTest, RejectsEmptySpecList) {
  auto error = load_error(R"({"title": "t", "spec": [], "registry": {}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/spec");
  EXPECT_EQ(error.found(), "an empty array");
}

TEST(ScenarioLoaderTest, RejectsWrongTypeWithPointer) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "time_limit_ms": "20s", "registry": {}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/time_limit_ms");
  EXPECT_EQ(error.expected(), "an integer");
  EXPECT_EQ(error.found(), "string \"20s\"");
}

TEST(ScenarioLoaderTest, RejectsOutOfRangeStatus) {
  auto error = load_error(
      R"({"title": "t", "spec": ["s"], "registry": {"rules": [{"respond": {"status": 99}}]}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/registry/rules/0/respond/status");
  EXPECT_EQ(error.expected(), "an integer from 100 to 599");
  EXPECT_EQ(error.found(), "99");
}

TEST(ScenarioLoaderTest, RejectsUnknownCheckId) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {}, "checks": ["bearer-retyr"]})");
  EXPECT_EQ(error.pointer(), "/checks/0");
  EXPECT_EQ(error.found(), "\"bearer-retyr\"");
}

TEST(ScenarioLoaderTest, RejectsUnknownCheckParameter) {
  auto error = load_error(
      R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {}, "checks": [{"id": "bounded-requests", "max": 3}]})");
  EXPECT_EQ(error.pointer(), "/checks/0/max");
  EXPECT_EQ(error.found(), "unknown key \"max\"");
}

TEST(ScenarioLoaderTest, RejectsUnknownPlaceholder) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {"challenge": "Bearer realm=\"${relam}\""}})");
  EXPECT_EQ(error.pointer(), "/registry/challenge");
  EXPECT_EQ(error.found(), "\"${relam}\"");
}

TEST(ScenarioLoaderTest, RejectsNonLoopbackListenAddress) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {"listen": "0.0.0.0"}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/registry/listen");
  EXPECT_EQ(error.found(), "\"0.0.0.0\"");
}

TEST(ScenarioLoaderTest, RejectsBearerRegistryWithoutTokenServer) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "registry": {}})");
  EXPECT_EQ(error.pointer(), "/auth");
}

TEST(ScenarioLoaderTest, RejectsSyntaxErrorWithByteOffset) {
  auto error = load_error(R"({"title": "t",, })");
  EXPECT_EQ(error.pointer(), "");
  EXPECT_THAT(error.found(), HasSubstr("a syntax error at byte 14"));
}

TEST(ScenarioLoaderTest, RejectsNumberTooLargeForDouble) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "time_limit_ms": 1e400, "registry": {}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "");
  EXPECT_EQ(error.expected(), "valid JSON with numbers that fit a double");
  EXPECT_THAT(error.found(), HasSubstr("number overflow parsing '1e400'"));
}

// Every input the loader fuzz target ever found must load or fail with ScenarioError only.
TEST(ScenarioLoaderTest, ReplaysFuzzRegressions) {
  std::filesystem::path dir = std::filesystem::path(LOGINSPEC_SOURCE_DIR) / "fuzz/regressions/fuzz_scenario_loader";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(entry.path().string());
    try {
      parse_scenario(text.str(), entry.path(), "fuzz/regression");
    } catch (const ScenarioError&) {
    } catch (const std::exception& error) {
      ADD_FAILURE() << "unexpected exception: " << error.what();
    }
    ++replayed;
  }
  EXPECT_GT(replayed, 0);
}

TEST(ScenarioLoaderTest, RejectsHeaderPairOfWrongShape) {
  auto error = load_error(
      R"({"title": "t", "spec": ["s"], "registry": {"rules": [{"respond": {"headers": [["A"]]}}]}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/registry/rules/0/respond/headers/0");
  EXPECT_EQ(error.expected(), "a [name, value] pair of strings");
}

TEST(ScenarioLoaderTest, RejectsUnknownCapability) {
  auto error = load_error(R"({"title": "t", "spec": ["s"], "requires": ["telepathy"], "registry": {}, "auth": {}})");
  EXPECT_EQ(error.pointer(), "/requires/0");
}

TEST(ScenarioLoaderTest, GlobSelectsByFamily) {
  EXPECT_TRUE(glob_match("tls/*", "tls/registry-expired"));
  EXPECT_TRUE(glob_match("*expired", "tls/realm-expired"));
  EXPECT_FALSE(glob_match("tls/*", "bearer/happy-path"));
  EXPECT_TRUE(glob_match("bearer/happy-path", "bearer/happy-path"));
}

TEST(ScenarioLoaderTest, SelectRejectsPatternMatchingNothing) {
  std::vector<Scenario> all(1);
  all[0].id = "a/b";
  EXPECT_THROW(select_scenarios(all, {"c/*"}), std::invalid_argument);
  EXPECT_EQ(select_scenarios(all, {"a/*"}).size(), 1u);
}

TEST(ScenarioLoaderTest, SelectKeepsPatternOrderWithoutRepeats) {
  std::vector<Scenario> all(3);
  all[0].id = "a/one";
  all[1].id = "b/two";
  all[2].id = "b/zero";
  auto selected = select_scenarios(all, {"b/zero", "*", "a/one"});
  ASSERT_EQ(selected.size(), 3u);
  EXPECT_EQ(selected[0].id, "b/zero");
  EXPECT_EQ(selected[1].id, "a/one");
  EXPECT_EQ(selected[2].id, "b/two");
}

TEST(ScenarioLoaderTest, LoadsEveryShippedScenario) {
  auto scenarios = load_scenario_tree(std::filesystem::path(LOGINSPEC_SOURCE_DIR) / "scenarios");
  EXPECT_GE(scenarios.size(), 20u);
  for (const auto& scenario : scenarios) {
    EXPECT_FALSE(scenario.spec.empty()) << scenario.id;
    EXPECT_NE(scenario.id.find('/'), std::string::npos) << scenario.id;
  }
}

}  // namespace
}  // namespace loginspec::harness
