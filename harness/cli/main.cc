// loginspec: the command line (run, list, parse, login).
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "harness/baseline.h"
#include "harness/checks.h"
#include "harness/cli/common.h"
#include "harness/exec_adapter.h"
#include "harness/reference_adapter.h"
#include "harness/reference_client.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"
#include "protocol/challenge.h"
#include "protocol/challenge_json.h"
#include "reports/atomic_file.h"
#include "reports/console.h"
#include "reports/json_report.h"
#include "reports/junit.h"

namespace {

using namespace loginspec;
using namespace loginspec::cli;

const char* kMainHelp = R"(loginspec: conformance tests for container-registry login clients

Usage:
  loginspec run [options] [SCENARIO-ID-OR-GLOB ...]   run scenarios against a client and grade it
  loginspec list [options] [SCENARIO-ID-OR-GLOB ...]  list scenarios (or checks, as Markdown)
  loginspec parse HEADER-VALUE ...                    show how a correct parser reads WWW-Authenticate
  loginspec login [options] REGISTRY                  log in with the built-in reference client
  loginspec serve [options] [SCENARIO-ID-OR-GLOB ...] serve a scenario for a client driven through a control API
  loginspec fuzz --client NAME [options]              fuzz a client with generated challenges and token bodies
  loginspec --version

Run `loginspec COMMAND --help` for the options of each command.
Exit codes: 0 no failures, 1 a check failed, 2 usage or scenario error, 3 harness error.
)";

const char* kRunHelp = R"(Usage: loginspec run [options] [SCENARIO-ID-OR-GLOB ...]

Runs each selected scenario (default: all) with fresh mock servers on loopback, lets the client
attempt one login, and grades it with the scenario's checks.

Options:
  --client NAME|FILE   client to test: "reference" (built in, the default), a profile name from
                       the profiles folder (skopeo, podman, docker, ...), or a path to a profile
  --fault LIST         reference client only: comma-separated deliberate faults, to see checks fail
  --junit FILE         write a JUnit XML report
  --json FILE          write a JSON report (format in docs/RESULTS-FORMAT.md)
  --baseline FILE      known failures of this client (JSON); they do not fail the run, and an
                       entry whose scenario no longer fails is reported as stale and fails it
  --write-baseline FILE  write this run's FAIL, WARN and ERROR scenarios as a baseline
  --strict             SHOULD violations count as failures (WARN becomes FAIL)
  --show-secrets       keep passwords and tokens in reports (redacted by default)
  --keep               keep the private run folder (certificates, client homes) and print its path
  --scenarios DIR      scenario folder (default: the source tree's scenarios/)
  --profiles DIR       client profile folder (default: the source tree's fixtures/clients/)
  --no-color           plain console output
  -h, --help           show this help
)";

const char* kListHelp = R"(Usage: loginspec list [options] [SCENARIO-ID-OR-GLOB ...]

Options:
  --format text|json|markdown   text: one line per scenario (default); json: scenarios with their
                                checks; markdown: the check catalogue with the scenarios using each
  --scenarios DIR               scenario folder
  -h, --help                    show this help
)";

const char* kParseHelp = R"(Usage: loginspec parse HEADER-VALUE ...

Parses each argument as one WWW-Authenticate field value (RFC 9110 §11, RFC 6750 §3) and prints
the challenges as JSON, or the error with its id and byte offset. Exit code 1 if any fails.
)";

const char* kLoginHelp = R"(Usage: loginspec login [options] REGISTRY

Logs in with the built-in reference client: ping /v2/, follow the challenge, request a token,
retry with it, and store the credentials in Docker's config.json layout.

Options:
  -u, --username NAME   user name (required)
  --password-stdin      read the password from standard input (required)
  --ca FILE             trust this CA certificate (PEM) in addition to the system store
  --insecure            use plain HTTP when REGISTRY has no scheme
  --config DIR          folder for config.json (default: $DOCKER_CONFIG or ~/.docker)
  --fault LIST          deliberate faults (see loginspec run --help)
  -h, --help            show this help
)";

void on_signal(int) { harness::request_stop(); }

int exit_code_for(const reports::RunResult& run) {
  bool error = false;
  bool fail = false;
  for (const auto& scenario : run.scenarios) {
    error = error || (scenario.verdict == reports::Verdict::kError && !scenario.known_failure);
    fail = fail || (scenario.verdict == reports::Verdict::kFail && !scenario.known_failure);
  }
  if (error) return kExitError;
  return fail ? kExitFail : kExitOk;
}

