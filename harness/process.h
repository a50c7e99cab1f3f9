// Runs a client as a child process in its own process group, with a time limit and capped output.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace loginspec::harness {

struct ProcessSpec {
  std::vector<std::string> argv;          // argv[0] is looked up on PATH when it has no '/'
  std::map<std::string, std::string> env; // the whole environment of the child
  std::string stdin_text;
  std::filesystem::path working_dir;
  std::chrono::milliseconds time_limit{20000};
  std::size_t output_cap = 64 * 1024;     // bytes kept per stream; the rest is counted, not stored
  const std::atomic<bool>* cancel = nullptr;  // when it turns true, the process group is ended early
};

struct ProcessResult {
  bool started = false;
  std::string start_error;   // why it could not start (e.g. "skopeo: not found on PATH")
  int exit_code = -1;        // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  bool cancelled = false;    // ended because `cancel` turned true
  std::string stdout_text;
  std::string stderr_text;
  bool output_truncated = false;
  double wall_ms = 0;
};

// Runs the process to the end. On timeout the whole process group gets SIGTERM, then SIGKILL
// after a grace period. The group is always killed at the end, so no descendant outlives it.
ProcessResult run_process(const ProcessSpec& spec);

// Returns the full path of a program found on PATH, or an empty path.
std::filesystem::path find_on_path(const std::string& program, const std::string& path_variable);

std::string signal_name(int signal);

}  // namespace loginspec::harness
