// Tests for the reference client against real mock servers on loopback.
#include "harness/reference_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "harness/credential_store.h"
#include "harness/environment.h"
#include "harness/scenario_loader.h"

namespace loginspec::harness {
namespace {

using ::testing::HasSubstr;

class ReferenceClientTest : public ::testing::Test {
 protected:
  void SetUp() override { run_dir_ = make_private_directory("loginspec-reference-test-"); }
  void TearDown() override { std::filesystem::remove_all(run_dir_); }

  ReferenceResult login(const std::string& scenario_text, ReferenceFaults faults = {}) {
    scenario_ = parse_scenario(scenario_text, "test.json", "test/case");
    TlsMaterialCache tls(run_dir_);
    ScenarioEnvironment environment(scenario_, tls, run_dir_);
    LoginRequest request = environment.login_request();
    ReferenceOptions options;
    options.registry = request.registry_host;
    options.username = request.username;
    options.password = request.password;
    options.ca_file = request.ca_file;
    options.insecure = !request.registry_tls;
    options.config_dir = run_dir_ / "docker";
    options.time_limit = std::chrono::milliseconds(5000);
    options.faults = faults;
    ReferenceResult result = reference_login(options);
    environment.stop();
    transcript_ = environment.transcript();
    runtime_ = environment.runtime();
    return result;
  }

  std::filesystem::path run_dir_;
  Scenario scenario_;
  std::vector<mocks::RecordedRequest> transcript_;
  ScenarioRuntime runtime_;
};

TEST_F(ReferenceClientTest, FollowsBearerFlowAndStoresCredentials) {
  auto result = login(R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {}})");
  EXPECT_TRUE(result.success) << result.output;
  EXPECT_EQ(result.output, "Login Succeeded\n");
  ASSERT_EQ(transcript_.size(), 3u);
  EXPECT_EQ(transcript_[0].path, "/v2/");
  EXPECT_EQ(transcript_[0].status, 401);
  EXPECT_EQ(transcript_[1].server, "auth");
  EXPECT_NE(transcript_[1].query_value("service"), nullptr);
  EXPECT_EQ(*transcript_[1].query_value("offline_token"), "true");
  EXPECT_EQ(*transcript_[2].header("Authorization"), "Bearer " + runtime_.token);
  EXPECT_EQ(transcript_[2].status, 200);

  auto stored = read_auths_file(run_dir_ / "docker" / "config.json", {runtime_.registry_host});
  EXPECT_TRUE(stored.entry_found);
  EXPECT_EQ(stored.username, "loginspec");
  EXPECT_EQ(stored.password, scenario_.password);
  EXPECT_EQ(stored.mode, 0600u);
}

TEST_F(ReferenceClientTest, StoresIdentityTokenInsteadOfPassword) {
  auto result = login(R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {"refresh_token": true}})");
  ASSERT_TRUE(result.success) << result.output;
  auto stored = read_auths_file(run_dir_ / "docker" / "config.json", {runtime_.registry_host});
  EXPECT_EQ(stored.identity_token, runtime_.refresh_token);
  EXPECT_EQ(stored.password, "");
}

TEST_F(ReferenceClientTest, ReportsWrongPassword) {
  auto result = login(R"({"title": "t", "spec": ["s"], "registry": {}, "auth": {}, "login": {"password": "nope-nope"}})");
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.output, HasSubstr("token server rejected the username or password (HTTP 401)"));
}

TEST_F(ReferenceClientTest, RejectsUnknownCertificateAuthority) {
  auto result = login(R"({"title": "t", "spec": ["s"], "registry": {"tls": "unknown-ca"}, "auth": {"tls": "valid"}})");
  EXPECT_FALSE(result.success);
  EXPECT_THAT(result.output, HasSubstr("cannot reach"));
  for (const auto& request : transcript_) EXPECT_NE(request.kind, mocks::RequestKind::kHttp);
}

TEST_F(ReferenceClientTest, RejectsCommonNameOnlyCertificate) {
  auto result = login(
      R"({"title": "t", "spec": ["s"], "registry": {"tls": "common-name-only"}, "auth": {"tls": "valid"}})");
  EXPECT_FALSE(result.success) << result.output;
}

TEST_F(ReferenceClientTest, AcceptAnyCertificateFaultConnects) {
  ReferenceFaults faults;
  faults.accept_any_certificate = true;
  auto result = login(R"({"title": "t", "spec": ["s"], "registry": {"tls": "expired"}, "auth": {"tls": "valid"}})", faults);
  EXPECT_TRUE(result.success) << result.output;
}

TEST_F(ReferenceClientTest, RetryWithoutBoundFaultLoops) {
  ReferenceFaults faults;
  faults.retry_without_bound = true;
  auto result = login(
      R"({"title": "t", "spec": ["s"], "registry": {"auth": "never", "challenge": "Bearer realm=\"${realm}\""}, "auth": {}})",
      faults);
  EXPECT_FALSE(result.success);
  EXPECT_GT(transcript_.size(), 50u);
}

TEST_F(ReferenceClientTest, ParsesFaultNames) {
  auto faults = ReferenceFaults::parse("ignore-service,print-password");
  EXPECT_TRUE(faults.ignore_service);
  EXPECT_TRUE(faults.print_password);
  EXPECT_THROW(ReferenceFaults::parse("ignore-everything"), std::invalid_argument);
}

}  // namespace
}  // namespace loginspec::harness
