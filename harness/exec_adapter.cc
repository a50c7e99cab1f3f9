// Exec adapter: profile loading, placeholder filling, a private home per login, store read-back.
#include "harness/exec_adapter.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "harness/credential_store.h"
#include "harness/environment.h"
#include "harness/process.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"
#include "mocks/transcript.h"

namespace loginspec::harness {

namespace {

using nlohmann::json;

const std::set<std::string> kPlaceholders = {"username", "password", "registry", "registry_url", "home",
                                             "store",    "ca_file",  "ca_dir",   "tls_args",     "scratch"};

[[noreturn]] void profile_error(const std::filesystem::path& file, const std::string& pointer, const std::string& expected,
                                const std::string& found) {
  throw std::invalid_argument(file_error_message(file, pointer, expected, found));
}

std::vector<std::string> string_list(const std::filesystem::path& file, const json& document, const std::string& key,
                                     bool required) {
  std::vector<std::string> out;
  if (!document.contains(key)) {
    if (required) profile_error(file, "/" + key, "an array of strings (required)", "nothing");
    return out;
  }
  const json& value = document.at(key);
  if (!value.is_array()) profile_error(file, "/" + key, "an array of strings", value.dump());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) profile_error(file, "/" + key + "/" + std::to_string(i), "a string", value[i].dump());
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

// Checks that every ${...} names a known placeholder; in argv, a placeholder must be the whole argument.
void check_placeholders(const std::filesystem::path& file, const std::string& pointer, const std::string& text,
                        bool whole_argument) {
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
    std::size_t end = text.find('}', at);
    if (end == std::string::npos) profile_error(file, pointer, "a closing '}'", "\"" + text + "\"");
    std::string name = text.substr(at + 2, end - at - 2);
    if (kPlaceholders.count(name) == 0) {
      profile_error(file, pointer,
                    "one of ${username}, ${password}, ${registry}, ${registry_url}, ${home}, ${scratch}, ${store}, "
                    "${ca_file}, ${ca_dir}, ${tls_args}",
                    "\"${" + name + "}\"");
    }
    // Values that come from a scenario fill whole arguments, so no scenario can change how the
    // client parses its command line. Paths the harness makes may be composed with text.
    bool harness_path = name == "home" || name == "scratch" || name == "store" || name == "ca_dir" || name == "ca_file";
    if (whole_argument && !harness_path && (at != 0 || end + 1 != text.size())) {
      profile_error(file, pointer, "${" + name + "} to fill the whole argument", "\"" + text + "\"");
    }
    if (whole_argument && name == "password") {
      profile_error(file, pointer, "no password on the command line (other users can read it; pass it on stdin)",
                    "\"" + text + "\"");
    }
  }
}


}  // namespace

