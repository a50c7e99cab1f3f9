// Writes a JUnit report with every byte value in its text to the file named by argv[1],
// for the XML well-formedness test in reports/CMakeLists.txt.
#include <exception>
#include <iostream>

#include "reports/atomic_file.h"
#include "reports/junit.h"
#include "reports/test_support.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUTPUT.xml\n";
    return 2;
  }

  loginspec::reports::RunResult run = loginspec::reports::testing::sample_run();
  run.scenarios.push_back(loginspec::reports::testing::all_bytes_scenario());
  run.client_name = "client \x01<&\"'>";
  try {
    loginspec::reports::write_file_atomically(
        argv[1], [&](std::ostream& out) { loginspec::reports::write_junit(out, run); });
  } catch (const std::exception& error) {
    std::cerr << "reports_junit_sample: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
