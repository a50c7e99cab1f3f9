// Fixed results for the tests of reports/: the golden files are rendered from sample_run().
#pragma once

#include "reports/result.h"

namespace loginspec::reports::testing {

// A run of seven scenarios that covers every verdict, a known failure, a stale baseline
// entry, an already redacted secret, a control byte and the characters < & " > in messages,
// and an exchange with a repeated header. Changing it changes the golden files.
RunResult sample_run();

// A FAIL scenario whose check message, client output and exchange body hold every byte value
// from 0 to 255, for escaping tests.
ScenarioResult all_bytes_scenario();

}  // namespace loginspec::reports::testing
