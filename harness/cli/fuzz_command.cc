// loginspec fuzz: generated challenge fields and token bodies against one client, with a class per case.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "harness/cli/common.h"
#include "harness/client_fuzzer.h"
#include "harness/environment.h"
#include "harness/exec_adapter.h"
#include "harness/reference_adapter.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"
#include "reports/atomic_file.h"
#include "reports/json_report.h"
#include "reports/junit.h"

namespace loginspec::cli {

namespace {

const char* kFuzzHelp = R"(Usage: loginspec fuzz --client NAME|FILE [options]
       loginspec fuzz --client NAME|FILE --replay FILE ...

Generates WWW-Authenticate fields and token responses, from the RFC 9110 grammar and by
mutating valid ones, serves each to the client with fresh mock servers on loopback, and sorts
every case into a class: clean-success, clean-rejection, lenient-success, crash, hang, loop,
credential-leak, unverified-success, wrong-rejection (harness-error when the harness broke).
Each crash, hang, loop, credential-leak, unverified-success and wrong-rejection input is
shrunk and written as a scenario file that `loginspec run` replays.

Options:
  --client NAME|FILE      client to fuzz: "reference" (the default), a profile name from the
                          profiles folder, or a path to a profile
  --seed N                seed of the case generator (default 1); the same seed gives the same cases
  --cases K               number of cases to run (default 200)
  --time-limit S          stop starting cases and shrinking after S seconds (default: none)
  --case-time-limit MS    time limit of one login attempt in milliseconds, 100 to 600000
                          (default 10000); a client still running then is a hang
  --shrink-attempts N     client runs allowed to shrink one failing input (default 60; a hang gets
                          at most 8)
  --out DIR               folder for reproducers (default: the source tree's scenarios/fuzz)
  --no-reproducers        neither shrink nor write reproducers
  --junit FILE            write a JUnit XML report, one test case per fuzz case
  --json FILE             write a JSON report (format in docs/RESULTS-FORMAT.md)
  --replay FILE ...       run these scenario files (reproducers) once each and print their class
  --profiles DIR          client profile folder (default: the source tree's fixtures/clients/)
  --keep                  keep the private run folder and print its path
  -h, --help              show this help

Exit codes: 0 no crash, hang, loop, credential-leak or unverified-success; 1 at least one of
them; 2 usage error; 3 harness error. A wrong-rejection alone does not change the exit code.
)";

void on_signal(int) { harness::request_stop(); }

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t low, std::uint64_t high) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || value < low || value > high) {
    throw UsageError(option + " takes a whole number from " + std::to_string(low) + " to " + std::to_string(high) +
                     ", not \"" + text + "\"");
  }
  return value;
}

std::unique_ptr<harness::ClientAdapter> make_adapter(const std::string& client, const std::filesystem::path& profiles_dir) {
  if (client == "reference") return std::make_unique<harness::ReferenceAdapter>();
  auto profile = harness::load_client_profile(harness::resolve_client_profile(client, profiles_dir));
  auto exec = std::make_unique<harness::ExecAdapter>(profile);
  if (auto missing = exec->missing_program()) {
    throw UsageError("cannot fuzz client \"" + profile.name + "\": " + *missing);
  }
  return exec;
}

bool safety_finding(harness::FuzzClass fuzz_class) {
  return harness::is_finding(fuzz_class) && fuzz_class != harness::FuzzClass::kWrongRejection;
}

void write_summary(std::ostream& out, const harness::FuzzSummary& summary, const harness::FuzzOptions& options) {
  double seconds = summary.fuzz_wall_ms / 1000.0;
  char line[256];
  std::snprintf(line, sizeof line, "Fuzzed %llu cases against %s%s%s with seed %llu in %.2f s (%.0f cases/s)",
                static_cast<unsigned long long>(summary.cases_run), summary.run.client_name.c_str(),
                summary.run.client_version.empty() ? "" : " ", summary.run.client_version.c_str(),
                static_cast<unsigned long long>(options.seed), seconds,
                seconds > 0 ? static_cast<double>(summary.cases_run) / seconds : 0.0);
  out << line << "\n";
  if (summary.shrink_wall_ms > 0) {
    std::snprintf(line, sizeof line, "Shrinking and replaying %zu findings took %.2f s", summary.findings.size(),
                  summary.shrink_wall_ms / 1000.0);
    out << line << "\n";
  }
  if (summary.time_limit_reached) out << "The time limit stopped the run before all cases ran.\n";
  out << "\n";

  std::snprintf(line, sizeof line, "%-20s %6s  %s\n", "Class", "Cases", "First reproducer");
  out << line;
  for (harness::FuzzClass fuzz_class : harness::all_fuzz_classes()) {
    auto count = summary.counts.find(fuzz_class);
    auto reproducer = summary.first_reproducer.find(fuzz_class);
    std::string path = reproducer == summary.first_reproducer.end() ? "-" : reproducer->second.string();
    std::snprintf(line, sizeof line, "%-20s %6d  ", std::string(harness::to_string(fuzz_class)).c_str(),
                  count == summary.counts.end() ? 0 : count->second);
    out << line << path << "\n";
  }

  if (summary.scenario_wall_ms > 0) {
    double overhead = summary.scenario_wall_ms - summary.client_wall_ms;
    std::snprintf(line, sizeof line,
                  "\nClient wall time %.2f s of %.2f s scenario time: the harness added %.2f s (%.1f%% of the client's time)\n",
                  summary.client_wall_ms / 1000.0, summary.scenario_wall_ms / 1000.0, overhead / 1000.0,
                  summary.client_wall_ms > 0 ? 100.0 * overhead / summary.client_wall_ms : 0.0);
    out << line;
  }
  std::size_t not_replayed = 0;
  for (const auto& finding : summary.findings) not_replayed += finding.replayed ? 0 : 1;
  if (not_replayed > 0) {
    out << not_replayed << " reproducer(s) did not replay to the class they were found with; "
        << "the client may behave differently from run to run.\n";
  }
}

