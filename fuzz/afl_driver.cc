// Entry point for AFL++ builds: feeds stdin, or each file named on the command line, to LLVMFuzzerTestOneInput.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_one(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

// NOTE: this driver starts a new process per input. AFL++ persistent mode (__AFL_LOOP) would
// be faster but needs AFL++'s compiler macros, which this build does not assume.
int main(int argc, char** argv) {
  if (argc < 2) {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    run_one(input);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "cannot open input file %s\n", argv[i]);
      return 2;
    }
    run_one(std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()));
  }
  return 0;
}
