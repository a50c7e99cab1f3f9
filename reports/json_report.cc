// JSON results file writer and reader.
#include "reports/json_report.h"

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/text.h"

namespace loginspec::reports {

using nlohmann::json;
using nlohmann::ordered_json;

ResultsFormatError::ResultsFormatError(std::string pointer, const std::string& problem)
    : std::runtime_error("invalid results JSON at " +
                         (pointer.empty() ? std::string("the document root") : pointer) + ": " +
                         problem),
      pointer_(std::move(pointer)) {}

namespace {

// ---- Writing ----

std::string text(std::string_view value) { return replace_invalid_utf8(value); }

ordered_json string_array(const std::vector<std::string>& values) {
  ordered_json array = ordered_json::array();
  for (const std::string& value : values) array.push_back(text(value));
  return array;
}

ordered_json client_to_json(const ClientOutcome& client) {
  ordered_json object;
  object["ran"] = client.ran;
  object["reported_success"] = client.reported_success;
  object["exit_code"] = client.exit_code;
  object["signal"] = text(client.signal);
  object["timed_out"] = client.timed_out;
  object["stdout"] = text(client.stdout_text);
  object["stderr"] = text(client.stderr_text);
  object["wall_ms"] = client.wall_ms;
  return object;
}

ordered_json check_to_json(const CheckResult& check) {
  ordered_json object;
  object["id"] = text(check.id);
  object["level"] = to_string(check.level);
  object["verdict"] = to_string(check.verdict);
  object["spec"] = text(check.spec);
  object["message"] = text(check.message);
  return object;
}

ordered_json exchange_to_json(const ExchangeRecord& exchange) {
  ordered_json headers = ordered_json::array();
  for (const auto& [name, value] : exchange.headers) {
    headers.push_back(ordered_json::array({text(name), text(value)}));
  }

  ordered_json object;
  object["server"] = text(exchange.server);
  object["kind"] = text(exchange.kind);
  object["method"] = text(exchange.method);
  object["target"] = text(exchange.target);
  object["headers"] = std::move(headers);
  object["body"] = text(exchange.body);
  object["status"] = exchange.status;
  object["at_ms"] = exchange.at_ms;
  return object;
}

ordered_json scenario_to_json(const ScenarioResult& scenario) {
  ordered_json checks = ordered_json::array();
  for (const CheckResult& check : scenario.checks) checks.push_back(check_to_json(check));
  ordered_json exchanges = ordered_json::array();
  for (const ExchangeRecord& exchange : scenario.exchanges) {
    exchanges.push_back(exchange_to_json(exchange));
  }

  ordered_json object;
  object["id"] = text(scenario.id);
  object["title"] = text(scenario.title);
  object["spec"] = string_array(scenario.spec);
  object["tags"] = string_array(scenario.tags);
  object["verdict"] = to_string(scenario.verdict);
  object["reason"] = text(scenario.reason);
  object["wall_ms"] = scenario.wall_ms;
  object["known_failure"] = scenario.known_failure;
  object["stale_baseline_entry"] = scenario.stale_baseline_entry;
  object["client"] = client_to_json(scenario.client);
  object["checks"] = std::move(checks);
  object["exchanges"] = std::move(exchanges);
  return object;
}

ordered_json to_ordered_json(const RunResult& run) {
  ordered_json counts = ordered_json::object();
  for (const auto& [verdict, count] : run.counts()) counts[std::string(to_string(verdict))] = count;
  ordered_json scenarios = ordered_json::array();
  for (const ScenarioResult& scenario : run.scenarios) {
    scenarios.push_back(scenario_to_json(scenario));
  }

  ordered_json document;
  document["format"] = kResultsFormatName;
  document["format_version"] = kResultsFormatVersion;
  document["tool"] = {{"name", "loginspec"}, {"version", text(run.tool_version)}};
  document["client"] = {{"name", text(run.client_name)}, {"version", text(run.client_version)}};
  document["started_at"] = text(run.started_at);
  document["wall_ms"] = run.wall_ms;
  document["strict"] = run.strict;
  document["interrupted"] = run.interrupted;
  document["selected"] = run.selected;
  document["counts"] = std::move(counts);
  document["scenarios"] = std::move(scenarios);
  return document;
}

// ---- Reading ----

// A JSON object being read, with its pointer for error messages.
class ObjectReader {
 public:
  ObjectReader(const json& value, json::json_pointer pointer)
      : object_(value), pointer_(std::move(pointer)) {
    if (!object_.is_object())
      fail(pointer_, std::string("expected an object, found ") + object_.type_name());
  }

