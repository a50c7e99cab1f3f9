// Golden-file tests: the sample run rendered as console text, JUnit XML and JSON must match
// reports/testdata/golden/run.console.txt, run.junit.xml and run.json byte for byte.
// After an intended change to a report format, regenerate the files with
//   LOGINSPEC_UPDATE_GOLDEN=1 ctest --test-dir build/reports -R GoldenTest
// (the tests then rewrite the files and pass), and review the diff before committing it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "reports/atomic_file.h"
#include "reports/console.h"
#include "reports/json_report.h"
#include "reports/junit.h"
#include "reports/test_support.h"

namespace loginspec::reports {
namespace {

const std::filesystem::path kGoldenDir = LOGINSPEC_REPORTS_GOLDEN_DIR;

bool update_requested() {
  const char* value = std::getenv("LOGINSPEC_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

// Compares rendered text with the golden file, or rewrites the file when an update is requested.
void expect_matches_golden(const std::string& rendered, const std::string& file_name) {
  const std::filesystem::path path = kGoldenDir / file_name;
  if (update_requested()) {
    write_file_atomically(path, [&](std::ostream& out) { out << rendered; });
    return;
  }

  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "golden file " << path
                  << " is missing; run the test with LOGINSPEC_UPDATE_GOLDEN=1 to create it";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(rendered, golden.str())
      << "rendering differs from " << path
      << "; if the change is intended, rerun with LOGINSPEC_UPDATE_GOLDEN=1 and review the diff";
}

std::string render_console(const RunResult& run) {
  std::ostringstream out;
  for (const ScenarioResult& scenario : run.scenarios) write_console_line(out, scenario, false);
  out << '\n';
  write_console_summary(out, run);
  return out.str();
}

TEST(GoldenTest, Console) {
  expect_matches_golden(render_console(testing::sample_run()), "run.console.txt");
}

TEST(GoldenTest, Junit) {
  std::ostringstream out;
  write_junit(out, testing::sample_run());
  expect_matches_golden(out.str(), "run.junit.xml");
}

TEST(GoldenTest, Json) {
  std::ostringstream out;
  write_json(out, testing::sample_run());
  expect_matches_golden(out.str(), "run.json");
}

}  // namespace
}  // namespace loginspec::reports
