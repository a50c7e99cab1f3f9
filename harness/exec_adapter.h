// The exec adapter: drives any command-line login client described by a JSON profile.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapter.h"

namespace loginspec::harness {

struct ClientProfile {
  std::filesystem::path file;
  std::string name;
  std::string title;
  std::vector<std::string> version_argv;
  std::vector<std::string> login_argv;                 // each element a literal or exactly one ${placeholder}
  std::string stdin_text = "${password}\n";
  std::map<std::string, std::string> env;              // values may combine placeholders and text
  std::vector<std::string> plain_http_args;            // replaces ${tls_args} for a plain-HTTP registry
  std::vector<std::string> https_args;                 // replaces ${tls_args} for an HTTPS registry
  std::vector<int> success_exit_codes = {0};
  std::map<std::string, std::string> files;            // path template -> text, written before the login
  std::string store_file;                              // e.g. "${home}/auth.json"; empty: unknown store
  std::vector<std::string> store_keys = {"${registry}"};
  std::map<std::string, std::string> unsupported;      // capability -> reason
};

// Loads and validates a profile; throws std::runtime_error naming the file, the JSON pointer,
// what was expected and what was found.
ClientProfile load_client_profile(const std::filesystem::path& file);

// Finds a profile by name in `dir` (NAME.json) or takes a path to a .json file.
std::filesystem::path resolve_client_profile(const std::string& name_or_path, const std::filesystem::path& dir);

class ExecAdapter final : public ClientAdapter {
 public:
  explicit ExecAdapter(ClientProfile profile);
  std::string name() const override { return profile_.name; }
  std::string version() override;
  std::optional<std::string> unsupported(const std::string& capability) const override;
  LoginAttempt login(const LoginRequest& request) override;

  // Why the client cannot run at all (e.g. its program is not installed), or nullopt.
  std::optional<std::string> missing_program() const;

 private:
  ClientProfile profile_;
  std::optional<std::string> version_;
};

}  // namespace loginspec::harness
