// Shared pieces of the command line: exit codes, usage errors, option values, default folders.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace loginspec::cli {

constexpr int kExitOk = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Returns the value after option args[i] and advances i; throws UsageError when it is missing.
inline std::string take_value(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError("option " + args[i] + " needs a value");
  return args[++i];
}

// A folder of the source tree (scenarios/, fixtures/clients/), the defaults for --scenarios and --profiles.
inline std::filesystem::path default_dir(const char* relative) {
  return std::filesystem::path(LOGINSPEC_SOURCE_DIR) / relative;
}

// Subcommands implemented in their own files; each takes the arguments after its name.
int command_serve(const std::vector<std::string>& args);
int command_fuzz(const std::vector<std::string>& args);

}  // namespace loginspec::cli