int replay_files(const std::vector<std::string>& files, harness::ClientAdapter& adapter, bool keep) {
  std::filesystem::path run_dir = harness::make_private_directory("loginspec-fuzz-");
  int code = kExitOk;
  {
    harness::TlsMaterialCache tls(run_dir);
    for (const auto& file : files) {
      std::filesystem::path path = file;
      harness::Scenario scenario = harness::load_scenario_file(path, path.parent_path().parent_path());
      harness::CaseRun run = harness::replay_scenario(scenario, adapter, tls, run_dir);
      std::string recorded = scenario.tags.size() > 1 ? scenario.tags[1] : "";
      std::cout << harness::to_string(run.classification.fuzz_class) << "  " << path.string();
      if (!recorded.empty()) std::cout << "  (recorded: " << recorded << ")";
      std::cout << "\n    " << run.classification.reason << "\n";
      if (safety_finding(run.classification.fuzz_class)) code = std::max(code, kExitFail);
      if (run.classification.fuzz_class == harness::FuzzClass::kHarnessError) code = kExitError;
    }
  }
  if (!keep) {
    std::error_code ignored;
    std::filesystem::remove_all(run_dir, ignored);
  }
  return code;
}

}  // namespace

int command_fuzz(const std::vector<std::string>& args) {
  std::string client = "reference";
  std::string junit;
  std::string json;
  bool write_reproducers = true;
  std::vector<std::string> replay;
  std::filesystem::path profiles_dir = default_dir("fixtures/clients");
  harness::FuzzOptions options;
  options.out_dir = default_dir("scenarios/fuzz");
  options.console = &std::cout;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kFuzzHelp;
      return kExitOk;
    } else if (arg == "--client") {
      client = take_value(args, i);
    } else if (arg == "--seed") {
      options.seed = parse_count(arg, take_value(args, i), 0, std::numeric_limits<std::uint64_t>::max());
    } else if (arg == "--cases") {
      options.cases = parse_count(arg, take_value(args, i), 1, 100000000);
    } else if (arg == "--time-limit") {
      options.time_limit = std::chrono::seconds(parse_count(arg, take_value(args, i), 1, 7 * 24 * 3600));
    } else if (arg == "--case-time-limit") {
      options.case_time_limit = std::chrono::milliseconds(parse_count(arg, take_value(args, i), 100, 600000));
    } else if (arg == "--shrink-attempts") {
      options.shrink_attempts = static_cast<int>(parse_count(arg, take_value(args, i), 0, 100000));
    } else if (arg == "--out") {
      options.out_dir = take_value(args, i);
    } else if (arg == "--no-reproducers") {
      write_reproducers = false;
    } else if (arg == "--junit") {
      junit = take_value(args, i);
    } else if (arg == "--json") {
      json = take_value(args, i);
    } else if (arg == "--profiles") {
      profiles_dir = take_value(args, i);
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--replay") {
      if (i + 1 >= args.size() || args[i + 1].starts_with("-")) throw UsageError("--replay needs at least one scenario file");
      while (i + 1 < args.size() && !args[i + 1].starts_with("-")) replay.push_back(args[++i]);
    } else {
      throw UsageError("unknown option or argument " + arg + " (see loginspec fuzz --help)");
    }
  }
  if (!write_reproducers) options.out_dir.clear();

  std::unique_ptr<harness::ClientAdapter> adapter = make_adapter(client, profiles_dir);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  if (!replay.empty()) return replay_files(replay, *adapter, options.keep);

  harness::FuzzSummary summary = harness::run_fuzz(*adapter, options);
  std::cout << "\n";
  write_summary(std::cout, summary, options);

  if (!junit.empty()) {
    reports::write_file_atomically(junit, [&](std::ostream& out) { reports::write_junit(out, summary.run); });
  }
  if (!json.empty()) {
    reports::write_file_atomically(json, [&](std::ostream& out) { reports::write_json(out, summary.run); });
  }
  if (harness::stop_requested()) {
    std::cerr << "loginspec: interrupted; " << summary.cases_run << " of " << options.cases << " cases ran\n";
    return kExitError;
  }
  if (summary.counts[harness::FuzzClass::kHarnessError] > 0) return kExitError;
  for (const auto& [fuzz_class, count] : summary.counts) {
    if (count > 0 && safety_finding(fuzz_class)) return kExitFail;
  }
  return kExitOk;
}

}  // namespace loginspec::cli