int command_run(const std::vector<std::string>& args) {
  std::string client = "reference";
  std::string faults;
  std::string junit;
  std::string json;
  std::string baseline_file;
  std::string write_baseline;
  std::filesystem::path scenarios_dir = default_dir("scenarios");
  std::filesystem::path profiles_dir = default_dir("fixtures/clients");
  harness::RunOptions options;
  options.color = ::isatty(1) != 0;
  std::vector<std::string> patterns;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kRunHelp;
      return kExitOk;
    } else if (arg == "--client") {
      client = take_value(args, i);
    } else if (arg == "--fault") {
      faults = take_value(args, i);
    } else if (arg == "--junit") {
      junit = take_value(args, i);
    } else if (arg == "--json") {
      json = take_value(args, i);
    } else if (arg == "--baseline") {
      baseline_file = take_value(args, i);
    } else if (arg == "--write-baseline") {
      write_baseline = take_value(args, i);
    } else if (arg == "--strict") {
      options.strict = true;
    } else if (arg == "--show-secrets") {
      options.show_secrets = true;
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--no-color") {
      options.color = false;
    } else if (arg == "--scenarios") {
      scenarios_dir = take_value(args, i);
    } else if (arg == "--profiles") {
      profiles_dir = take_value(args, i);
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option " + arg + " (see loginspec run --help)");
    } else {
      patterns.push_back(arg);
    }
  }

  auto all = harness::load_scenario_tree(scenarios_dir);
  auto selected = harness::select_scenarios(all, patterns);
  std::optional<harness::Baseline> baseline;
  if (!baseline_file.empty()) baseline = harness::load_baseline(baseline_file);

  std::unique_ptr<harness::ClientAdapter> adapter;
  if (client == "reference") {
    adapter = std::make_unique<harness::ReferenceAdapter>(harness::ReferenceFaults::parse(faults));
  } else {
    if (!faults.empty()) throw UsageError("--fault applies to the reference client only");
    auto profile = harness::load_client_profile(harness::resolve_client_profile(client, profiles_dir));
    auto exec = std::make_unique<harness::ExecAdapter>(profile);
    if (auto missing = exec->missing_program()) {
      std::cerr << "loginspec: cannot test client \"" << profile.name << "\": " << *missing << "\n";
      return kExitUsage;
    }
    adapter = std::move(exec);
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  options.console = &std::cout;
  reports::RunResult run = harness::run_scenarios(selected, *adapter, options);
  std::vector<std::string> stale;
  if (baseline) {
    if (baseline->client != run.client_name) {
      std::cerr << "loginspec: warning: baseline " << baseline_file << " is for client \"" << baseline->client
                << "\", this run tested \"" << run.client_name << "\"\n";
    }
    stale = harness::apply_baseline(*baseline, run);
  }
  reports::write_console_summary(std::cout, run);

  if (!junit.empty()) reports::write_file_atomically(junit, [&](std::ostream& out) { reports::write_junit(out, run); });
  if (!json.empty()) reports::write_file_atomically(json, [&](std::ostream& out) { reports::write_json(out, run); });
  if (!write_baseline.empty()) {
    std::string text = harness::baseline_from_run(run, baseline ? &*baseline : nullptr);
    reports::write_file_atomically(write_baseline, [&](std::ostream& out) { out << text; });
  }
  if (harness::stop_requested()) {
    std::cerr << "loginspec: interrupted; " << run.scenarios.size() << " of " << selected.size()
              << " scenarios ran\n";
    return kExitError;
  }
  int code = exit_code_for(run);
  if (!stale.empty() && code == kExitOk) code = kExitFail;
  return code;
}

