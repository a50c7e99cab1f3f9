// Child processes: fork and exec with argv arrays (never a shell), a process group, pipes and a deadline.
#include "harness/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace loginspec::harness {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kGracePeriod{1000};
// How long output may keep coming after the client itself exited (from a descendant holding
// its pipes) before the rest of its process group is ended.
constexpr std::chrono::milliseconds kDrainPeriod{500};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::filesystem::path find_on_path(const std::string& program, const std::string& path_variable) {
  if (program.find('/') != std::string::npos) return program;
  std::stringstream stream(path_variable);
  std::string dir;
  while (std::getline(stream, dir, ':')) {
    if (dir.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string signal_name(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  return abbreviation != nullptr ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
}

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  auto start = Clock::now();
  if (spec.argv.empty()) {
    result.start_error = "empty argv";
    return result;
  }
  auto path_entry = spec.env.find("PATH");
  std::filesystem::path program =
      find_on_path(spec.argv[0], path_entry == spec.env.end() ? "/usr/local/bin:/usr/bin:/bin" : path_entry->second);
  if (program.empty()) {
    result.start_error = spec.argv[0] + ": not found on PATH";
    return result;
  }

  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : spec.env) env_strings.push_back(key + "=" + value);
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program_text = program.string();
  std::string dir_text = spec.working_dir.string();

  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    result.start_error = std::string("pipe failed: ") + std::strerror(errno);
    return result;
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    result.start_error = std::string("fork failed: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::signal(SIGPIPE, SIG_DFL);
    if (!dir_text.empty() && ::chdir(dir_text.c_str()) != 0) {
      int error = errno;
      ssize_t ignored = ::write(exec_pipe[1], &error, sizeof error);
      (void)ignored;
      ::_exit(127);
    }
    ::execve(program_text.c_str(), argv.data(), envp.data());
    int error = errno;
    ssize_t ignored = ::write(exec_pipe[1], &error, sizeof error);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so the group exists before any kill below
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);

  int exec_error = 0;
  bool exec_failed = ::read(exec_pipe[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  ::close(exec_pipe[0]);
  if (exec_failed) {
    ::waitpid(pid, nullptr, 0);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.start_error = program_text + ": cannot execute: " + std::strerror(exec_error);
    return result;
  }
  result.started = true;

  // Password on stdin, then EOF. A client that never reads stdin must not block us.
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  ssize_t ignored = ::write(in_pipe[1], spec.stdin_text.data(), spec.stdin_text.size());
  (void)ignored;
  int in_fd = in_pipe[1];
  close_fd(in_fd);

  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  auto deadline = start + spec.time_limit;
  bool terminated = false;
  Clock::time_point kill_at{};
  int status = 0;
  bool reaped = false;
  Clock::time_point drain_until{};

  while (true) {
    pollfd entries[2];
    int count = 0;
    int index_of[2];
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) {
        entries[count] = {fds[i], POLLIN, 0};
        index_of[count++] = i;
      }
    }
    if (count == 0) break;
    auto now = Clock::now();
    auto wake = terminated ? kill_at : deadline;
    int wait_ms = static_cast<int>(std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count()));
    int ready = ::poll(entries, count, std::min(wait_ms, 100));
    if (ready > 0) {
      for (int k = 0; k < count; ++k) {
        if ((entries[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        int i = index_of[k];
        char buffer[8192];
        ssize_t n = ::read(fds[i], buffer, sizeof buffer);
        if (n <= 0) {
          close_fd(fds[i]);
          continue;
        }
        std::size_t room = spec.output_cap > sinks[i]->size() ? spec.output_cap - sinks[i]->size() : 0;
        sinks[i]->append(buffer, std::min(room, static_cast<std::size_t>(n)));
        if (static_cast<std::size_t>(n) > room) result.output_truncated = true;
      }
    }
    // A child that exits while a descendant keeps the pipes open must not hold us until the deadline.
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      drain_until = Clock::now() + kDrainPeriod;
    }
    now = Clock::now();
    if (!terminated && spec.cancel != nullptr && spec.cancel->load()) {
      result.cancelled = true;
      terminated = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + kGracePeriod;
    } else if (!terminated && now >= deadline) {
      result.timed_out = true;
      terminated = true;
      ::kill(-pid, SIGTERM);
      kill_at = now + kGracePeriod;
    } else if (terminated && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      close_fd(fds[0]);
      close_fd(fds[1]);
    } else if (reaped && now >= drain_until) {
      break;
    }
  }
  close_fd(fds[0]);
  close_fd(fds[1]);

  // No descendant of the client outlives the scenario.
  ::kill(-pid, SIGKILL);
  if (!reaped) ::waitpid(pid, &status, 0);

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  if (result.timed_out) result.exit_code = -1;
  result.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

}  // namespace loginspec::harness
