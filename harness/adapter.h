// Client adapters: how the harness makes a login client attempt one login.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reports/result.h"

namespace loginspec::harness {

// Everything a client needs for one login attempt.
struct LoginRequest {
  std::string registry_host;      // "127.0.0.1:40123" or "[::1]:40123", as given to the client
  std::string registry_url;       // "https://127.0.0.1:40123"
  bool registry_tls = false;
  std::string username;
  std::string password;
  std::filesystem::path ca_file;  // PEM of the scenario CA; empty for plain-HTTP scenarios
  std::filesystem::path client_certificate_file;  // PEM; set when the scenario gives the client one
  std::filesystem::path client_key_file;
  std::filesystem::path work_dir; // private 0700 folder for the client's home and stores
  std::chrono::milliseconds time_limit{20000};
  std::size_t output_cap = 64 * 1024;
};

// Credentials the client left in its store, as the adapter read them back.
struct StoredCredentials {
  std::filesystem::path file;
  unsigned mode = 0;              // permission bits of the file
  bool entry_found = false;       // an entry for the registry exists
  std::string username;
  std::string password;           // empty when none stored
  std::string identity_token;     // empty when none stored
  std::string raw;                // the file's text, for secret scanning
};

struct LoginAttempt {
  reports::ClientOutcome outcome;
  std::optional<StoredCredentials> stored;  // nullopt when the adapter cannot read the store
  std::string harness_error;                // non-empty: the adapter broke (verdict ERROR)
};

// Named abilities a scenario may require; a client without one is SKIPped with the reason.
struct Capability {
  std::string name;
  bool supported = true;
  std::string reason;  // why not, when unsupported
};

class ClientAdapter {
 public:
  virtual ~ClientAdapter() = default;
  virtual std::string name() const = 0;
  virtual std::string version() = 0;
  // nullopt when supported; otherwise the reason it is not (for SKIP).
  virtual std::optional<std::string> unsupported(const std::string& capability) const = 0;
  virtual LoginAttempt login(const LoginRequest& request) = 0;
};

// The capabilities scenarios may name; the loader rejects others.
const std::vector<std::string>& known_capabilities();

}  // namespace loginspec::harness
