// JSON results file: the full run in the documented "loginspec-results" format, and the
// reader that turns a saved file back into a RunResult. docs/RESULTS-FORMAT.md is the schema.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "reports/result.h"

namespace loginspec::reports {

inline constexpr std::string_view kResultsFormatName = "loginspec-results";
inline constexpr int kResultsFormatVersion = 1;

// Error in a results document, with the JSON pointer (RFC 6901) of the value at fault.
class ResultsFormatError : public std::runtime_error {
 public:
  ResultsFormatError(std::string pointer, const std::string& problem);
  const std::string& pointer() const { return pointer_; }

 private:
  std::string pointer_;
};

// Converts the run to the results document. Object keys come out sorted, because that is how
// nlohmann::json stores them; write_json() keeps the documented order instead. Bytes that are
// not well-formed UTF-8 become "\xHH" text, so the document can always be serialized.
nlohmann::json to_json(const RunResult& run);

// Writes the results document with 2-space indentation, keys in documented order, and a final
// line break.
void write_json(std::ostream& out, const RunResult& run);

// Reads a results document back. Every key of the format is required, except "counts", which
// is derived from the scenarios and ignored; unknown keys are ignored. Throws
// ResultsFormatError naming the JSON pointer of the first missing or invalid value.
RunResult run_result_from_json(const nlohmann::json& document);

}  // namespace loginspec::reports
