// JUnit XML report writer. The XML is written by hand, with escape_xml() for all text.
#include "reports/junit.h"

#include <string>
#include <string_view>
#include <vector>

#include "reports/text.h"

namespace loginspec::reports {

namespace {

std::string attribute(std::string_view text) { return escape_xml(text, XmlContext::kAttribute); }

std::string text_node(std::string_view text) { return escape_xml(text, XmlContext::kText); }

std::string seconds(double milliseconds) { return format_fixed(milliseconds / 1000.0, 3); }

std::string scenario_family(const std::string& id) { return id.substr(0, id.find('/')); }

std::string client_label(const RunResult& run) {
  return run.client_name.empty() ? "unknown" : run.client_name;
}

// "[MUST] id (spec): message", one per check, each ending in a line break.
std::string check_lines(const std::vector<const CheckResult*>& checks) {
  std::string lines;
  for (const CheckResult* check : checks) {
    lines += "[" + std::string(to_string(check->level)) + "] " + check->id;
    if (!check->spec.empty()) lines += " (" + check->spec + ")";
    lines += ": " + check->message + "\n";
  }
  return lines;
}

std::vector<const CheckResult*> checks_with_effect(const ScenarioResult& scenario, Verdict effect,
                                                   bool strict) {
  std::vector<const CheckResult*> checks;
  for (const CheckResult& check : scenario.checks) {
    if (check_effect(check, strict) == effect) checks.push_back(&check);
  }
  return checks;
}

std::string client_outcome_line(const ClientOutcome& client) {
  if (!client.ran) return "Client: did not run\n";

  std::string line = "Client: ";
  if (client.timed_out) line += "timed out, ";
  if (!client.signal.empty()) {
    line += "killed by " + client.signal;
  } else {
    line += "exit code " + std::to_string(client.exit_code);
  }
  line += client.reported_success ? ", reported success" : ", reported no success";
  line += ", " + format_fixed(client.wall_ms, 0) + " ms\n";
  return line;
}

std::string exchange_lines(const std::vector<ExchangeRecord>& exchanges) {
  if (exchanges.empty()) return "";
  std::string lines = "Exchanges:\n";
  for (const ExchangeRecord& exchange : exchanges) {
    lines += "  +" + format_fixed(exchange.at_ms, 1) + " ms " + exchange.server;
    if (exchange.kind != "http") lines += " " + exchange.kind;
    if (!exchange.method.empty()) lines += " " + exchange.method + " " + exchange.target;
    lines += exchange.status == 0 ? " -> no response" : " -> " + std::to_string(exchange.status);
    lines += "\n";
  }
  return lines;
}

// <failure>, <error> or <skipped> for a scenario that did not pass; nothing for PASS and WARN.
void write_outcome_element(std::ostream& out, const ScenarioResult& scenario, bool strict) {
  const CheckResult* check = deciding_check(scenario);
  const std::string known =
      scenario.known_failure ? "Known failure: listed in the client's baseline.\n" : "";

  switch (scenario.verdict) {
    case Verdict::kPass:
    case Verdict::kWarn:
      return;

    case Verdict::kSkip: {
      const bool use_check = scenario.reason.empty() && check != nullptr;
      out << "      <skipped message=\"" << attribute(use_check ? check->message : scenario.reason)
          << "\"/>\n";
      return;
    }

    case Verdict::kFail: {
      const std::string message =
          check != nullptr ? check->id + ": " + check->message : scenario.reason;
      const std::string type = check != nullptr ? check->id : "FAIL";
      std::string body = check_lines(checks_with_effect(scenario, Verdict::kFail, strict));
      if (body.empty()) body = scenario.reason + "\n";
      out << "      <failure message=\"" << attribute(message) << "\" type=\"" << attribute(type)
          << "\">" << text_node(body + known) << "</failure>\n";
      return;
    }

    case Verdict::kError: {
      const bool use_check = scenario.reason.empty() && check != nullptr;
      const std::string message = use_check ? check->id + ": " + check->message : scenario.reason;
      const std::string type = check != nullptr ? check->id : "ERROR";
      std::string body = scenario.reason.empty() ? "" : scenario.reason + "\n";
      body += check_lines(checks_with_effect(scenario, Verdict::kError, strict));
      out << "      <error message=\"" << attribute(message) << "\" type=\"" << attribute(type)
          << "\">" << text_node(body + known) << "</error>\n";
      return;
    }
  }
}

void write_testcase(std::ostream& out, const RunResult& run, const ScenarioResult& scenario) {
  const std::string classname =
      "loginspec." + client_label(run) + "." + scenario_family(scenario.id);
  out << "    <testcase classname=\"" << attribute(classname) << "\" name=\""
      << attribute(scenario.id) << "\" time=\"" << seconds(scenario.wall_ms) << "\">\n";

  write_outcome_element(out, scenario, run.strict);

  std::string system_out;
  const std::string warnings =
      check_lines(checks_with_effect(scenario, Verdict::kWarn, run.strict));
  if (!warnings.empty()) system_out += "Warnings:\n" + warnings;
  system_out += client_outcome_line(scenario.client);
  system_out += exchange_lines(scenario.exchanges);
  if (!scenario.client.stdout_text.empty()) {
    system_out += "Client stdout:\n" + cap_text(scenario.client.stdout_text, kMaxJunitOutputBytes);
  }
  out << "      <system-out>" << text_node(system_out) << "</system-out>\n";

  if (!scenario.client.stderr_text.empty()) {
    out << "      <system-err>"
        << text_node(cap_text(scenario.client.stderr_text, kMaxJunitOutputBytes))
        << "</system-err>\n";
  }
  out << "    </testcase>\n";
}

void write_property(std::ostream& out, std::string_view name, std::string_view value) {
  out << "      <property name=\"" << attribute(name) << "\" value=\"" << attribute(value)
      << "\"/>\n";
}

}  // namespace

void write_junit(std::ostream& out, const RunResult& run) {
  const std::map<Verdict, int> counts = run.counts();
  const std::string totals = "tests=\"" + std::to_string(run.scenarios.size()) + "\" failures=\"" +
                             std::to_string(counts.at(Verdict::kFail)) + "\" errors=\"" +
                             std::to_string(counts.at(Verdict::kError)) + "\" skipped=\"" +
                             std::to_string(counts.at(Verdict::kSkip)) + "\" time=\"" +
                             seconds(run.wall_ms) + "\"";

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"loginspec\" " << totals << ">\n";
  out << "  <testsuite name=\"" << attribute("loginspec." + client_label(run)) << "\" " << totals
      << ">\n";

  out << "    <properties>\n";
  write_property(out, "loginspec.version", run.tool_version);
  write_property(out, "client.name", run.client_name);
  write_property(out, "client.version", run.client_version);
  write_property(out, "started_at", run.started_at);
  write_property(out, "strict", run.strict ? "true" : "false");
  write_property(out, "interrupted", run.interrupted ? "true" : "false");
  write_property(out, "selected", std::to_string(run.selected));
  out << "    </properties>\n";

  for (const ScenarioResult& scenario : run.scenarios) write_testcase(out, run, scenario);

  out << "  </testsuite>\n";
  out << "</testsuites>\n";
}

}  // namespace loginspec::reports
