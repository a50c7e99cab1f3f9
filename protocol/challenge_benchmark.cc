// Throughput of parse_challenges() on typical registry headers, in headers per second.
#include <benchmark/benchmark.h>

#include <string_view>

#include "protocol/challenge.h"

namespace {

// What a distribution registry sends for a pull, what an htpasswd registry sends, and a
// two-challenge field with a token68 and escapes.
constexpr std::string_view kBearerPull =
    R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:ns/app:pull,push")";
constexpr std::string_view kBasic = R"(Basic realm="Registry Realm")";
constexpr std::string_view kMixed =
    R"(Negotiate YIIB9wYGKwYBBQUCoIIB6zCCAeegDTALBgkqhkiG9xIBAgKiggHUBIIB0GCCAcw=, Bearer realm="https://auth.example/token", service="registry.example", error="insufficient_scope", scope="repository:ns/app:pull", title="Login to \"apps\"")";

void parse_header(benchmark::State& state, std::string_view header) {
  for (auto _ : state) {
    loginspec::protocol::ChallengeParse parse = loginspec::protocol::parse_challenges(header);
    benchmark::DoNotOptimize(parse);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(header.size()));
}

BENCHMARK_CAPTURE(parse_header, bearer_pull, kBearerPull);
BENCHMARK_CAPTURE(parse_header, basic, kBasic);
BENCHMARK_CAPTURE(parse_header, mixed, kMixed);

}  // namespace
