// Fuzz target for the scenario loader: any input either loads or throws ScenarioError whose
// JSON pointer resolves in the document (or is empty for syntax errors); nothing else escapes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/scenario_loader.h"

namespace {

[[noreturn]] void violated(const std::string& what) {
  std::fprintf(stderr, "property violated: %s\n", what.c_str());
  std::abort();
}

// A pointer names the bad value, or the missing key right below an existing object.
bool pointer_resolves(const nlohmann::json& document, const std::string& pointer) {
  if (pointer.empty()) return true;
  try {
    nlohmann::json::json_pointer path(pointer);
    if (document.contains(path)) return true;
    return document.contains(path.parent_pointer()) || path.parent_pointer().empty();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    loginspec::harness::Scenario scenario = loginspec::harness::parse_scenario(text, "fuzz.json", "fuzz/case");
    if (scenario.title.empty() || scenario.spec.empty()) violated("a loaded scenario has no title or no spec");
  } catch (const loginspec::harness::ScenarioError& error) {
    nlohmann::json document;
    try {
      document = nlohmann::json::parse(text, nullptr, true, true);
    } catch (const nlohmann::json::exception&) {
      if (!error.pointer().empty()) violated("a syntax error was reported at pointer " + error.pointer());
      return 0;
    }
    if (!pointer_resolves(document, error.pointer())) violated("error pointer " + error.pointer() + " does not resolve");
  } catch (const std::exception& error) {
    violated(std::string("an exception other than ScenarioError escaped: ") + error.what());
  }
  return 0;
}
