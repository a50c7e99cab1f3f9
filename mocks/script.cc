// Rule matching and answer-time placeholders for scripted mock servers.
#include "mocks/script.h"

#include <ctime>

#include "protocol/basic.h"
#include "protocol/challenge.h"

namespace loginspec::mocks {

std::string_view to_string(Presented presented) {
  switch (presented) {
    case Presented::kNone: return "none";
    case Presented::kBasic: return "basic";
    case Presented::kBearer: return "bearer";
    case Presented::kOtherScheme: return "other";
    case Presented::kFormPassword: return "form-password";
    case Presented::kFormRefreshToken: return "form-refresh-token";
  }
  return "none";
}

std::optional<Presented> parse_presented(std::string_view text) {
  for (Presented p : {Presented::kNone, Presented::kBasic, Presented::kBearer, Presented::kOtherScheme,
                      Presented::kFormPassword, Presented::kFormRefreshToken}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

namespace {

bool contains(const std::vector<std::string>& values, std::string_view value) {
  for (const auto& v : values) {
    if (v == value) return true;
  }
  return false;
}

std::string_view scheme_of(std::string_view authorization) {
  std::size_t space = authorization.find(' ');
  return authorization.substr(0, space);
}

std::string_view credentials_of(std::string_view authorization) {
  std::size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view rest = authorization.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}


bool pairs_match(const std::vector<std::pair<std::string, std::string>>& wanted,
                 const std::vector<std::pair<std::string, std::string>>& present) {
  for (const auto& [key, value] : wanted) {
    const std::string* found = find_pair(present, key);
    if (found == nullptr) return false;
    if (value != "*" && *found != value) return false;
  }
  return true;
}


}  // namespace

Presentation classify_credentials(const RecordedRequest& request, const AcceptedSecrets& secrets) {
  Presentation result;
  if (const std::string* authorization = request.header("Authorization")) {
    std::string_view scheme = scheme_of(*authorization);
    if (protocol::iequals(scheme, "Basic")) {
      result.kind = Presented::kBasic;
      auto parsed = protocol::parse_basic_authorization(*authorization);
      result.valid = parsed.credentials && parsed.credentials->username == secrets.username &&
                     parsed.credentials->password == secrets.password;
    } else if (protocol::iequals(scheme, "Bearer")) {
      result.kind = Presented::kBearer;
      result.valid = contains(secrets.access_tokens, credentials_of(*authorization));
    } else {
      result.kind = Presented::kOtherScheme;
    }
    return result;
  }

  if (request.method == "POST") {
    auto form = request.form();
    const std::string* grant = find_pair(form, "grant_type");
    if (grant != nullptr && *grant == "password") {
      result.kind = Presented::kFormPassword;
      const std::string* user = find_pair(form, "username");
      const std::string* pass = find_pair(form, "password");
      result.valid = user && pass && *user == secrets.username && *pass == secrets.password;
    } else if (grant != nullptr && *grant == "refresh_token") {
      result.kind = Presented::kFormRefreshToken;
      const std::string* token = find_pair(form, "refresh_token");
      result.valid = token != nullptr && contains(secrets.refresh_tokens, *token);
    }
  }
  return result;
}

bool Match::matches(const RecordedRequest& request, const Presentation& presentation) const {
  if (method && *method != request.method) return false;
  if (path) {
    if (!path->empty() && path->back() == '*') {
      std::string_view prefix(path->data(), path->size() - 1);
      if (request.path.compare(0, prefix.size(), prefix) != 0) return false;
    } else if (*path != request.path) {
      return false;
    }
  }
  if (!credentials.empty()) {
    bool any = false;
    for (Presented p : credentials) any = any || p == presentation.kind;
    if (!any) return false;
  }
  if (valid && *valid != presentation.valid) return false;
  if (!pairs_match(query, request.query)) return false;
  if (!form.empty() && !pairs_match(form, request.form())) return false;
  return true;
}

ScriptedResponder::ScriptedResponder(std::vector<Rule> rules, Response fallback, AcceptedSecrets secrets)
    : rules_(std::move(rules)), used_(rules_.size(), 0), fallback_(std::move(fallback)), secrets_(std::move(secrets)) {}

ScriptedResponder::ScriptedResponder(const ScriptedResponder& other)
    : rules_(other.rules_), used_(other.used_), fallback_(other.fallback_), secrets_(other.secrets_) {}

Response ScriptedResponder::operator()(const RecordedRequest& request) {
  Presentation presentation = classify_credentials(request, secrets_);
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    if (rule.times && used_[i] >= *rule.times) continue;
    if (!rule.match.matches(request, presentation)) continue;
    ++used_[i];
    return fill_answer_placeholders(rule.response);
  }
  return fill_answer_placeholders(fallback_);
}

std::string http_date_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

std::string rfc3339_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Response fill_answer_placeholders(Response response) {
  std::string date = http_date_now();
  std::string now = rfc3339_now();
  replace_all(response.body, "${now}", now);
  replace_all(response.body, "${date}", date);
  std::string length = std::to_string(response.body.size());
  for (auto& header : response.headers) {
    replace_all(header.value, "${date}", date);
    replace_all(header.value, "${now}", now);
    replace_all(header.value, "${content_length}", length);
  }
  return response;
}

}  // namespace loginspec::mocks