  [[noreturn]] static void fail(const json::json_pointer& pointer, const std::string& problem) {
    throw ResultsFormatError(pointer.to_string(), problem);
  }

  json::json_pointer pointer_to(const std::string& key) const { return pointer_ / key; }

  bool has(const std::string& key) const { return object_.contains(key); }

  const json& at(const std::string& key) const {
    const auto found = object_.find(key);
    if (found == object_.end()) fail(pointer_to(key), "missing");
    return *found;
  }

  std::string string(const std::string& key) const { return as_string(at(key), pointer_to(key)); }

  bool boolean(const std::string& key) const {
    const json& value = at(key);
    if (!value.is_boolean()) expected(key, "a boolean");
    return value.get<bool>();
  }

  double number(const std::string& key) const {
    const json& value = at(key);
    if (!value.is_number()) expected(key, "a number");
    return value.get<double>();
  }

  int integer(const std::string& key) const {
    const json& value = at(key);
    if (!value.is_number_integer()) expected(key, "an integer");
    if (value.is_number_unsigned()) {
      if (value.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        fail(pointer_to(key), "integer " + value.dump() + " is out of range for a 32-bit signed integer");
      }
      return static_cast<int>(value.get<std::uint64_t>());
    }
    const std::int64_t number = value.get<std::int64_t>();
    if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
      fail(pointer_to(key), "integer " + value.dump() + " is out of range for a 32-bit signed integer");
    }
    return static_cast<int>(number);
  }

  ObjectReader object(const std::string& key) const {
    return ObjectReader(at(key), pointer_to(key));
  }

  const json& array(const std::string& key) const {
    const json& value = at(key);
    if (!value.is_array()) expected(key, "an array");
    return value;
  }

  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> values;
    const json& items = array(key);
    for (std::size_t i = 0; i < items.size(); ++i) {
      values.push_back(as_string(items[i], pointer_to(key) / i));
    }
    return values;
  }

  template <typename Enum>
  Enum parsed(const std::string& key, Enum (*parse)(std::string_view)) const {
    const std::string value = string(key);
    try {
      return parse(value);
    } catch (const std::invalid_argument& error) {
      fail(pointer_to(key), error.what());
    }
  }

  static std::string as_string(const json& value, const json::json_pointer& pointer) {
    if (!value.is_string()) {
      fail(pointer, std::string("expected a string, found ") + value.type_name());
    }
    return value.get<std::string>();
  }

 private:
  [[noreturn]] void expected(const std::string& key, const std::string& type) const {
    fail(pointer_to(key), "expected " + type + ", found " + at(key).type_name());
  }

  const json& object_;
  json::json_pointer pointer_;
};

ClientOutcome client_from_json(const ObjectReader& reader) {
  ClientOutcome client;
  client.ran = reader.boolean("ran");
  client.reported_success = reader.boolean("reported_success");
  client.exit_code = reader.integer("exit_code");
  client.signal = reader.string("signal");
  client.timed_out = reader.boolean("timed_out");
  client.stdout_text = reader.string("stdout");
  client.stderr_text = reader.string("stderr");
  client.wall_ms = reader.number("wall_ms");
  return client;
}

