// Tests for serve mode: the control API over loopback HTTP, graded against real logins by the reference client.
#include "harness/serve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "harness/environment.h"
#include "harness/reference_client.h"
#include "harness/scenario_loader.h"

namespace loginspec::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<Scenario> source_scenarios(const std::vector<std::string>& patterns) {
  return select_scenarios(load_scenario_tree(std::filesystem::path(LOGINSPEC_SOURCE_DIR) / "scenarios"), patterns);
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override { client_dir_ = make_private_directory("loginspec-serve-test-"); }

  void TearDown() override {
    if (control_) control_->stop();
    control_.reset();
    session_.reset();
    std::filesystem::remove_all(client_dir_);
  }

  void start(const std::vector<std::string>& patterns, ServeOptions options = {}) {
    session_ = std::make_unique<ServeSession>(source_scenarios(patterns), options);
    control_ = std::make_unique<ControlServer>(*session_);
    control_->start(0);
    session_->set_control_url(control_->url());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", control_->port());
    http_->set_read_timeout(std::chrono::seconds(30));
  }

  // Sends one request and parses the JSON response. Fails the test when no response arrives.
  std::pair<int, json> call(const std::string& method, const std::string& path, const std::string& body = "") {
    auto send = [&]() -> httplib::Result {
      if (method == "POST") return http_->Post(path, body, "application/json");
      if (method == "PUT") return http_->Put(path, body, "application/json");
      if (method == "DELETE") return http_->Delete(path);
      return http_->Get(path);
    };
    httplib::Result result = send();
    EXPECT_TRUE(result) << method << " " << path << ": " << httplib::to_string(result.error());
    if (!result) return {0, json()};
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << method << " " << path;
    return {result->status, json::parse(result->body, nullptr, false)};
  }

  // Logs in with the reference client using the served connection details.
  ReferenceResult login(const json& info, ReferenceFaults faults = {}) {
    ReferenceOptions options;
    options.registry = info["registry"].get<std::string>();
    options.username = info["username"].get<std::string>();
    options.password = info["password"].get<std::string>();
    if (info["ca_file"].is_string()) options.ca_file = info["ca_file"].get<std::string>();
    options.insecure = info["insecure"].get<bool>();
    options.config_dir = client_dir_ / "docker";
    options.time_limit = std::chrono::milliseconds(10000);
    options.faults = faults;
    return reference_login(options);
  }

  json report_body(const ReferenceResult& result, bool success) {
    return {{"success", success},
            {"message", result.output},
            {"store_file", (client_dir_ / "docker" / "config.json").string()}};
  }

