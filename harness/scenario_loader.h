// Loads scenario files strictly: unknown keys and bad values are errors with file and JSON pointer.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/scenario.h"

namespace loginspec::harness {

// Formats "FILE: at POINTER: expected EXPECTED, found FOUND", the shape of every error about a
// JSON input file (scenarios, client profiles, baselines); an empty pointer reads as "/".
std::string file_error_message(const std::filesystem::path& file, const std::string& pointer,
                               const std::string& expected, const std::string& found);

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::filesystem::path file, std::string pointer, std::string expected, std::string found);
  const std::filesystem::path& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }

 private:
  std::filesystem::path file_;
  std::string pointer_;
  std::string expected_;
  std::string found_;
};

// Parses one scenario. `id` is its slug ("bearer/happy-path"). Throws ScenarioError.
Scenario parse_scenario(const std::string& text, const std::filesystem::path& file, const std::string& id);
Scenario load_scenario_file(const std::filesystem::path& file, const std::filesystem::path& root);

// Loads every *.json below root, sorted by id. Throws ScenarioError on the first bad file.
std::vector<Scenario> load_scenario_tree(const std::filesystem::path& root);

// Keeps the scenarios whose id matches any pattern ('*' matches any run of characters,
// including '/'), in pattern order and without repeats. A pattern that matches no scenario
// throws std::invalid_argument.
std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all, const std::vector<std::string>& patterns);
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace loginspec::harness
