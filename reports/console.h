// Console report: one line per scenario while the run goes on, and a summary at the end.
#pragma once

#include <ostream>

#include "reports/result.h"

namespace loginspec::reports {

// Writes one line for the scenario, such as
//   PASS  bearer/happy-path  (23 ms)
//   FAIL  bearer/wrong-scope  (41 ms, known failure) — token-scope: expected ..., found ...
// A scenario that did not pass gets the check behind its verdict (or its reason) after " — ".
// Line breaks and control bytes in that text are escaped, so the output is always one line.
// With color, the verdict word is wrapped in ANSI color codes.
void write_console_line(std::ostream& out, const ScenarioResult& scenario, bool color);

// Writes the end-of-run summary: the count of each verdict, client name and version, and wall
// time. Then it lists every FAIL and ERROR scenario with the indented messages of its failed
// checks, marking scenarios listed in the client's baseline "(known)", and the stale baseline
// entries.
void write_console_summary(std::ostream& out, const RunResult& run);

}  // namespace loginspec::reports
