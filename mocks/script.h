// Scripted responses for a mock server: ordered rules with match conditions and use counts.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mocks/mock_server.h"
#include "mocks/transcript.h"

namespace loginspec::mocks {

// The secrets a scenario's servers accept.
struct AcceptedSecrets {
  std::string username;
  std::string password;
  std::vector<std::string> access_tokens;   // accepted as "Authorization: Bearer <token>"
  std::vector<std::string> refresh_tokens;  // accepted as grant_type=refresh_token
};

// Kind of credentials a request carried.
enum class Presented {
  kNone,
  kBasic,             // Authorization: Basic
  kBearer,            // Authorization: Bearer
  kOtherScheme,       // Authorization with any other scheme
  kFormPassword,      // form body with grant_type=password
  kFormRefreshToken,  // form body with grant_type=refresh_token
};
std::string_view to_string(Presented presented);
std::optional<Presented> parse_presented(std::string_view text);

struct Presentation {
  Presented kind = Presented::kNone;
  bool valid = false;  // the credentials match AcceptedSecrets
};
Presentation classify_credentials(const RecordedRequest& request, const AcceptedSecrets& secrets);

struct Match {
  std::optional<std::string> method;                   // exact (RFC 9110 §9.1: case-sensitive)
  std::optional<std::string> path;                     // exact; a trailing '*' matches a prefix
  std::vector<Presented> credentials;                  // any of these; empty: any
  std::optional<bool> valid;                           // credentials valid or not
  std::vector<std::pair<std::string, std::string>> query;  // each key present with this value; "*": any
  std::vector<std::pair<std::string, std::string>> form;   // same, over a form body

  bool matches(const RecordedRequest& request, const Presentation& presentation) const;
};

struct Rule {
  std::string name;            // shown in transcripts and errors, e.g. "registry.rules[0]"
  Match match;
  Response response;
  std::optional<int> times;    // how many requests this rule serves; nullopt: no limit
};

// Responds to each request with the first rule that matches and still has uses left.
// Placeholders filled when responding: ${date} (IMF-fixdate), ${now} (RFC 3339 UTC), ${content_length}.
class ScriptedResponder {
 public:
  ScriptedResponder(std::vector<Rule> rules, Response fallback, AcceptedSecrets secrets);
  ScriptedResponder(const ScriptedResponder& other);

  Response operator()(const RecordedRequest& request);

 private:
  std::vector<Rule> rules_;
  std::vector<int> used_;
  Response fallback_;
  AcceptedSecrets secrets_;
  std::mutex mutex_;
};

std::string http_date_now();     // "Fri, 04 Dec 2026 19:41:47 GMT"
std::string rfc3339_now();       // "2026-12-04T19:41:47Z"
// Replaces the answer-time placeholders in headers and body.
Response fill_answer_placeholders(Response response);

}  // namespace loginspec::mocks
