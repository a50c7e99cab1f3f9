// Reference adapter: the built-in client, with its docker-layout store read back like any other.
#include "harness/reference_adapter.h"

#include <chrono>

#include "harness/credential_store.h"

#ifndef LOGINSPEC_VERSION
#define LOGINSPEC_VERSION "0.0.0"
#endif

namespace loginspec::harness {

std::string ReferenceAdapter::name() const { return "reference"; }

std::string ReferenceAdapter::version() { return LOGINSPEC_VERSION; }

std::optional<std::string> ReferenceAdapter::unsupported(const std::string&) const { return std::nullopt; }

LoginAttempt ReferenceAdapter::login(const LoginRequest& request) {
  ReferenceOptions options;
  options.registry = request.registry_host;
  options.username = request.username;
  options.password = request.password;
  options.ca_file = request.ca_file;
  options.client_certificate_file = request.client_certificate_file;
  options.client_key_file = request.client_key_file;
  options.insecure = !request.registry_tls;
  options.config_dir = request.work_dir / "docker";
  options.time_limit = request.time_limit;
  options.faults = faults_;

  auto start = std::chrono::steady_clock::now();
  ReferenceResult result = reference_login(options);

  LoginAttempt attempt;
  attempt.outcome.ran = true;
  attempt.outcome.reported_success = result.success;
  attempt.outcome.exit_code = result.success ? 0 : 1;
  (result.success ? attempt.outcome.stdout_text : attempt.outcome.stderr_text) = result.output;
  attempt.outcome.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  try {
    attempt.stored = read_auths_file(options.config_dir / "config.json", {request.registry_host});
  } catch (const std::exception& error) {
    attempt.harness_error = error.what();
  }
  return attempt;
}

}  // namespace loginspec::harness