ClientProfile load_client_profile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument(file.string() + ": cannot open client profile (no such file or not readable)");
  std::stringstream text;
  text << in.rdbuf();
  json document;
  try {
    document = json::parse(text.str(), nullptr, true, true);
  } catch (const json::parse_error& error) {
    throw std::invalid_argument(file.string() + ": expected valid JSON, found a syntax error at byte " +
                             std::to_string(error.byte));
  }
  if (!document.is_object()) profile_error(file, "/", "a JSON object", document.dump());

  static const std::set<std::string> kKeys = {"name",       "title",          "version_argv",       "login_argv",
                                              "stdin",      "env",            "plain_http_args",    "https_args",
                                              "success_exit_codes", "store_file", "store_keys", "unsupported", "files"};
  for (const auto& [key, unused] : document.items()) {
    if (kKeys.count(key) == 0) profile_error(file, "/" + key, "a known profile key", "unknown key \"" + key + "\"");
  }

  ClientProfile profile;
  profile.file = file;
  auto get_string = [&](const std::string& key, bool required) -> std::string {
    if (!document.contains(key)) {
      if (required) profile_error(file, "/" + key, "a string (required)", "nothing");
      return "";
    }
    if (!document[key].is_string()) profile_error(file, "/" + key, "a string", document[key].dump());
    return document[key].get<std::string>();
  };
  profile.name = get_string("name", true);
  profile.title = get_string("title", false);
  profile.version_argv = string_list(file, document, "version_argv", false);
  profile.login_argv = string_list(file, document, "login_argv", true);
  if (profile.login_argv.empty()) profile_error(file, "/login_argv", "at least the program name", "an empty array");
  for (std::size_t i = 0; i < profile.login_argv.size(); ++i) {
    check_placeholders(file, "/login_argv/" + std::to_string(i), profile.login_argv[i], true);
  }
  if (document.contains("stdin")) profile.stdin_text = get_string("stdin", false);
  check_placeholders(file, "/stdin", profile.stdin_text, false);
  if (document.contains("env")) {
    if (!document["env"].is_object()) profile_error(file, "/env", "an object of strings", document["env"].dump());
    for (const auto& [key, value] : document["env"].items()) {
      if (!value.is_string()) profile_error(file, "/env/" + key, "a string", value.dump());
      check_placeholders(file, "/env/" + key, value.get<std::string>(), false);
      profile.env[key] = value.get<std::string>();
    }
  }
  profile.plain_http_args = string_list(file, document, "plain_http_args", false);
  for (std::size_t i = 0; i < profile.plain_http_args.size(); ++i) {
    check_placeholders(file, "/plain_http_args/" + std::to_string(i), profile.plain_http_args[i], true);
  }
  profile.https_args = string_list(file, document, "https_args", false);
  for (std::size_t i = 0; i < profile.https_args.size(); ++i) {
    check_placeholders(file, "/https_args/" + std::to_string(i), profile.https_args[i], true);
  }
  if (document.contains("success_exit_codes")) {
    profile.success_exit_codes.clear();
    for (const auto& code : document["success_exit_codes"]) {
      if (!code.is_number_integer()) profile_error(file, "/success_exit_codes", "integers", code.dump());
      profile.success_exit_codes.push_back(code.get<int>());
    }
  }
  if (document.contains("files")) {
    if (!document["files"].is_object()) profile_error(file, "/files", "an object of path -> text", document["files"].dump());
    for (const auto& [key, value] : document["files"].items()) {
      check_placeholders(file, "/files/" + key, key, false);
      if (!key.starts_with("${home}/") && !key.starts_with("${scratch}/")) {
        profile_error(file, "/files/" + key, "a path under ${home}/ or ${scratch}/", "\"" + key + "\"");
      }
      if (!value.is_string()) profile_error(file, "/files/" + key, "a string", value.dump());
      profile.files[key] = value.get<std::string>();
    }
  }
  profile.store_file = get_string("store_file", false);
  check_placeholders(file, "/store_file", profile.store_file, false);
  if (document.contains("store_keys")) profile.store_keys = string_list(file, document, "store_keys", false);
  if (document.contains("unsupported")) {
    const auto& capabilities = known_capabilities();
    for (const auto& [key, value] : document["unsupported"].items()) {
      if (std::find(capabilities.begin(), capabilities.end(), key) == capabilities.end()) {
        profile_error(file, "/unsupported/" + key, "a known capability", "\"" + key + "\"");
      }
      if (!value.is_string() || value.get<std::string>().empty()) {
        profile_error(file, "/unsupported/" + key, "a non-empty reason", value.dump());
      }
      profile.unsupported[key] = value.get<std::string>();
    }
  }
  return profile;
}

std::filesystem::path resolve_client_profile(const std::string& name_or_path, const std::filesystem::path& dir) {
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json")) return name_or_path;
  std::filesystem::path file = dir / (name_or_path + ".json");
  if (!std::filesystem::exists(file)) {
    std::vector<std::string> names = {"reference"};
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin() + 1, names.end());
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown client \"" + name_or_path + "\": no profile " + file.string() +
                                "; known clients: " + list + " (or give the path of a profile file)");
  }
  return file;
}

ExecAdapter::ExecAdapter(ClientProfile profile) : profile_(std::move(profile)) {}

std::optional<std::string> ExecAdapter::missing_program() const {
  const char* path = std::getenv("PATH");
  if (find_on_path(profile_.login_argv[0], path ? path : "").empty()) {
    return profile_.login_argv[0] + " is not installed (not found on PATH)";
  }
  return std::nullopt;
}

std::string ExecAdapter::version() {
  if (version_) return *version_;
  version_ = "";
  if (profile_.version_argv.empty()) return *version_;
  ProcessSpec spec;
  spec.argv = profile_.version_argv;
  const char* path = std::getenv("PATH");
  spec.env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  spec.env["HOME"] = "/nonexistent";
  spec.time_limit = std::chrono::milliseconds(10000);
  ProcessResult result = run_process(spec);
  std::string text = result.stdout_text.empty() ? result.stderr_text : result.stdout_text;
  version_ = text.substr(0, text.find('\n'));
  return *version_;
}

std::optional<std::string> ExecAdapter::unsupported(const std::string& capability) const {
  auto found = profile_.unsupported.find(capability);
  if (found == profile_.unsupported.end()) return std::nullopt;
  return found->second;
}

