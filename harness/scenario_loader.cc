// Strict scenario loading: every key is known, every value has the expected type and range.
#include "harness/scenario_loader.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/adapter.h"
#include "harness/checks.h"

namespace loginspec::harness {

namespace {

// Ordered, so a scripted JSON body keeps the key order the scenario file gives it.
using json = nlohmann::ordered_json;

std::string describe(const json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  switch (value.type()) {
    case json::value_t::string: return "string " + text;
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::boolean: return "boolean " + text;
    case json::value_t::null: return "null";
    default: return "number " + text;
  }
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "\"" + std::string(names[i]) + "\"";
  }
  return out;
}

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// Walks one JSON object, remembering the pointer for messages and rejecting unknown keys.
class Reader {
 public:
  Reader(const std::filesystem::path& file, const json& value, std::string pointer)
      : file_(file), value_(value), pointer_(std::move(pointer)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& expected, const std::string& found) const {
    throw ScenarioError(file_, pointer, expected, found);
  }

  void require_object(const std::string& what) const {
    if (!value_.is_object()) fail(pointer_, what + " (a JSON object)", describe(value_));
  }

  void allow_only(std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, unused] : value_.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        fail(child(key), "one of the keys " + join(std::vector<std::string_view>(keys)), "unknown key \"" + key + "\"");
      }
    }
  }

  bool has(const std::string& key) const { return value_.contains(key); }
  const json& at(const std::string& key) const { return value_.at(key); }
  std::string child(const std::string& key) const { return pointer_ + "/" + escape_pointer_token(key); }
  Reader object(const std::string& key, const std::string& what) const {
    Reader reader(file_, value_.at(key), child(key));
    reader.require_object(what);
    return reader;
  }

  std::string string(const std::string& key, const std::string& fallback, bool non_empty = false) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_string()) fail(child(key), "a string", describe(v));
    if (non_empty && v.get<std::string>().empty()) fail(child(key), "a non-empty string", "\"\"");
    return v.get<std::string>();
  }

  std::string required_string(const std::string& key) const {
    if (!has(key)) fail(child(key), "a non-empty string (required)", "nothing");
    return string(key, "", true);
  }

  long integer(const std::string& key, long fallback, long min, long max) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_number_integer()) fail(child(key), "an integer", describe(v));
    long n = v.get<long>();
    if (n < min || n > max) {
      fail(child(key), "an integer from " + std::to_string(min) + " to " + std::to_string(max), std::to_string(n));
    }
    return n;
  }

  bool boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_boolean()) fail(child(key), "true or false", describe(v));
    return v.get<bool>();
  }

  std::vector<std::string> strings(const std::string& key, bool required_non_empty) const {
    std::vector<std::string> out;
    if (!has(key)) {
      if (required_non_empty) fail(child(key), "a non-empty array of strings (required)", "nothing");
      return out;
    }
    const json& v = at(key);
    if (!v.is_array()) fail(child(key), "an array of strings", describe(v));
    if (required_non_empty && v.empty()) fail(child(key), "a non-empty array of strings", "an empty array");
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string() || v[i].get<std::string>().empty()) {
        fail(child(key) + "/" + std::to_string(i), "a non-empty string", describe(v[i]));
      }
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  template <typename T>
  T choice(const std::string& key, T fallback, const std::vector<std::pair<std::string_view, T>>& options) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    std::vector<std::string_view> names;
    for (const auto& [name, unused] : options) names.push_back(name);
    if (v.is_string()) {
      for (const auto& [name, value] : options) {
        if (v.get<std::string>() == name) return value;
      }
    }
    fail(child(key), "one of " + join(names), describe(v));
  }

  const std::filesystem::path& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  const json& value() const { return value_; }

 private:
  const std::filesystem::path& file_;
  const json& value_;
  std::string pointer_;
};

