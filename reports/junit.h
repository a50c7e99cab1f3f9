// JUnit XML report, for CI systems that show test results (Jenkins, GitLab, GitHub Actions).
#pragma once

#include <cstddef>
#include <ostream>

#include "reports/result.h"

namespace loginspec::reports {

// Maximum bytes of client stdout or stderr copied into one <system-out> or <system-err>.
// The harness caps the capture already; this keeps the XML small when it did not.
inline constexpr std::size_t kMaxJunitOutputBytes = 64 * 1024;

// Writes the run as one <testsuite name="loginspec.<client>"> inside <testsuites>, with one
// <testcase> per scenario. classname is "loginspec.<client>.<family>", where the family is the
// scenario id up to its first '/'. A FAIL scenario gets <failure> listing every check that
// fails it, an ERROR gets <error>, a SKIP gets <skipped>, and a WARN passes with its warnings
// in <system-out>. Client stdout and stderr go to <system-out> and <system-err>.
// All text is escaped for XML 1.0 as escape_xml() in text.h describes.
void write_junit(std::ostream& out, const RunResult& run);

}  // namespace loginspec::reports
