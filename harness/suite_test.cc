// The whole scenario suite against the reference client: one registered test per scenario file.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "harness/environment.h"
#include "harness/reference_adapter.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"

namespace loginspec::harness {
namespace {

class SuiteEnvironment {
 public:
  static SuiteEnvironment& get() {
    static SuiteEnvironment instance;
    return instance;
  }
  TlsMaterialCache& tls() { return *tls_; }
  const std::filesystem::path& run_dir() const { return run_dir_; }
  ~SuiteEnvironment() {
    std::error_code error;
    std::filesystem::remove_all(run_dir_, error);
  }

 private:
  SuiteEnvironment() : run_dir_(make_private_directory("loginspec-suite-")), tls_(std::make_unique<TlsMaterialCache>(run_dir_)) {}
  std::filesystem::path run_dir_;
  std::unique_ptr<TlsMaterialCache> tls_;
};

class ScenarioTest : public ::testing::Test {
 public:
  explicit ScenarioTest(Scenario scenario) : scenario_(std::move(scenario)) {}

  void TestBody() override {
    SCOPED_TRACE(scenario_.file.string());
    ReferenceAdapter adapter;
    RunOptions options;
    auto& environment = SuiteEnvironment::get();
    reports::ScenarioResult result = run_scenario(scenario_, adapter, environment.tls(), environment.run_dir(), options);
    for (const auto& check : result.checks) {
      EXPECT_TRUE(check.verdict == reports::Verdict::kPass || check.verdict == reports::Verdict::kSkip)
          << check.id << " " << reports::to_string(check.verdict) << ": " << check.message;
    }
    EXPECT_EQ(result.verdict, reports::Verdict::kPass) << result.reason << "\nclient output: "
                                                       << result.client.stdout_text << result.client.stderr_text;
  }

 private:
  Scenario scenario_;
};

}  // namespace
}  // namespace loginspec::harness

int main(int argc, char** argv) {
  using namespace loginspec::harness;
  ::testing::InitGoogleTest(&argc, argv);
  auto scenarios = load_scenario_tree(std::filesystem::path(LOGINSPEC_SOURCE_DIR) / "scenarios");
  for (const auto& scenario : scenarios) {
    std::string name = scenario.id;
    for (auto& c : name) {
      if (c == '/' || c == '-' || c == '.') c = c == '/' ? '.' : c;
    }
    ::testing::RegisterTest("ReferenceSuiteTest", scenario.id.c_str(), nullptr, nullptr, scenario.file.c_str(), 1,
                            [scenario]() -> ::testing::Test* { return new ScenarioTest(scenario); });
  }
  return RUN_ALL_TESTS();
}
