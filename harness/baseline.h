// Per-client baselines: known failures with reasons, so CI fails only on new ones.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/result.h"

namespace loginspec::harness {

struct BaselineEntry {
  std::string scenario;          // scenario id
  reports::Verdict verdict;      // FAIL, WARN or ERROR as recorded
  std::string reason;            // why the client behaves this way (required)
};

struct Baseline {
  std::filesystem::path file;
  std::string client;
  std::vector<BaselineEntry> entries;
};

// Loads a baseline; throws std::invalid_argument naming the file, JSON pointer, expected and found.
Baseline load_baseline(const std::filesystem::path& file);

// Marks scenarios whose verdict matches their entry as known failures, and entries whose
// scenario no longer shows that verdict as stale. Returns the stale entries' messages.
std::vector<std::string> apply_baseline(const Baseline& baseline, reports::RunResult& run);

// Writes the run's FAIL, WARN and ERROR scenarios as a baseline, keeping reasons from `previous`
// for entries that still apply; new entries get reason "TODO: explain".
std::string baseline_from_run(const reports::RunResult& run, const Baseline* previous);

}  // namespace loginspec::harness