  std::filesystem::path client_dir_;
  std::unique_ptr<ServeSession> session_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(ServeTest, ConnectionInfoDescribesServedScenario) {
  start({"bearer/happy-path"});
  auto [status, info] = call("GET", "/scenario");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(info["control"], control_->url());
  EXPECT_EQ(info["scenario"], "bearer/happy-path");
  EXPECT_THAT(info["registry"].get<std::string>(), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_EQ(info["registry_url"], "http://" + info["registry"].get<std::string>());
  EXPECT_THAT(info["realm"].get<std::string>(), ::testing::StartsWith("http://127.0.0.1:"));
  EXPECT_EQ(info["username"], "loginspec");
  EXPECT_FALSE(info["password"].get<std::string>().empty());
  EXPECT_TRUE(info["ca_file"].is_null());
  EXPECT_EQ(info["insecure"], true);
  EXPECT_EQ(session_->connection_info()["registry"], info["registry"]);
}

TEST_F(ServeTest, HonestReferenceLoginPasses) {
  start({"bearer/happy-path"});
  auto [info_status, info] = call("GET", "/scenario");
  ASSERT_EQ(info_status, 200);

  ReferenceResult result = login(info);
  ASSERT_TRUE(result.success) << result.output;
  auto [report_status, report] = call("POST", "/report", report_body(result, true).dump());
  ASSERT_EQ(report_status, 200) << report.dump();
  EXPECT_EQ(report["entry_found"], true);

  auto [status, verdict] = call("GET", "/verdict");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(verdict["id"], "bearer/happy-path");
  EXPECT_EQ(verdict["verdict"], "PASS") << verdict.dump(2);
  EXPECT_EQ(verdict["client"]["reported_success"], true);
  EXPECT_FALSE(verdict["checks"].empty());
  EXPECT_EQ(verdict["exchanges"].size(), 3u);
}

TEST_F(ServeTest, CaFileLetsReferenceClientPassTls) {
  start({"tls/ca-given"});
  auto [info_status, info] = call("GET", "/scenario");
  ASSERT_EQ(info_status, 200);
  ASSERT_TRUE(info["ca_file"].is_string());
  EXPECT_TRUE(std::filesystem::exists(info["ca_file"].get<std::string>()));
  EXPECT_EQ(info["insecure"], false);
  EXPECT_THAT(info["registry_url"].get<std::string>(), ::testing::StartsWith("https://"));

  ReferenceResult result = login(info);
  ASSERT_TRUE(result.success) << result.output;
  call("POST", "/report", report_body(result, true).dump());
  auto [status, verdict] = call("GET", "/verdict");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(verdict["verdict"], "PASS") << verdict.dump(2);
}

TEST_F(ServeTest, FalseSuccessOnWrongPasswordFails) {
  start({"bearer/happy-path", "bearer/wrong-password"});
  auto [select_status, info] = call("POST", "/scenario", R"({"id": "bearer/wrong-password"})");
  ASSERT_EQ(select_status, 200) << info.dump();
  EXPECT_EQ(info["scenario"], "bearer/wrong-password");

  ReferenceResult result = login(info);
  ASSERT_FALSE(result.success) << result.output;
  call("POST", "/report", report_body(result, true).dump());

  auto [status, verdict] = call("GET", "/verdict");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(verdict["verdict"], "FAIL") << verdict.dump(2);
  EXPECT_THAT(verdict["reason"].get<std::string>(), Not(::testing::IsEmpty()));
}

TEST_F(ServeTest, HonestFailureOnWrongPasswordPasses) {
  start({"bearer/wrong-password"});
  auto [info_status, info] = call("GET", "/scenario");
  ASSERT_EQ(info_status, 200);
  ReferenceResult result = login(info);
  ASSERT_FALSE(result.success);
  call("POST", "/report", json{{"success", false}, {"message", result.output}, {"exit_code", 1}}.dump());
  auto [status, verdict] = call("GET", "/verdict");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(verdict["verdict"], "PASS") << verdict.dump(2);
  EXPECT_EQ(verdict["client"]["exit_code"], 1);
}

TEST_F(ServeTest, VerdictBeforeReportIsConflict) {
  start({"bearer/happy-path"});
  auto [status, body] = call("GET", "/verdict");
  EXPECT_EQ(status, 409);
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("POST /report"));
}

TEST_F(ServeTest, SecondReportIsConflict) {
  start({"bearer/happy-path"});
  EXPECT_EQ(call("POST", "/report", R"({"success": false})").first, 200);
  auto [status, body] = call("POST", "/report", R"({"success": true})");
  EXPECT_EQ(status, 409);
  EXPECT_THAT(body["error"].get<std::string>(), HasSubstr("POST /reset"));
}

TEST_F(ServeTest, BadRequestsGetJsonErrors) {
  start({"bearer/happy-path"});
  struct Case {
    std::string method;
    std::string path;
    std::string body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"GET", "/nowhere", "", 404, "unknown path"},
      {"DELETE", "/scenario", "", 405, "not allowed"},
      {"GET", "/report", "", 405, "not allowed"},
      {"PUT", "/reset", "{}", 405, "not allowed"},
      {"POST", "/scenario", "{\"id\": ", 400, "not valid JSON"},
      {"POST", "/scenario", "[1, 2]", 400, "must be a JSON object"},
      {"POST", "/scenario", "", 400, "missing request body"},
      {"POST", "/scenario", "{}", 400, "missing field \"id\""},
      {"POST", "/scenario", R"({"id": 7})", 400, "must be a string"},
      {"POST", "/scenario", R"({"id": "bearer/none-such"})", 400, "unknown scenario"},
      {"POST", "/scenario", R"({"id": "bearer/happy-path", "x": 1})", 400, "unknown field \"x\""},
      {"POST", "/report", "{}", 400, "missing field \"success\""},
      {"POST", "/report", R"({"success": "yes"})", 400, "must be a boolean"},
      {"POST", "/report", R"({"success": true, "message": 3})", 400, "\"message\" must be a string"},
      {"POST", "/report", R"({"success": true, "store_file": "relative.json"})", 400, "absolute path"},
      {"POST", "/report", R"({"success": true, "exit_code": 1.5})", 400, "must be an integer"},
      {"POST", "/reset", R"({"id": "x"})", 400, "takes no fields"},
      {"GET", "/transcript?secrets=yes", "", 400, "takes \"show\""},
      {"GET", "/scenarios?verbose=1", "", 400, "unknown query parameter"},
  };
  for (const auto& item : cases) {
    SCOPED_TRACE(item.method + " " + item.path + " " + item.body);
    auto [status, body] = call(item.method, item.path, item.body);
    EXPECT_EQ(status, item.status);
    ASSERT_TRUE(body.is_object()) << body.dump();
    ASSERT_TRUE(body.contains("error"));
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(item.message));
  }
  // None of the rejected reports counted.
  EXPECT_EQ(call("GET", "/verdict").first, 409);
}

