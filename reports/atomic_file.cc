// Atomic report file writing with a temporary file and rename(2).
#include "reports/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace loginspec::reports {

namespace {

[[noreturn]] void throw_write_error(const std::filesystem::path& path, std::string_view step,
                                    int error_number) {
  throw std::runtime_error("failed to write " + path.string() + ": " + std::string(step) + ": " +
                           std::strerror(error_number));
}

// Opens a new temporary file beside path, with O_EXCL so that no existing file is reused.
int create_temporary_file(const std::filesystem::path& path, std::filesystem::path& temporary) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  const std::string prefix = "." + path.filename().string() + ".tmp-" + std::to_string(::getpid());

  // Another process or thread may hold the same name, so a few names are tried.
  constexpr int kAttempts = 16;
  int error_number = 0;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    temporary = folder / (prefix + "-" + std::to_string(counter.fetch_add(1)));
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    error_number = errno;
    if (error_number != EEXIST) break;
  }
  throw_write_error(path, "cannot create temporary file " + temporary.string(), error_number);
}

// Writes all of data to fd, resuming after partial writes and EINTR. Returns 0 or errno.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  if (!buffer)
    throw std::runtime_error("failed to write " + path.string() + ": report stream failed");
  const std::string data = std::move(buffer).str();

  std::filesystem::path temporary;
  const int fd = create_temporary_file(path, temporary);

  const auto discard = [&](std::string_view step, int error_number) {
    ::unlink(temporary.c_str());
    throw_write_error(path, step, error_number);
  };

  if (const int error_number = write_all(fd, data); error_number != 0) {
    ::close(fd);
    discard("write", error_number);
  }
  if (::fsync(fd) != 0) {
    const int error_number = errno;
    ::close(fd);
    discard("fsync", error_number);
  }
  if (::close(fd) != 0) discard("close", errno);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) discard("rename", errno);
}

}  // namespace loginspec::reports