CheckResult check_from_json(const ObjectReader& reader) {
  CheckResult check;
  check.id = reader.string("id");
  check.level = reader.parsed("level", parse_level);
  check.verdict = reader.parsed("verdict", parse_verdict);
  check.spec = reader.string("spec");
  check.message = reader.string("message");
  return check;
}

ExchangeRecord exchange_from_json(const ObjectReader& reader) {
  ExchangeRecord exchange;
  exchange.server = reader.string("server");
  exchange.kind = reader.string("kind");
  exchange.method = reader.string("method");
  exchange.target = reader.string("target");

  const json& headers = reader.array("headers");
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const json::json_pointer pointer = reader.pointer_to("headers") / i;
    if (!headers[i].is_array() || headers[i].size() != 2) {
      ObjectReader::fail(pointer, "expected a [name, value] array of two strings");
    }
    exchange.headers.emplace_back(ObjectReader::as_string(headers[i][0], pointer / 0),
                                  ObjectReader::as_string(headers[i][1], pointer / 1));
  }

  exchange.body = reader.string("body");
  exchange.status = reader.integer("status");
  exchange.at_ms = reader.number("at_ms");
  return exchange;
}

ScenarioResult scenario_from_json(const ObjectReader& reader) {
  ScenarioResult scenario;
  scenario.id = reader.string("id");
  scenario.title = reader.string("title");
  scenario.spec = reader.strings("spec");
  scenario.tags = reader.strings("tags");
  scenario.verdict = reader.parsed("verdict", parse_verdict);
  scenario.reason = reader.string("reason");
  scenario.wall_ms = reader.number("wall_ms");
  scenario.known_failure = reader.boolean("known_failure");
  scenario.stale_baseline_entry = reader.boolean("stale_baseline_entry");
  scenario.client = client_from_json(reader.object("client"));

  const json& checks = reader.array("checks");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    scenario.checks.push_back(
        check_from_json(ObjectReader(checks[i], reader.pointer_to("checks") / i)));
  }
  const json& exchanges = reader.array("exchanges");
  for (std::size_t i = 0; i < exchanges.size(); ++i) {
    scenario.exchanges.push_back(
        exchange_from_json(ObjectReader(exchanges[i], reader.pointer_to("exchanges") / i)));
  }
  return scenario;
}

}  // namespace

json to_json(const RunResult& run) { return json(to_ordered_json(run)); }

void write_json(std::ostream& out, const RunResult& run) {
  out << to_ordered_json(run).dump(2) << '\n';
}

RunResult run_result_from_json(const json& document) {
  const ObjectReader reader(document, json::json_pointer());

  const std::string format = reader.string("format");
  if (format != kResultsFormatName) {
    ObjectReader::fail(
        reader.pointer_to("format"),
        "expected \"" + std::string(kResultsFormatName) + "\", found \"" + format + "\"");
  }
  const int version = reader.integer("format_version");
  if (version != kResultsFormatVersion) {
    ObjectReader::fail(reader.pointer_to("format_version"),
                       "unsupported version " + std::to_string(version) +
                           ": this build reads version " + std::to_string(kResultsFormatVersion));
  }

  RunResult run;
  const ObjectReader tool = reader.object("tool");
  tool.string("name");  // must be a string; its value is not checked
  run.tool_version = tool.string("version");
  const ObjectReader client = reader.object("client");
  run.client_name = client.string("name");
  run.client_version = client.string("version");
  run.started_at = reader.string("started_at");
  run.wall_ms = reader.number("wall_ms");
  run.strict = reader.boolean("strict");
  // Reports written before these keys existed lack them: a complete run of what it holds.
  run.interrupted = reader.has("interrupted") ? reader.boolean("interrupted") : false;
  run.selected = reader.has("selected") ? reader.integer("selected") : static_cast<int>(reader.array("scenarios").size());

  const json& scenarios = reader.array("scenarios");
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    run.scenarios.push_back(
        scenario_from_json(ObjectReader(scenarios[i], reader.pointer_to("scenarios") / i)));
  }
  return run;
}

}  // namespace loginspec::reports