void check_templates(const Reader& reader, const std::string& pointer, const std::string& text,
                     bool header_value = false) {
  // ${content_length} is the body's size, so it is filled in header values only.
  static const std::set<std::string> kAnswerTime = {"date", "now", "content_length"};
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
    std::size_t end = text.find('}', at);
    if (end == std::string::npos) {
      reader.fail(pointer, "a closing '}' for the placeholder at character " + std::to_string(at), "end of string");
    }
    std::string name = text.substr(at + 2, end - at - 2);
    if (name == "content_length" && !header_value) {
      reader.fail(pointer, "${content_length} only in a header value (it is the size of the body)", "\"${content_length}\"");
    }
    auto names = template_variable_names();
    bool known = kAnswerTime.count(name) > 0 ||
                 std::find(names.begin(), names.end(), std::string_view(name)) != names.end();
    if (!known) {
      std::vector<std::string_view> all(names.begin(), names.end());
      all.insert(all.end(), {"date", "now", "content_length"});
      reader.fail(pointer, "a placeholder among " + join(all), "\"${" + name + "}\"");
    }
  }
}

void check_templates_in_json(const Reader& reader, const std::string& pointer, const json& value) {
  if (value.is_string()) {
    check_templates(reader, pointer, value.get<std::string>());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) check_templates_in_json(reader, pointer + "/" + escape_pointer_token(key), item);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) check_templates_in_json(reader, pointer + "/" + std::to_string(i), value[i]);
  }
}

std::vector<std::pair<std::string, std::string>> string_map(const Reader& reader, const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!reader.has(key)) return out;
  const json& v = reader.at(key);
  if (!v.is_object()) reader.fail(reader.child(key), "an object of string values", describe(v));
  for (const auto& [name, item] : v.items()) {
    if (!item.is_string()) reader.fail(reader.child(key) + "/" + escape_pointer_token(name), "a string", describe(item));
    check_templates(reader, reader.child(key) + "/" + escape_pointer_token(name), item.get<std::string>());
    out.emplace_back(name, item.get<std::string>());
  }
  return out;
}

mocks::Fault parse_fault(const Reader& reader) {
  reader.require_object("a fault");
  reader.allow_only({"kind", "delay_ms", "truncate_body_at", "garbage"});
  mocks::Fault fault;
  fault.kind = reader.choice<mocks::Fault::Kind>("kind", mocks::Fault::Kind::kNone,
                                                  {{"none", mocks::Fault::Kind::kNone},
                                                   {"close", mocks::Fault::Kind::kClose},
                                                   {"reset", mocks::Fault::Kind::kReset},
                                                   {"garbage", mocks::Fault::Kind::kGarbage},
                                                   {"truncate", mocks::Fault::Kind::kTruncate}});
  fault.delay = std::chrono::milliseconds(reader.integer("delay_ms", 0, 0, 600000));
  fault.truncate_body_at = static_cast<std::size_t>(reader.integer("truncate_body_at", 0, 0, 1L << 30));
  fault.garbage = reader.string("garbage", "");
  if (fault.kind == mocks::Fault::Kind::kGarbage && fault.garbage.empty()) {
    reader.fail(reader.child("garbage"), "a non-empty string when kind is \"garbage\"", "nothing");
  }
  return fault;
}

