// The check catalogue: each check has an id, a level, the spec clause it enforces, and an
// evaluation over recorded facts (transcript, client outcome, stored credentials).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/adapter.h"
#include "harness/scenario.h"
#include "mocks/script.h"
#include "mocks/transcript.h"
#include "reports/result.h"

namespace loginspec::harness {

// Values fixed when a scenario's servers start.
struct ScenarioRuntime {
  std::string registry_url;
  std::string registry_host;
  std::string auth_url;        // empty without a token server
  std::string auth_host;
  std::string other_url;       // empty without the other server
  std::string other_host;
  std::string realm;
  std::string token;           // access token the token server issues
  std::string refresh_token;   // refresh token it issues when asked
  std::string service;         // the scenario's service name
  std::vector<std::string> challenge_lines;  // WWW-Authenticate lines of the registry's 401
  std::string auth_path;       // path of the token endpoint
  std::string realm_server;    // which server the challenge's realm points at ("auth", "registry", "other")
  std::string realm_path;      // and the path there
  mocks::AcceptedSecrets accepted;           // what the registry and token server accept
  std::vector<std::string> secrets() const;  // values to redact and to look for in output
};

struct CheckContext {
  const Scenario& scenario;
  const ScenarioRuntime& runtime;
  const std::vector<mocks::RecordedRequest>& transcript;
  const LoginAttempt& attempt;
  const std::string& password;  // the password the client was given
};

struct Evaluation {
  enum class Kind { kPass, kViolated, kSkip } kind = Kind::kPass;
  std::string message;
  static Evaluation pass(std::string message = "") { return {Kind::kPass, std::move(message)}; }
  static Evaluation violated(std::string message) { return {Kind::kViolated, std::move(message)}; }
  static Evaluation skip(std::string message) { return {Kind::kSkip, std::move(message)}; }
};

enum class ParamType { kInteger, kString, kBoolean };

struct CheckDefinition {
  std::string id;
  reports::Level level;
  std::string spec;      // clause it enforces
  std::string summary;   // one sentence: what the client must do
  std::map<std::string, ParamType> params;
  std::function<Evaluation(const CheckContext&, const nlohmann::json& params)> evaluate;
};

const std::vector<CheckDefinition>& check_catalogue();
const CheckDefinition* find_check(std::string_view id);
// Checks every scenario gets without naming them.
const std::vector<std::string>& default_check_ids();

// Runs one check; a violated MUST gives FAIL, a violated SHOULD gives WARN (FAIL when strict),
// an INFO check always gives PASS with its message.
reports::CheckResult run_check(const CheckDefinition& definition, const CheckContext& context,
                               const nlohmann::json& params, bool strict);

}  // namespace loginspec::harness