LoginAttempt ExecAdapter::login(const LoginRequest& request) {
  LoginAttempt attempt;
  std::filesystem::path home = request.work_dir / "home";
  std::filesystem::path ca_dir = request.work_dir / "certs";
  std::error_code error;
  std::filesystem::create_directories(home / "tmp", error);
  std::filesystem::permissions(home, std::filesystem::perms::owner_all, error);
  if (!request.ca_file.empty() || !request.client_certificate_file.empty()) {
    std::filesystem::create_directories(ca_dir, error);
  }
  if (!request.client_certificate_file.empty()) {
    // The containers certs.d layout: *.cert and *.key pairs are client certificates.
    std::filesystem::copy_file(request.client_certificate_file, ca_dir / "client.cert",
                               std::filesystem::copy_options::overwrite_existing, error);
    if (!error) {
      std::filesystem::copy_file(request.client_key_file, ca_dir / "client.key",
                                 std::filesystem::copy_options::overwrite_existing, error);
    }
    if (error) {
      attempt.harness_error = "cannot copy the client certificate to " + ca_dir.string() + ": " + error.message();
      return attempt;
    }
  }
  if (!request.ca_file.empty()) {
    std::filesystem::copy_file(request.ca_file, ca_dir / "ca.crt", std::filesystem::copy_options::overwrite_existing,
                               error);
    if (error) {
      attempt.harness_error = "cannot copy the CA to " + (ca_dir / "ca.crt").string() + ": " + error.message();
      return attempt;
    }
  }

  // Some clients limit path lengths (podman's runroot: 50 bytes), so ${scratch} is a short
  // private folder outside the run folder, removed after the login.
  std::filesystem::path scratch;
  bool uses_scratch = false;
  for (const auto& arg : profile_.login_argv) uses_scratch = uses_scratch || arg.find("${scratch}") != std::string::npos;
  for (const auto& [key, value] : profile_.env) uses_scratch = uses_scratch || value.find("${scratch}") != std::string::npos;
  for (const auto& [key, value] : profile_.files) uses_scratch = uses_scratch || key.find("${scratch}") != std::string::npos;
  for (const auto& arg : profile_.plain_http_args) uses_scratch = uses_scratch || arg.find("${scratch}") != std::string::npos;
  for (const auto& arg : profile_.https_args) uses_scratch = uses_scratch || arg.find("${scratch}") != std::string::npos;
  uses_scratch = uses_scratch || profile_.store_file.find("${scratch}") != std::string::npos ||
                 profile_.stdin_text.find("${scratch}") != std::string::npos;
  if (uses_scratch) scratch = make_private_directory("ls-");
  struct ScratchCleanup {
    std::filesystem::path path;
    ~ScratchCleanup() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove_all(path, ignored);
    }
  } cleanup{scratch};

  std::map<std::string, std::string> values = {
      {"username", request.username}, {"password", request.password},          {"registry", request.registry_host},
      {"registry_url", request.registry_url}, {"home", home.string()},          {"ca_file", request.ca_file.string()},
      {"ca_dir", ca_dir.string()}, {"scratch", scratch.string()}};
  auto fill = [&](std::string text) {
    for (const auto& [name, value] : values) mocks::replace_all(text, "${" + name + "}", value);
    return text;
  };
  values["store"] = fill(profile_.store_file);
  for (const auto& [path_template, text] : profile_.files) {
    std::filesystem::path path = fill(path_template);
    std::filesystem::create_directories(path.parent_path(), error);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << fill(text);
    if (!out) {
      attempt.harness_error = "cannot write " + path.string() + " for the client";
      return attempt;
    }
  }

  ProcessSpec spec;
  for (const auto& arg : profile_.login_argv) {
    if (arg == "${tls_args}") {
      for (const auto& extra : request.registry_tls ? profile_.https_args : profile_.plain_http_args) {
        spec.argv.push_back(fill(extra));
      }
    } else {
      spec.argv.push_back(fill(arg));
    }
  }
  const char* path = std::getenv("PATH");
  spec.env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  spec.env["HOME"] = home.string();
  spec.env["TMPDIR"] = (home / "tmp").string();
  spec.env["LANG"] = "C.UTF-8";
  for (const auto& [key, value] : profile_.env) spec.env[key] = fill(value);
  spec.stdin_text = fill(profile_.stdin_text);
  spec.working_dir = home;
  spec.time_limit = request.time_limit;
  spec.output_cap = request.output_cap;
  spec.cancel = &stop_flag();

  ProcessResult result = run_process(spec);
  if (!result.started) {
    attempt.harness_error = "cannot start " + profile_.name + ": " + result.start_error;
    return attempt;
  }
  if (result.cancelled) {
    attempt.harness_error = "the run was interrupted while " + profile_.name + " was running";
    return attempt;
  }
  attempt.outcome.ran = true;
  attempt.outcome.exit_code = result.exit_code;
  attempt.outcome.timed_out = result.timed_out;
  if (result.signal != 0 && !result.timed_out) attempt.outcome.signal = signal_name(result.signal);
  attempt.outcome.stdout_text = result.stdout_text;
  attempt.outcome.stderr_text = result.stderr_text;
  attempt.outcome.wall_ms = result.wall_ms;
  bool success_code = std::find(profile_.success_exit_codes.begin(), profile_.success_exit_codes.end(),
                                result.exit_code) != profile_.success_exit_codes.end();
  attempt.outcome.reported_success = !result.timed_out && result.signal == 0 && success_code;

  if (!profile_.store_file.empty()) {
    std::vector<std::string> keys;
    for (const auto& key : profile_.store_keys) keys.push_back(fill(key));
    try {
      attempt.stored = read_auths_file(values["store"], keys);
    } catch (const std::exception& read_error) {
      attempt.harness_error = read_error.what();
    }
  }
  return attempt;
}

}  // namespace loginspec::harness
