// Baseline files: loading, matching against a run, and writing a fresh one.
#include "harness/baseline.h"

#include "harness/scenario_loader.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace loginspec::harness {

namespace {

[[noreturn]] void baseline_error(const std::filesystem::path& file, const std::string& pointer,
                                 const std::string& expected, const std::string& found) {
  throw std::invalid_argument(file_error_message(file, pointer, expected, found));
}

}  // namespace

Baseline load_baseline(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument(file.string() + ": cannot open baseline (no such file or not readable)");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.str(), nullptr, true, true);
  } catch (const nlohmann::json::parse_error& error) {
    baseline_error(file, "/", "valid JSON", "a syntax error at byte " + std::to_string(error.byte > 0 ? error.byte - 1 : 0));
  }
  if (!document.is_object()) baseline_error(file, "/", "an object with \"client\" and \"known\"", document.dump());
  for (const auto& [key, unused] : document.items()) {
    if (key != "client" && key != "known") baseline_error(file, "/" + key, "\"client\" or \"known\"", "unknown key \"" + key + "\"");
  }

  Baseline baseline;
  baseline.file = file;
  if (!document.contains("client") || !document["client"].is_string()) {
    baseline_error(file, "/client", "the client name as a string", document.value("client", nlohmann::json()).dump());
  }
  baseline.client = document["client"].get<std::string>();
  if (!document.contains("known") || !document["known"].is_array()) {
    baseline_error(file, "/known", "an array of entries", document.value("known", nlohmann::json()).dump());
  }
  const auto& known = document["known"];
  for (std::size_t i = 0; i < known.size(); ++i) {
    std::string pointer = "/known/" + std::to_string(i);
    const auto& item = known[i];
    if (!item.is_object()) baseline_error(file, pointer, "an object", item.dump());
    for (const auto& [key, unused] : item.items()) {
      if (key != "scenario" && key != "verdict" && key != "reason") {
        baseline_error(file, pointer + "/" + key, "\"scenario\", \"verdict\" or \"reason\"", "unknown key \"" + key + "\"");
      }
    }
    BaselineEntry entry;
    for (const char* key : {"scenario", "verdict", "reason"}) {
      if (!item.contains(key) || !item[key].is_string() || item[key].get<std::string>().empty()) {
        baseline_error(file, pointer + "/" + key, "a non-empty string", item.value(key, nlohmann::json()).dump());
      }
    }
    entry.scenario = item["scenario"].get<std::string>();
    entry.reason = item["reason"].get<std::string>();
    std::string verdict = item["verdict"].get<std::string>();
    if (verdict == "FAIL") entry.verdict = reports::Verdict::kFail;
    else if (verdict == "WARN") entry.verdict = reports::Verdict::kWarn;
    else if (verdict == "ERROR") entry.verdict = reports::Verdict::kError;
    else baseline_error(file, pointer + "/verdict", "\"FAIL\", \"WARN\" or \"ERROR\"", "\"" + verdict + "\"");
    for (const auto& earlier : baseline.entries) {
      if (earlier.scenario == entry.scenario) baseline_error(file, pointer + "/scenario", "each scenario once", "\"" + entry.scenario + "\" again");
    }
    baseline.entries.push_back(std::move(entry));
  }
  return baseline;
}

std::vector<std::string> apply_baseline(const Baseline& baseline, reports::RunResult& run) {
  std::vector<std::string> stale;
  for (const auto& entry : baseline.entries) {
    reports::ScenarioResult* scenario = nullptr;
    for (auto& candidate : run.scenarios) {
      if (candidate.id == entry.scenario) scenario = &candidate;
    }
    if (scenario == nullptr) continue;  // not selected in this run
    if (scenario->verdict == entry.verdict) {
      scenario->known_failure = true;
    } else {
      scenario->stale_baseline_entry = true;
      stale.push_back(entry.scenario + ": listed as " + std::string(reports::to_string(entry.verdict)) + ", now " +
                      std::string(reports::to_string(scenario->verdict)) + "; update " + baseline.file.string());
    }
  }
  return stale;
}

std::string baseline_from_run(const reports::RunResult& run, const Baseline* previous) {
  nlohmann::ordered_json document;
  document["client"] = run.client_name;
  document["known"] = nlohmann::ordered_json::array();
  for (const auto& scenario : run.scenarios) {
    if (scenario.verdict != reports::Verdict::kFail && scenario.verdict != reports::Verdict::kWarn &&
        scenario.verdict != reports::Verdict::kError) {
      continue;
    }
    std::string reason = "TODO: explain (" + scenario.reason + ")";
    if (previous != nullptr) {
      for (const auto& entry : previous->entries) {
        if (entry.scenario == scenario.id && entry.verdict == scenario.verdict) reason = entry.reason;
      }
    }
    document["known"].push_back(
        {{"scenario", scenario.id}, {"verdict", std::string(reports::to_string(scenario.verdict))}, {"reason", reason}});
  }
  return document.dump(2) + "\n";
}

}  // namespace loginspec::harness
