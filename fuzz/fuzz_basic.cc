// Fuzz target for Basic credentials and base64: aborts when check_basic_properties() reports a violated property.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto failure = loginspec::fuzz::check_basic_properties(input)) {
    std::fprintf(stderr, "property violated: %s\n", failure->c_str());
    std::abort();
  }
  return 0;
}