mocks::Response parse_response(const Reader& reader) {
  reader.require_object("a response");
  reader.allow_only({"status", "reason", "headers", "body", "json", "chunked", "close", "fault", "repeat_body",
                     "leading_spaces"});
  mocks::Response response;
  response.status = static_cast<int>(reader.integer("status", 200, 100, 599));
  response.reason = reader.string("reason", "");
  if (reader.has("headers")) {
    const json& headers = reader.at("headers");
    std::string pointer = reader.child("headers");
    if (!headers.is_array()) reader.fail(pointer, "an array of [name, value] pairs", describe(headers));
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const json& pair = headers[i];
      std::string item = pointer + "/" + std::to_string(i);
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        reader.fail(item, "a [name, value] pair of strings", describe(pair));
      }
      std::string name = pair[0].get<std::string>();
      if (name.empty() || name.find_first_of(" :\r\n\t") != std::string::npos) {
        reader.fail(item + "/0", "a header name without spaces, colons or line breaks", describe(pair[0]));
      }
      check_templates(reader, item + "/1", pair[1].get<std::string>(), true);
      response.headers.push_back({name, pair[1].get<std::string>()});
    }
  }
  if (reader.has("body") && reader.has("json")) {
    reader.fail(reader.child("json"), "either \"body\" or \"json\", not both", "both");
  }
  response.body = reader.string("body", "");
  check_templates(reader, reader.child("body"), response.body);
  if (reader.has("json")) {
    check_templates_in_json(reader, reader.child("json"), reader.at("json"));
    response.body = reader.at("json").dump();
  }
  long repeat = reader.integer("repeat_body", 1, 1, 1L << 24);
  constexpr std::size_t kMaxBody = 64u << 20;
  if (repeat > 1 && response.body.size() * static_cast<std::size_t>(repeat) > kMaxBody) {
    reader.fail(reader.child("repeat_body"), "a body of at most 64 MiB after repeating",
                std::to_string(response.body.size()) + " bytes repeated " + std::to_string(repeat) + " times");
  }
  if (repeat > 1) {
    std::string unit = response.body;
    response.body.reserve(unit.size() * static_cast<std::size_t>(repeat));
    for (long i = 1; i < repeat; ++i) response.body += unit;
  }
  // JSON allows leading whitespace, so spaces make a body very large without changing its value.
  long spaces = reader.integer("leading_spaces", 0, 0, 64L << 20);
  if (spaces > 0) response.body.insert(0, static_cast<std::size_t>(spaces), ' ');
  response.chunked = reader.boolean("chunked", false);
  response.close_connection = reader.boolean("close", false);
  if (reader.has("fault")) response.fault = parse_fault(reader.object("fault", "a fault"));
  return response;
}

mocks::Match parse_match(const Reader& reader) {
  reader.require_object("a match");
  reader.allow_only({"method", "path", "credentials", "valid", "query", "form"});
  mocks::Match match;
  if (reader.has("method")) match.method = reader.string("method", "", true);
  if (reader.has("path")) match.path = reader.string("path", "", true);
  for (const auto& [i, text] : [&] {
         std::vector<std::pair<std::size_t, std::string>> items;
         auto values = reader.strings("credentials", false);
         for (std::size_t i = 0; i < values.size(); ++i) items.emplace_back(i, values[i]);
         return items;
       }()) {
    auto presented = mocks::parse_presented(text);
    if (!presented) {
      reader.fail(reader.child("credentials") + "/" + std::to_string(i),
                  "one of \"none\", \"basic\", \"bearer\", \"other\", \"form-password\" or \"form-refresh-token\"",
                  "\"" + text + "\"");
    }
    match.credentials.push_back(*presented);
  }
  if (reader.has("valid")) match.valid = reader.boolean("valid", false);
  match.query = string_map(reader, "query");
  match.form = string_map(reader, "form");
  return match;
}

std::vector<mocks::Rule> parse_rules(const Reader& reader, const std::string& server) {
  std::vector<mocks::Rule> rules;
  if (!reader.has("rules")) return rules;
  const json& list = reader.at("rules");
  std::string pointer = reader.child("rules");
  if (!list.is_array()) reader.fail(pointer, "an array of rules", describe(list));
  for (std::size_t i = 0; i < list.size(); ++i) {
    Reader rule_reader(reader.file(), list[i], pointer + "/" + std::to_string(i));
    rule_reader.require_object("a rule");
    rule_reader.allow_only({"match", "respond", "times"});
    mocks::Rule rule;
    rule.name = server + ".rules[" + std::to_string(i) + "]";
    if (rule_reader.has("match")) rule.match = parse_match(rule_reader.object("match", "a match"));
    if (!rule_reader.has("respond")) rule_reader.fail(rule_reader.child("respond"), "a response (required)", "nothing");
    rule.response = parse_response(rule_reader.object("respond", "a response"));
    if (rule_reader.has("times")) rule.times = static_cast<int>(rule_reader.integer("times", 1, 1, 100000));
    rules.push_back(std::move(rule));
  }
  return rules;
}

