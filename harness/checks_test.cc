// Every check is proven to fire: the faultless reference client passes it, a reference client
// with one deliberate fault fails it, both against real mock servers.
#include "harness/checks.h"

#include <gtest/gtest.h>

#include "harness/environment.h"
#include "harness/reference_adapter.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"

namespace loginspec::harness {
namespace {

struct Control {
  const char* check;
  const char* scenario;   // id under scenarios/
  const char* fault;      // reference fault that must make the check fail
  reports::Verdict expected;
};

class CheckControlTest : public ::testing::TestWithParam<Control> {
 protected:
  static void SetUpTestSuite() {
    run_dir_ = new std::filesystem::path(make_private_directory("loginspec-controls-"));
    tls_ = new TlsMaterialCache(*run_dir_);
    scenarios_ = new std::vector<Scenario>(load_scenario_tree(std::filesystem::path(LOGINSPEC_SOURCE_DIR) / "scenarios"));
  }
  static void TearDownTestSuite() {
    delete tls_;
    std::filesystem::remove_all(*run_dir_);
    delete run_dir_;
    delete scenarios_;
  }

  reports::CheckResult run_with(const Control& control, const std::string& faults) {
    const Scenario* scenario = nullptr;
    for (const auto& candidate : *scenarios_) {
      if (candidate.id == control.scenario) scenario = &candidate;
    }
    if (scenario == nullptr) {
      ADD_FAILURE() << "no scenario " << control.scenario;
      return {};
    }
    ReferenceAdapter adapter(ReferenceFaults::parse(faults));
    RunOptions options;
    auto result = run_scenario(*scenario, adapter, *tls_, *run_dir_ / faults, options);
    for (const auto& check : result.checks) {
      if (check.id == control.check) return check;
    }
    ADD_FAILURE() << "scenario " << control.scenario << " does not run check " << control.check;
    return {};
  }

  static std::filesystem::path* run_dir_;
  static TlsMaterialCache* tls_;
  static std::vector<Scenario>* scenarios_;
};

std::filesystem::path* CheckControlTest::run_dir_ = nullptr;
TlsMaterialCache* CheckControlTest::tls_ = nullptr;
std::vector<Scenario>* CheckControlTest::scenarios_ = nullptr;

TEST_P(CheckControlTest, PassesWithoutFaultAndFiresWithFault) {
  const Control& control = GetParam();
  auto clean = run_with(control, "");
  EXPECT_EQ(clean.verdict, reports::Verdict::kPass) << clean.message;
  auto faulty = run_with(control, control.fault);
  EXPECT_EQ(faulty.verdict, control.expected) << faulty.message;
  EXPECT_FALSE(faulty.message.empty());
}

using reports::Verdict;

// Names the control in test output instead of printing its bytes.
void PrintTo(const Control& control, std::ostream* out) {
  *out << control.check << " with fault " << control.fault << " on " << control.scenario;
}

const Control kControls[] = {
    Control{"login-outcome", "bearer/wrong-password", "report-success-always", Verdict::kFail},
    Control{"success-verified", "bearer/happy-path", "skip-bearer-retry", Verdict::kFail},
    Control{"token-request-credentials", "bearer/happy-path", "skip-token-credentials", Verdict::kFail},
    Control{"token-request-service", "bearer/happy-path", "ignore-service", Verdict::kFail},
    Control{"bearer-retry", "bearer/happy-path", "skip-bearer-retry", Verdict::kFail},
    Control{"no-password-to-registry", "bearer/happy-path", "send-password-to-registry", Verdict::kFail},
    Control{"bounded-requests", "bearer/registry-rejects-token", "retry-without-bound", Verdict::kFail},
    Control{"secrets-not-in-output", "bearer/happy-path", "print-password", Verdict::kFail},
    Control{"identity-token-stored", "bearer/refresh-token-issued", "keep-password-with-identity-token",
            Verdict::kWarn},
    Control{"credential-file-private", "bearer/happy-path", "world-readable-store", Verdict::kWarn},
    Control{"tls-verified", "tls/registry-expired", "accept-any-certificate", Verdict::kFail},
    Control{"credentials-verified", "basic/happy-path", "skip-bearer-retry", Verdict::kWarn},
    Control{"no-credentials-to-other-host", "token-endpoint/redirect-cross-host", "keep-credentials-on-redirect",
            Verdict::kFail},
    Control{"no-credentials-over-plain-http", "hygiene/realm-plain-http-from-https-registry", "follow-any-realm",
            Verdict::kFail},
    Control{"weak-certificate-rejected", "tls/registry-rsa-1024", "accept-any-certificate", Verdict::kWarn},
    Control{"no-token-request", "challenge/realm-missing", "guess-realm", Verdict::kFail},
    Control{"credentials-stored", "bearer/happy-path", "skip-store", Verdict::kFail}
};

INSTANTIATE_TEST_SUITE_P(
    Catalogue, CheckControlTest, ::testing::ValuesIn(kControls),
    [](const ::testing::TestParamInfo<Control>& info) {
      std::string name;
      bool upper = true;
      for (const char* c = info.param.check; *c; ++c) {
        if (*c == '-') {
          upper = true;
          continue;
        }
        name.push_back(upper ? static_cast<char>(std::toupper(*c)) : *c);
        upper = false;
      }
      return name;
    });

TEST(CheckCatalogueTest, EveryGradedCheckHasNegativeControl) {
  for (const auto& definition : check_catalogue()) {
    if (definition.level == reports::Level::kInfo) continue;
    bool covered = false;
    for (const auto& control : kControls) covered = covered || definition.id == control.check;
    EXPECT_TRUE(covered) << definition.id << " has no negative control in kControls";
  }
}

}  // namespace
}  // namespace loginspec::harness
