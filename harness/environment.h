// One scenario's live servers: TLS material, mock registry and token server, filled templates.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapter.h"
#include "harness/checks.h"
#include "harness/scenario.h"
#include "mocks/mock_server.h"
#include "mocks/tls_material.h"

namespace loginspec::harness {

// TLS material shared by every scenario of a run: one CA, leaf certificates cached by profile
// and host, because making RSA keys is the slowest step of starting a scenario.
class TlsMaterialCache {
 public:
  explicit TlsMaterialCache(std::filesystem::path run_dir);
  // Returns the PEM file of the run CA, making the CA on first use.
  const std::filesystem::path& ca_file();
  mocks::ServerTlsOptions server_options(TlsProfile profile, const std::string& host);
  // A client certificate issued by the run CA, written as PEM files; for client-certificate scenarios.
  std::pair<std::filesystem::path, std::filesystem::path> client_certificate_files();

 private:
  void ensure_ca_locked();

  std::filesystem::path run_dir_;
  std::filesystem::path ca_file_;
  std::mutex mutex_;
  std::optional<mocks::CertificateAuthority> ca_;
  std::optional<mocks::CertificateAuthority> unknown_ca_;
  std::optional<mocks::CertificateAuthority> intermediate_;
  std::shared_ptr<EVP_PKEY> leaf_key_;       // one EC key certified by every leaf of the run but the weak one
  std::shared_ptr<EVP_PKEY> weak_leaf_key_;  // the 1024-bit one
  std::map<std::pair<TlsProfile, std::string>, mocks::ServerTlsOptions> cache_;
  std::optional<std::pair<std::filesystem::path, std::filesystem::path>> client_files_;
};

class ScenarioEnvironment {
 public:
  // Starts the scenario's servers; throws std::runtime_error when that fails.
  ScenarioEnvironment(const Scenario& scenario, TlsMaterialCache& tls, std::filesystem::path work_dir);
  ~ScenarioEnvironment();

  // Stops every server and joins its threads; the transcript is complete afterwards.
  void stop();

  const ScenarioRuntime& runtime() const { return runtime_; }
  LoginRequest login_request();
  std::vector<mocks::RecordedRequest> transcript() const { return transcript_->snapshot(); }
  // Replaces ${...} variables in text with this scenario's values.
  std::string fill(const std::string& text) const;

 private:
  mocks::ScriptedResponder registry_responder() const;
  mocks::ScriptedResponder auth_responder() const;
  mocks::Rule fill_rule(const mocks::Rule& rule) const;
  mocks::Response fill_response(const mocks::Response& response) const;

  const Scenario& scenario_;
  TlsMaterialCache& tls_;
  std::filesystem::path work_dir_;
  ScenarioRuntime runtime_;
  std::map<std::string, std::string> variables_;
  std::shared_ptr<mocks::Transcript> transcript_;
  std::unique_ptr<mocks::MockServer> registry_;
  std::unique_ptr<mocks::MockServer> auth_;
  std::unique_ptr<mocks::MockServer> other_;
  struct Slot {
    std::mutex mutex;
    std::unique_ptr<mocks::ScriptedResponder> responder;
  };
  std::shared_ptr<Slot> registry_slot_;
  std::shared_ptr<Slot> auth_slot_;
  std::shared_ptr<Slot> other_slot_;
};

// Makes a private 0700 folder under the system temporary folder; throws on failure.
std::filesystem::path make_private_directory(const std::string& prefix);

}  // namespace loginspec::harness
