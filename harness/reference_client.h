// The built-in reference login client: the docker login flow, done as the specs require.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace loginspec::harness {

// Deliberate mistakes, each switched on to prove that some check really fails.
struct ReferenceFaults {
  bool ignore_service = false;              // omit service from the token request
  bool send_password_to_registry = false;   // send Basic credentials to the registry as well
  bool retry_without_bound = false;         // keep retrying /v2/ after a rejected token
  bool accept_any_certificate = false;      // skip TLS verification
  bool keep_password_with_identity_token = false;
  bool print_password = false;              // echo the password in the output
  bool report_success_always = false;       // claim success whatever happened
  bool skip_token_credentials = false;      // request the token without credentials
  bool skip_bearer_retry = false;           // report success after the token, without retrying /v2/
  bool world_readable_store = false;        // write the credential file with mode 0644
  bool follow_any_realm = false;            // send credentials to a plain-HTTP realm from an HTTPS registry
  bool keep_credentials_on_redirect = false;  // keep Authorization when the token server redirects elsewhere
  bool guess_realm = false;                 // without a realm, ask the registry's /token instead of failing
  bool skip_store = false;                  // report success without writing the credential store

  // Parses "name,name,..." (the names are the field names with '-' for '_'); throws std::invalid_argument.
  static ReferenceFaults parse(const std::string& list);
  static std::string names();
};

struct ReferenceOptions {
  std::string registry;                 // "host:port" or a URL with http:// or https://
  std::string username;
  std::string password;
  std::filesystem::path ca_file;        // extra CA to trust; empty: the system store
  std::filesystem::path client_certificate_file;  // PEM; presented when a server requests one
  std::filesystem::path client_key_file;
  bool insecure = false;                // plain HTTP allowed when the registry is given without scheme
  std::filesystem::path config_dir;     // where config.json is written (Docker layout)
  std::chrono::milliseconds time_limit{20000};
  ReferenceFaults faults;
};

struct ReferenceResult {
  bool success = false;
  std::string output;   // what the client prints: "Login Succeeded" or "Error: ..."
  std::string config_file;
};

// Runs one login. Never throws for protocol or network failures; they end up in `output`.
ReferenceResult reference_login(const ReferenceOptions& options);

}  // namespace loginspec::harness
