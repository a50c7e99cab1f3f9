// Tests of the JSON results file: round trip, serialization and reader errors.
#include "reports/json_report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "reports/test_support.h"

namespace loginspec::reports {
namespace {

using nlohmann::json;

// Runs `read` and returns the pointer of the ResultsFormatError it throws, or a note that it
// threw none.
template <typename Read>
std::string error_pointer(Read read) {
  try {
    read();
  } catch (const ResultsFormatError& error) {
    return error.pointer();
  }
  return "(no error)";
}

std::string error_message(const json& document) {
  try {
    run_result_from_json(document);
  } catch (const ResultsFormatError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(JsonReportTest, RoundTripKeepsEveryField) {
  const RunResult run = testing::sample_run();
  const RunResult read_back = run_result_from_json(to_json(run));
  EXPECT_EQ(read_back, run);
}

TEST(JsonReportTest, RoundTripThroughText) {
  const RunResult run = testing::sample_run();
  std::ostringstream out;
  write_json(out, run);
  const json parsed = json::parse(out.str());
  EXPECT_EQ(parsed, to_json(run));
  EXPECT_EQ(run_result_from_json(parsed), run);
}

TEST(JsonReportTest, CountsListEveryVerdict) {
  const json document = to_json(testing::sample_run());
  EXPECT_EQ(document["counts"], json::parse(R"({"PASS":2,"FAIL":2,"WARN":1,"SKIP":1,"ERROR":1})"));
  EXPECT_EQ(to_json(RunResult{})["counts"],
            json::parse(R"({"PASS":0,"FAIL":0,"WARN":0,"SKIP":0,"ERROR":0})"));
}

TEST(JsonReportTest, RepeatedHeadersKeepOrder) {
  const json document = to_json(testing::sample_run());
  const json& headers = document["scenarios"][0]["exchanges"][1]["headers"];
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(headers[2], json::array({"Accept", "application/json"}));
  EXPECT_EQ(headers[3], json::array({"Accept", "*/*"}));
}

TEST(JsonReportTest, WriteKeepsDocumentedKeyOrder) {
  std::ostringstream out;
  write_json(out, RunResult{});
  const std::string text = out.str();
  EXPECT_EQ(text.rfind("{\n  \"format\": \"loginspec-results\",\n  \"format_version\": 1,\n", 0),
            0u)
      << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonReportTest, InvalidUtf8BecomesHexEscapes) {
  RunResult run;
  ScenarioResult scenario = testing::all_bytes_scenario();
  run.scenarios = {scenario};
  std::ostringstream out;
  ASSERT_NO_THROW(write_json(out, run));
  const json parsed = json::parse(out.str());
  const std::string message = parsed["scenarios"][0]["checks"][0]["message"];
  EXPECT_NE(message.find("\\x80\\x81"), std::string::npos);
  EXPECT_NE(message.find(std::string("\x01\x02", 2)), std::string::npos)
      << "control bytes are valid UTF-8 and are kept";
}

TEST(JsonReportTest, RejectsWrongFormat) {
  json document = to_json(testing::sample_run());
  document["format"] = "something-else";
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }), "/format");
}

TEST(JsonReportTest, RejectsNewerVersion) {
  json document = to_json(testing::sample_run());
  document["format_version"] = 2;
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }), "/format_version");
  EXPECT_NE(error_message(document).find("unsupported version 2"), std::string::npos);
}

TEST(JsonReportTest, RejectsNonObjectDocument) {
  EXPECT_EQ(error_pointer([] { run_result_from_json(json::array()); }), "");
  EXPECT_NE(error_message(json::array()).find("the document root"), std::string::npos);
}

TEST(JsonReportTest, ErrorNamesMissingKey) {
  json document = to_json(testing::sample_run());
  document["scenarios"][2]["client"].erase("exit_code");
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/2/client/exit_code");
  EXPECT_EQ(error_message(document),
            "invalid results JSON at /scenarios/2/client/exit_code: missing");
}

TEST(JsonReportTest, ErrorNamesWrongType) {
  json document = to_json(testing::sample_run());
  document["scenarios"][1]["known_failure"] = "yes";
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }), "/scenarios/1/known_failure");
  EXPECT_NE(error_message(document).find("expected a boolean, found string"), std::string::npos);
}

TEST(JsonReportTest, ErrorNamesBadVerdict) {
  json document = to_json(testing::sample_run());
  document["scenarios"][0]["checks"][1]["verdict"] = "MAYBE";
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/0/checks/1/verdict");
  EXPECT_NE(error_message(document).find("\"MAYBE\""), std::string::npos);
}

TEST(JsonReportTest, ErrorNamesBadLevel) {
  json document = to_json(testing::sample_run());
  document["scenarios"][0]["checks"][0]["level"] = "must";
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }), "/scenarios/0/checks/0/level");
}

TEST(JsonReportTest, ErrorNamesBadHeader) {
  json document = to_json(testing::sample_run());
  document["scenarios"][0]["exchanges"][1]["headers"][3] = json::array({"Accept"});
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/0/exchanges/1/headers/3");
  document["scenarios"][0]["exchanges"][1]["headers"][3] = json::array({"Accept", 5});
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/0/exchanges/1/headers/3/1");
}

TEST(JsonReportTest, ErrorNamesOutOfRangeInteger) {
  json document = to_json(testing::sample_run());
  document["scenarios"][0]["exchanges"][0]["status"] = 4294967296LL;
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/0/exchanges/0/status");
  document["scenarios"][0]["exchanges"][0]["status"] = 200.5;
  EXPECT_EQ(error_pointer([&] { run_result_from_json(document); }),
            "/scenarios/0/exchanges/0/status");
}

TEST(JsonReportTest, IgnoresCountsAndUnknownKeys) {
  json document = to_json(testing::sample_run());
  document.erase("counts");
  document["future_key"] = 1;
  document["scenarios"][0]["future_key"] = "x";
  EXPECT_EQ(run_result_from_json(document), testing::sample_run());
}

TEST(JsonReportTest, AcceptsIntegerForNumber) {
  json document = to_json(testing::sample_run());
  document["wall_ms"] = 30131;
  EXPECT_EQ(run_result_from_json(document).wall_ms, 30131.0);
}

}  // namespace
}  // namespace loginspec::reports