std::string markdown_escape(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

int command_list(const std::vector<std::string>& args) {
  std::string format = "text";
  std::filesystem::path scenarios_dir = default_dir("scenarios");
  std::vector<std::string> patterns;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kListHelp;
      return kExitOk;
    } else if (arg == "--format") {
      format = take_value(args, i);
      if (format != "text" && format != "json" && format != "markdown") {
        throw UsageError("--format takes text, json or markdown, not \"" + format + "\"");
      }
    } else if (arg == "--scenarios") {
      scenarios_dir = take_value(args, i);
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option " + arg + " (see loginspec list --help)");
    } else {
      patterns.push_back(arg);
    }
  }
  auto selected = harness::select_scenarios(harness::load_scenario_tree(scenarios_dir), patterns);

  auto checks_of = [](const harness::Scenario& scenario) {
    std::vector<std::string> ids = harness::default_check_ids();
    for (const auto& check : scenario.checks) {
      if (std::find(ids.begin(), ids.end(), check.id) == ids.end()) ids.push_back(check.id);
    }
    return ids;
  };

  if (format == "text") {
    for (const auto& scenario : selected) std::cout << scenario.id << "  " << scenario.title << "\n";
    std::cerr << selected.size() << " scenarios\n";
  } else if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& scenario : selected) {
      out.push_back({{"id", scenario.id},
                     {"title", scenario.title},
                     {"spec", scenario.spec},
                     {"tags", scenario.tags},
                     {"expect", std::string(harness::to_string(scenario.expect))},
                     {"checks", checks_of(scenario)}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "# Checks\n\n"
              << "Generated by `loginspec list --format markdown` from the check catalogue and the scenario files; "
                 "do not edit by hand.\n\n"
              << "| Check | Level | Spec | What the client must do | Scenarios |\n|---|---|---|---|---|\n";
    for (const auto& definition : harness::check_catalogue()) {
      std::vector<std::string> users;
      for (const auto& scenario : selected) {
        auto ids = checks_of(scenario);
        if (std::find(ids.begin(), ids.end(), definition.id) != ids.end()) users.push_back(scenario.id);
      }
      std::string list;
      if (users.size() == selected.size() && !users.empty()) {
        list = "all (" + std::to_string(users.size()) + ")";
      } else {
        for (const auto& id : users) list += (list.empty() ? "" : ", ") + ("`" + id + "`");
      }
      std::cout << "| `" << definition.id << "` | " << reports::to_string(definition.level) << " | "
                << markdown_escape(definition.spec) << " | " << markdown_escape(definition.summary) << " | "
                << (list.empty() ? "none" : list) << " |\n";
    }
  }
  return kExitOk;
}

int command_parse(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("parse needs at least one header value (see loginspec parse --help)");
  int code = kExitOk;
  for (const auto& arg : args) {
    if (arg == "-h" || arg == "--help") {
      std::cout << kParseHelp;
      return kExitOk;
    }
  }
  for (const auto& arg : args) {
    auto parsed = protocol::parse_challenges(arg);
    nlohmann::json out = protocol::challenges_to_json(parsed);
    out["input"] = arg;
    std::cout << out.dump(2) << "\n";
    if (!parsed.ok()) code = kExitFail;
  }
  return code;
}

int command_login(const std::vector<std::string>& args) {
  harness::ReferenceOptions options;
  bool password_stdin = false;
  std::string faults;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kLoginHelp;
      return kExitOk;
    } else if (arg == "-u" || arg == "--username") {
      options.username = take_value(args, i);
    } else if (arg == "--password-stdin") {
      password_stdin = true;
    } else if (arg == "--ca") {
      options.ca_file = take_value(args, i);
    } else if (arg == "--insecure") {
      options.insecure = true;
    } else if (arg == "--config") {
      options.config_dir = take_value(args, i);
    } else if (arg == "--fault") {
      faults = take_value(args, i);
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option " + arg + " (see loginspec login --help)");
    } else if (options.registry.empty()) {
      options.registry = arg;
    } else {
      throw UsageError("login takes one registry, got \"" + options.registry + "\" and \"" + arg + "\"");
    }
  }
  if (options.registry.empty()) throw UsageError("login needs a REGISTRY (see loginspec login --help)");
  if (options.username.empty()) throw UsageError("login needs --username");
  if (!password_stdin) throw UsageError("login needs --password-stdin (the password is never taken from the command line)");
  std::getline(std::cin, options.password);
  if (!options.password.empty() && options.password.back() == '\r') options.password.pop_back();
  options.faults = harness::ReferenceFaults::parse(faults);
  if (options.config_dir.empty()) {
    const char* docker_config = std::getenv("DOCKER_CONFIG");
    const char* home = std::getenv("HOME");
    options.config_dir = docker_config ? std::filesystem::path(docker_config)
                                       : std::filesystem::path(home ? home : ".") / ".docker";
  }
  auto result = harness::reference_login(options);
  (result.success ? std::cout : std::cerr) << result.output;
  return result.success ? kExitOk : kExitFail;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kMainHelp;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "loginspec " << LOGINSPEC_VERSION << "\n";
    return kExitOk;
  }
  std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "run") return command_run(args);
    if (command == "list") return command_list(args);
    if (command == "parse") return command_parse(args);
    if (command == "login") return command_login(args);
    if (command == "serve") return command_serve(args);
    if (command == "fuzz") return command_fuzz(args);
    std::cerr << "loginspec: unknown command \"" << command << "\"\n\n" << kMainHelp;
    return kExitUsage;
  } catch (const UsageError& error) {
    std::cerr << "loginspec: " << error.what() << "\n";
    return kExitUsage;
  } catch (const harness::ScenarioError& error) {
    std::cerr << "loginspec: invalid scenario: " << error.what() << "\n";
    return kExitUsage;
  } catch (const std::invalid_argument& error) {
    std::cerr << "loginspec: " << error.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& error) {
    std::cerr << "loginspec: " << error.what() << "\n";
    return kExitError;
  }
}
