// Tests for child processes: exit codes, stdin, output caps, time limits, process groups.
#include "harness/process.h"

#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace loginspec::harness {
namespace {

using ::testing::HasSubstr;

ProcessSpec shell(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  spec.time_limit = std::chrono::milliseconds(5000);
  return spec;
}

TEST(ProcessTest, ReportsExitCodeAndOutput) {
  auto result = run_process(shell("echo out; echo err >&2; exit 7"));
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.stdout_text, "out\n");
  EXPECT_EQ(result.stderr_text, "err\n");
  EXPECT_FALSE(result.timed_out);
}

TEST(ProcessTest, FeedsStdin) {
  ProcessSpec spec = shell("read line; echo \"got:$line\"");
  spec.stdin_text = "s3cret\n";
  auto result = run_process(spec);
  EXPECT_EQ(result.stdout_text, "got:s3cret\n");
}

TEST(ProcessTest, CapsOutput) {
  ProcessSpec spec = shell("head -c 100000 /dev/zero | tr '\\0' x");
  spec.output_cap = 1000;
  auto result = run_process(spec);
  EXPECT_EQ(result.stdout_text.size(), 1000u);
  EXPECT_TRUE(result.output_truncated);
}

TEST(ProcessTest, KillsWholeGroupOnTimeout) {
  char dir_template[] = "/tmp/loginspec-process-test-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string pid_file = dir + "/grandchild.pid";
  ProcessSpec spec = shell("sleep 30 & echo $! > " + pid_file + "; wait");
  spec.time_limit = std::chrono::milliseconds(300);
  auto result = run_process(spec);
  EXPECT_TRUE(result.timed_out);
  EXPECT_LT(result.wall_ms, 5000);

  std::ifstream in(pid_file);
  int grandchild = 0;
  in >> grandchild;
  ASSERT_GT(grandchild, 0);
  // The grandchild was started by the test's own child. SIGKILL is delivered asynchronously, so
  // wait a little for it to die; a zombie waiting for init to reap it counts as dead.
  std::string state = "?";
  for (int i = 0; i < 200; ++i) {
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string pid_field, command;
    if (!(stat >> pid_field >> command >> state) || state == "Z") {
      state = "gone";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(state, "gone") << "process " << grandchild << " is still alive";
  std::filesystem::remove_all(dir);
}

TEST(ProcessTest, EndsEarlyWhenCancelled) {
  std::atomic<bool> cancel{false};
  ProcessSpec spec = shell("sleep 30");
  spec.time_limit = std::chrono::milliseconds(20000);
  spec.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto result = run_process(spec);
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_FALSE(result.timed_out);
  EXPECT_LT(result.wall_ms, 5000);
}

TEST(ProcessTest, DoesNotWaitForBackgroundDescendant) {
  auto result = run_process(shell("sleep 30 & echo done"));
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_text, "done\n");
  EXPECT_LT(result.wall_ms, 3000);
}

TEST(ProcessTest, ReportsSignal) {
  auto result = run_process(shell("kill -SEGV $$"));
  EXPECT_EQ(result.signal, SIGSEGV);
  EXPECT_EQ(signal_name(result.signal), "SIGSEGV");
}

TEST(ProcessTest, ReportsMissingProgram) {
  ProcessSpec spec;
  spec.argv = {"loginspec-no-such-program"};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  auto result = run_process(spec);
  EXPECT_FALSE(result.started);
  EXPECT_THAT(result.start_error, HasSubstr("not found on PATH"));
}

TEST(ProcessTest, PassesOnlyGivenEnvironment) {
  ProcessSpec spec = shell("echo \"[$HOME][$PATH]\"");
  spec.env["HOME"] = "/nowhere";
  auto result = run_process(spec);
  EXPECT_EQ(result.stdout_text, "[/nowhere][/usr/bin:/bin]\n");
}

}  // namespace
}  // namespace loginspec::harness