void parse_server_common(const Reader& reader, ServerSpec& spec, const std::string& server) {
  spec.listen = reader.string("listen", "127.0.0.1", true);
  in_addr v4{};
  bool loopback_v4 = ::inet_pton(AF_INET, spec.listen.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
  if (!loopback_v4 && spec.listen != "::1") {
    reader.fail(reader.child("listen"), "a loopback address (127.0.0.0/8 or ::1)", "\"" + spec.listen + "\"");
  }
  if (reader.has("tls")) {
    const json& v = reader.at("tls");
    auto profile = v.is_string() ? parse_tls_profile(v.get<std::string>()) : std::nullopt;
    if (!profile) reader.fail(reader.child("tls"), "one of " + join(tls_profile_names()), describe(v));
    spec.tls = *profile;
  }
  spec.rules = parse_rules(reader, server);
}

RegistrySpec parse_registry(const Reader& reader) {
  reader.require_object("the registry server");
  reader.allow_only({"listen", "tls", "rules", "auth", "challenge", "unauthorized_status", "service"});
  RegistrySpec spec;
  parse_server_common(reader, spec, "registry");
  spec.auth = reader.choice<RegistryAuth>("auth", RegistryAuth::kBearer,
                                          {{"bearer", RegistryAuth::kBearer},
                                           {"basic", RegistryAuth::kBasic},
                                           {"none", RegistryAuth::kNone},
                                           {"never", RegistryAuth::kNever}});
  if (reader.has("challenge")) {
    const json& v = reader.at("challenge");
    std::string pointer = reader.child("challenge");
    if (v.is_null()) {
      spec.challenge = std::vector<std::string>{};
    } else if (v.is_string()) {
      check_templates(reader, pointer, v.get<std::string>());
      spec.challenge = std::vector<std::string>{v.get<std::string>()};
    } else if (v.is_array()) {
      spec.challenge = reader.strings("challenge", false);
      for (std::size_t i = 0; i < spec.challenge->size(); ++i) {
        check_templates(reader, pointer + "/" + std::to_string(i), (*spec.challenge)[i]);
      }
    } else {
      reader.fail(pointer, "a string, an array of field lines, or null for no header", describe(v));
    }
  }
  spec.unauthorized_status = static_cast<int>(reader.integer("unauthorized_status", 401, 400, 599));
  spec.service = reader.string("service", "loginspec-registry");
  return spec;
}

AuthServerSpec parse_auth(const Reader& reader) {
  reader.require_object("the token server");
  reader.allow_only({"listen", "tls", "rules", "path", "token_response", "token_body", "refresh_token", "post",
                     "bad_credentials_status"});
  AuthServerSpec spec;
  parse_server_common(reader, spec, "auth");
  spec.path = reader.string("path", "/token", true);
  if (spec.path.front() != '/') reader.fail(reader.child("path"), "a path starting with '/'", "\"" + spec.path + "\"");
  if (reader.has("token_response") && reader.has("token_body")) {
    reader.fail(reader.child("token_body"), "either \"token_response\" or \"token_body\", not both", "both");
  }
  if (reader.has("token_response")) {
    const json& v = reader.at("token_response");
    if (!v.is_object()) reader.fail(reader.child("token_response"), "a JSON object", describe(v));
    check_templates_in_json(reader, reader.child("token_response"), v);
    spec.token_response = nlohmann::ordered_json::parse(v.dump());
  }
  if (reader.has("token_body")) {
    spec.token_body = reader.string("token_body", "");
    check_templates(reader, reader.child("token_body"), *spec.token_body);
  }
  spec.refresh_token = reader.boolean("refresh_token", false);
  spec.post = reader.choice<PostSupport>("post", PostSupport::kOAuth,
                                         {{"oauth", PostSupport::kOAuth}, {"not-found", PostSupport::kNotFound}});
  spec.bad_credentials_status = static_cast<int>(reader.integer("bad_credentials_status", 401, 400, 599));
  return spec;
}

std::vector<CheckSpec> parse_checks(const Reader& reader) {
  std::vector<CheckSpec> checks;
  if (!reader.has("checks")) return checks;
  const json& list = reader.at("checks");
  std::string pointer = reader.child("checks");
  if (!list.is_array()) reader.fail(pointer, "an array of check ids or {\"id\": ...} objects", describe(list));

  std::vector<std::string_view> ids;
  for (const auto& definition : check_catalogue()) ids.push_back(definition.id);

  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string item = pointer + "/" + std::to_string(i);
    CheckSpec check;
    check.pointer = item;
    if (list[i].is_string()) {
      check.id = list[i].get<std::string>();
    } else if (list[i].is_object()) {
      Reader object(reader.file(), list[i], item);
      check.id = object.required_string("id");
      for (const auto& [key, value] : list[i].items()) {
        if (key != "id") check.params[key] = value;
      }
    } else {
      reader.fail(item, "a check id or an object with \"id\"", describe(list[i]));
    }

    const CheckDefinition* definition = find_check(check.id);
    if (definition == nullptr) reader.fail(item, "a check id among " + join(ids), "\"" + check.id + "\"");
    for (const auto& [key, value] : check.params.items()) {
      auto param = definition->params.find(key);
      std::string where = item + "/" + escape_pointer_token(key);
      if (param == definition->params.end()) {
        std::vector<std::string_view> names;
        for (const auto& [name, unused] : definition->params) names.push_back(name);
        reader.fail(where, names.empty() ? "no parameters for check \"" + check.id + "\""
                                         : "a parameter of check \"" + check.id + "\" among " + join(names),
                    "unknown key \"" + key + "\"");
      }
      if (param->second == ParamType::kInteger && value.is_number_integer() &&
          (value.get<long long>() < 1 || value.get<long long>() > 100000)) {
        reader.fail(where, "an integer from 1 to 100000", value.dump());
      }
      bool ok = (param->second == ParamType::kInteger && value.is_number_integer()) ||
                (param->second == ParamType::kString && value.is_string()) ||
                (param->second == ParamType::kBoolean && value.is_boolean());
      if (!ok) {
        const char* type = param->second == ParamType::kInteger ? "an integer"
                           : param->second == ParamType::kString ? "a string"
                                                                 : "true or false";
        reader.fail(where, type, describe(value));
      }
    }
    for (const auto& earlier : checks) {
      if (earlier.id == check.id) reader.fail(item, "each check id once", "\"" + check.id + "\" again");
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace

std::string file_error_message(const std::filesystem::path& file, const std::string& pointer,
                               const std::string& expected, const std::string& found) {
  return file.string() + ": at " + (pointer.empty() ? "/" : pointer) + ": expected " + expected + ", found " + found;
}

ScenarioError::ScenarioError(std::filesystem::path file, std::string pointer, std::string expected, std::string found)
    : std::runtime_error(file_error_message(file, pointer, expected, found)),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      expected_(std::move(expected)),
      found_(std::move(found)) {}

Scenario parse_scenario(const std::string& text, const std::filesystem::path& file, const std::string& id) {
  json document;
  try {
    document = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::out_of_range& error) {
    // A number too large for a double (1e400) is not a syntax error to nlohmann, but it is one here.
    std::string reason = error.what();
    std::size_t detail = reason.find("number overflow");
    if (detail != std::string::npos) reason = reason.substr(detail);
    throw ScenarioError(file, "", "valid JSON with numbers that fit a double", reason);
  } catch (const json::parse_error& error) {
    // nlohmann counts bytes from 1 and points just past the offending one.
    std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    std::string reason = error.what();
    std::size_t detail = reason.find("syntax error");
    if (detail != std::string::npos) reason = reason.substr(detail);
    throw ScenarioError(file, "", "valid JSON (comments allowed)",
                        "a syntax error at byte " + std::to_string(offset) + ": " + reason);
  }

  Reader root(file, document, "");
  root.require_object("a scenario");
  root.allow_only({"title", "spec", "tags", "requires", "time_limit_ms", "credentials", "registry", "auth", "other",
                   "login", "expect", "checks"});

  Scenario scenario;
  scenario.id = id;
  scenario.file = file;
  scenario.title = root.required_string("title");
  scenario.spec = root.strings("spec", true);
  scenario.tags = root.strings("tags", false);
  scenario.requires_capabilities = root.strings("requires", false);
  const auto& capabilities = known_capabilities();
  for (std::size_t i = 0; i < scenario.requires_capabilities.size(); ++i) {
    const auto& name = scenario.requires_capabilities[i];
    if (std::find(capabilities.begin(), capabilities.end(), name) == capabilities.end()) {
      std::vector<std::string_view> names(capabilities.begin(), capabilities.end());
      root.fail(root.child("requires") + "/" + std::to_string(i), "a capability among " + join(names), "\"" + name + "\"");
    }
  }
  scenario.time_limit = std::chrono::milliseconds(root.integer("time_limit_ms", 20000, 100, 600000));

  if (root.has("credentials")) {
    Reader credentials = root.object("credentials", "the accepted credentials");
    credentials.allow_only({"username", "password"});
    scenario.username = credentials.string("username", scenario.username, true);
    scenario.password = credentials.string("password", scenario.password, true);
  }
  scenario.login_username = scenario.username;
  scenario.login_password = scenario.password;
  if (root.has("login")) {
    Reader login = root.object("login", "the login to attempt");
    login.allow_only({"username", "password", "tls", "client_certificate"});
    scenario.login_username = login.string("username", scenario.username, true);
    scenario.login_password = login.string("password", scenario.password, true);
    scenario.login_tls = login.choice<LoginTls>("tls", LoginTls::kAuto,
                                                {{"auto", LoginTls::kAuto}, {"on", LoginTls::kOn}, {"off", LoginTls::kOff}});
    scenario.login_client_certificate = login.boolean("client_certificate", false);
  }

  if (!root.has("registry")) root.fail("/registry", "the registry server (required)", "nothing");
  scenario.registry = parse_registry(root.object("registry", "the registry server"));
  if (root.has("auth") && !root.at("auth").is_null()) scenario.auth = parse_auth(root.object("auth", "the token server"));
  if (root.has("other")) {
    Reader other = root.object("other", "the other server");
    other.allow_only({"listen", "tls", "rules"});
    OtherServerSpec spec;
    parse_server_common(other, spec, "other");
    if (!other.has("listen")) spec.listen = "127.0.0.2";
    scenario.other = std::move(spec);
  }

  bool needs_auth = scenario.registry.auth == RegistryAuth::kBearer && !scenario.registry.challenge;
  if (needs_auth && !scenario.auth) {
    root.fail("/auth", "a token server, because the registry's default Bearer challenge points at it", "nothing");
  }

  scenario.expect = root.choice<Expectation>("expect", Expectation::kSuccess,
                                             {{"success", Expectation::kSuccess},
                                              {"failure", Expectation::kFailure},
                                              {"either", Expectation::kEither}});
  scenario.checks = parse_checks(root);
  return scenario;
}

Scenario load_scenario_file(const std::filesystem::path& file, const std::filesystem::path& root) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(file, "", "a readable file", "it cannot be opened");
  std::stringstream text;
  text << in.rdbuf();

  std::filesystem::path relative = std::filesystem::relative(file, root);
  std::string id = relative.replace_extension().generic_string();
  return parse_scenario(text.str(), file, id);
}

std::vector<Scenario> load_scenario_tree(const std::filesystem::path& root) {
  if (!std::filesystem::is_directory(root)) {
    throw ScenarioError(root, "", "a folder of scenario files", "no such folder");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (files.empty()) throw ScenarioError(root, "", "at least one *.json scenario file in the folder", "none");
  std::vector<Scenario> scenarios;
  for (const auto& file : files) scenarios.push_back(load_scenario_file(file, root));
  std::sort(scenarios.begin(), scenarios.end(), [](const Scenario& a, const Scenario& b) { return a.id < b.id; });
  return scenarios;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (glob_match(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() != '?' && pattern.front() != text.front()) return false;
  return glob_match(pattern.substr(1), text.substr(1));
}

std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return all;
  // Pattern order decides scenario order (ids sorted within one pattern), so `serve b a` serves b first.
  std::vector<Scenario> selected;
  std::set<std::string> taken;
  for (const auto& pattern : patterns) {
    bool used = false;
    for (const auto& scenario : all) {
      if (!glob_match(pattern, scenario.id)) continue;
      used = true;
      if (taken.insert(scenario.id).second) selected.push_back(scenario);
    }
    if (!used) throw std::invalid_argument("no scenario id matches \"" + pattern + "\" (see `loginspec list`)");
  }
  return selected;
}

}  // namespace loginspec::harness
