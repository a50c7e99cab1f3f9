// Replays the fuzz seed corpora and every kept crash input through the fuzz targets' property checks.
//
// Each test reads its folder when it runs, so a file added to fuzz/regressions/fuzz_<target>/ or
// fuzz/corpus/<target>/ is replayed without a rebuild or a change to this file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/properties.h"

namespace loginspec::fuzz {
namespace {

using PropertyCheck = std::optional<std::string> (*)(std::string_view);

const std::filesystem::path kFuzzDir = LOGINSPEC_FUZZ_DIR;

std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(folder)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay_file(const std::filesystem::path& path, PropertyCheck check) {
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot open " << path;
  const std::string input((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());

  const std::optional<std::string> failure = check(input);
  EXPECT_FALSE(failure.has_value()) << path.string() << ": " << failure.value_or("");
}

// Runs `check` on every file in `folder` and returns how many files it read.
std::size_t replay_folder(const std::filesystem::path& folder, PropertyCheck check) {
  const std::vector<std::filesystem::path> files = files_in(folder);
  for (const std::filesystem::path& path : files) replay_file(path, check);
  return files.size();
}

TEST(FuzzRegressionTest, ChallengeCrashInputsHoldProperties) {
  replay_folder(kFuzzDir / "regressions" / "fuzz_challenge", &check_challenge_properties);
}

TEST(FuzzRegressionTest, BasicCrashInputsHoldProperties) {
  replay_folder(kFuzzDir / "regressions" / "fuzz_basic", &check_basic_properties);
}

TEST(FuzzRegressionTest, TokenResponseCrashInputsHoldProperties) {
  replay_folder(kFuzzDir / "regressions" / "fuzz_token_response", &check_token_response_properties);
}

TEST(FuzzSeedTest, ChallengeSeedsHoldProperties) {
  EXPECT_GT(replay_folder(kFuzzDir / "corpus" / "challenge", &check_challenge_properties), 0u);
}

TEST(FuzzSeedTest, BasicSeedsHoldProperties) {
  EXPECT_GT(replay_folder(kFuzzDir / "corpus" / "basic", &check_basic_properties), 0u);
}

TEST(FuzzSeedTest, TokenResponseSeedsHoldProperties) {
  EXPECT_GT(replay_folder(kFuzzDir / "corpus" / "token_response", &check_token_response_properties), 0u);
}

}  // namespace
}  // namespace loginspec::fuzz