TEST_F(ServeTest, WrongMethodNamesAllowedMethods) {
  start({"bearer/happy-path"});
  auto result = http_->Delete("/scenario");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET, POST");
}

TEST_F(ServeTest, ScenariosListsSelection) {
  start({"bearer/*"});
  auto [status, body] = call("GET", "/scenarios");
  ASSERT_EQ(status, 200);
  ASSERT_TRUE(body["scenarios"].is_array());
  EXPECT_EQ(body["scenarios"].size(), source_scenarios({"bearer/*"}).size());
  EXPECT_EQ(body["current"], body["scenarios"][0]["id"]);
  for (const auto& item : body["scenarios"]) {
    EXPECT_THAT(item["id"].get<std::string>(), ::testing::StartsWith("bearer/"));
    EXPECT_FALSE(item["title"].get<std::string>().empty());
  }
}

TEST_F(ServeTest, TranscriptIsRedactedByDefault) {
  start({"bearer/happy-path"});
  auto [info_status, info] = call("GET", "/scenario");
  ASSERT_EQ(info_status, 200);
  std::string password = info["password"].get<std::string>();
  ASSERT_TRUE(login(info).success);

  auto [status, body] = call("GET", "/transcript");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["redacted"], true);
  ASSERT_EQ(body["exchanges"].size(), 3u);
  EXPECT_THAT(body.dump(), Not(HasSubstr(password)));
  EXPECT_THAT(body.dump(), HasSubstr("<redacted>"));

  // Asking for secrets does not reveal them unless the server was started with show_secrets.
  auto [shown_status, shown] = call("GET", "/transcript?secrets=show");
  ASSERT_EQ(shown_status, 200);
  EXPECT_EQ(shown["redacted"], true);
  EXPECT_THAT(shown.dump(), Not(HasSubstr(password)));
  EXPECT_THAT(shown.dump(), HasSubstr("<redacted>"));
}

TEST_F(ServeTest, TranscriptShowsSecretsWhenAllowed) {
  start({"bearer/happy-path"}, ServeOptions{.show_secrets = true});
  auto [info_status, info] = call("GET", "/scenario");
  ASSERT_EQ(info_status, 200);
  ASSERT_TRUE(login(info).success);

  auto [redacted_status, redacted] = call("GET", "/transcript");
  ASSERT_EQ(redacted_status, 200);
  EXPECT_EQ(redacted["redacted"], true);
  EXPECT_THAT(redacted.dump(), HasSubstr("<redacted>"));

  auto [status, shown] = call("GET", "/transcript?secrets=show");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(shown["redacted"], false);
  EXPECT_THAT(shown.dump(), Not(HasSubstr("<redacted>")));
  EXPECT_THAT(shown.dump(), HasSubstr("Authorization"));
}

TEST_F(ServeTest, ResetStartsFreshServers) {
  start({"bearer/happy-path"});
  auto [first_status, first] = call("GET", "/scenario");
  ASSERT_EQ(first_status, 200);
  ASSERT_TRUE(login(first).success);
  call("POST", "/report", R"({"success": true})");

  auto [status, second] = call("POST", "/reset");
  ASSERT_EQ(status, 200) << second.dump();
  EXPECT_EQ(second["scenario"], "bearer/happy-path");
  EXPECT_NE(second["registry"], first["registry"]);
  EXPECT_EQ(call("GET", "/transcript").second["exchanges"].size(), 0u);
  EXPECT_EQ(call("GET", "/verdict").first, 409);
}

TEST_F(ServeTest, ShutdownCallsHandler) {
  start({"bearer/happy-path"});
  std::atomic<int> calls{0};
  session_->set_shutdown_handler([&calls] { ++calls; });
  auto [status, body] = call("POST", "/shutdown");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["shutting_down"], true);
  EXPECT_EQ(calls, 1);
}

TEST_F(ServeTest, SessionRemovesRunFolder) {
  start({"tls/ca-given"});
  std::filesystem::path run_dir = session_->run_dir();
  EXPECT_TRUE(std::filesystem::exists(run_dir / "ca.pem"));
  control_->stop();
  control_.reset();
  session_.reset();
  EXPECT_FALSE(std::filesystem::exists(run_dir));
}

TEST(ShutdownNoticeTest, WaitReturnsAfterNotify) {
  ShutdownNotice notice;
  std::thread notifier([&notice] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    notice.notify();
  });
  notice.wait();
  notifier.join();
  // Extra notifications never block, even past the pipe's capacity.
  for (int i = 0; i < 100000; ++i) notice.notify();
  notice.wait();
}

}  // namespace
}  // namespace loginspec::harness
