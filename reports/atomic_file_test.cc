// Tests of write_file_atomically: the target contains the old or the whole new text, and no
// temporary file survives a failure.
#include "reports/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace loginspec::reports {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system temporary folder, removed at the end of the test.
class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() /
              ("loginspec-atomic-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }

  void TearDown() override { fs::remove_all(folder_); }

  std::vector<std::string> entries(const fs::path& folder) const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static void write_text(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path folder_;
};

TEST_F(AtomicFileTest, WritesNewFile) {
  const fs::path path = folder_ / "report.xml";
  write_file_atomically(path, [](std::ostream& out) { out << "<testsuites/>\n"; });
  EXPECT_EQ(read(path), "<testsuites/>\n");
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"report.xml"});
}

TEST_F(AtomicFileTest, ReplacesExistingFile) {
  const fs::path path = folder_ / "report.json";
  write_text(path, "old and longer text");
  write_file_atomically(path, [](std::ostream& out) { out << "new"; });
  EXPECT_EQ(read(path), "new");
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"report.json"});
}

TEST_F(AtomicFileTest, FailsWhenParentIsRegularFile) {
  // Tests run as root, so permissions cannot force a failure. A regular file in the
  // place of the folder can: creating the temporary file fails with ENOTDIR.
  const fs::path not_a_folder = folder_ / "plain-file";
  write_text(not_a_folder, "x");
  const fs::path path = not_a_folder / "report.xml";

  try {
    write_file_atomically(path, [](std::ostream& out) { out << "text"; });
    FAIL() << "writing below a regular file succeeded";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
  }
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"plain-file"});
  EXPECT_EQ(read(not_a_folder), "x");
}

TEST_F(AtomicFileTest, RemovesTemporaryFileWhenRenameFails) {
  // rename(2) of a file onto a non-empty folder fails after the temporary file was written.
  const fs::path path = folder_ / "report.json";
  fs::create_directories(path / "child");

  try {
    write_file_atomically(path, [](std::ostream& out) { out << "text"; });
    FAIL() << "renaming onto a folder succeeded";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("rename"), std::string::npos) << message;
  }
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"report.json"});
  EXPECT_TRUE(fs::is_directory(path));
}

TEST_F(AtomicFileTest, WriterExceptionKeepsOldFile) {
  const fs::path path = folder_ / "report.txt";
  write_text(path, "old");
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "partial";
                                       throw std::logic_error("renderer failed");
                                     }),
               std::logic_error);
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"report.txt"});
}

TEST_F(AtomicFileTest, WritesIntoCurrentFolderForBareName) {
  const fs::path previous = fs::current_path();
  fs::current_path(folder_);
  write_file_atomically("bare.txt", [](std::ostream& out) { out << "bare"; });
  fs::current_path(previous);
  EXPECT_EQ(read(folder_ / "bare.txt"), "bare");
  EXPECT_EQ(entries(folder_), std::vector<std::string>{"bare.txt"});
}

}  // namespace
}  // namespace loginspec::reports
