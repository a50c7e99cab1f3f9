// The client fuzzer: generates odd WWW-Authenticate fields and token bodies, runs each through a
// login client, classifies what the client did, shrinks failing inputs and writes reproducers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/adapter.h"
#include "harness/scenario.h"
#include "reports/result.h"

namespace loginspec::harness {

// Random numbers that are the same for a seed on every platform: std::mt19937_64 is fully
// specified by the standard, but the std:: distributions are not, so the few needed here are
// implemented on top of the raw engine output.
class FuzzRandom {
 public:
  explicit FuzzRandom(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, bound); bound 0 returns 0. Rejection sampling avoids modulo bias.
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [low, high], both inclusive.
  std::uint64_t between(std::uint64_t low, std::uint64_t high) { return low + below(high - low + 1); }
  // True with probability numerator / denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator) { return below(denominator) < numerator; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(below(items.size()))];
  }

  // Fisher-Yates shuffle with this generator.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[static_cast<std::size_t>(below(i))]);
  }

 private:
  std::mt19937_64 engine_;
};

// One change applied to a valid challenge field or token body. The name is stable: reproducer
// titles, tests and docs use it.
enum class Mutation {
  // Challenge field: quoting.
  kSingleQuotes,
  kMissingCloseQuote,
  kUnquotedUrl,
  kUnquotedToken,
  kQuotedPair,
  // Challenge field: case and whitespace.
  kSchemeCase,
  kNameCase,
  kSpaceAroundEquals,
  kSpaceBeforeComma,
  kTabs,
  // Challenge field: list syntax and parameters.
  kExtraCommas,
  kEmptyParameter,
  kRepeatedParameter,
  kExtraParameters,
  kToken68,
  // Challenge field: the realm.
  kMissingRealm,
  kEmptyRealm,
  kRelativeRealm,
  kRealmOtherHost,
  kRealmOtherPort,
  kRealmPlainHttp,
  kRealmQuery,
  kLongRealm,
  // Challenge field: bytes.
  kNonAscii,
  kControlByte,
  kNulByte,
  // Challenge field: several challenges.
  kChallengesInOneLine,
  kChallengesOnSeveralLines,
  kGrammarRandom,
  // Token response body.
  kTokenMissing,
  kTokenEmpty,
  kTokenConflicting,
  kOneTokenField,
  kWrongType,
  kInvalidIssuedAt,
  kExtraFields,
  kDuplicateKey,
  kTrailingBytes,
  kNotJson,
  kNotObject,
  kHugeBody,
};

std::string_view mutation_name(Mutation mutation);         // "space-around-equals"
std::string_view mutation_family(Mutation mutation);       // "whitespace"
std::string_view mutation_description(Mutation mutation);  // "spaces around '='", for titles
std::string_view mutation_spec(Mutation mutation);         // clause the mutation exercises
const std::vector<Mutation>& all_mutations();

enum class FuzzTarget { kChallenge, kTokenBody };

// One generated input. Strings hold scenario placeholders (${realm}, ${token}, ...), so the
// same case replays against servers on other ports.
struct FuzzCase {
  std::uint64_t seed = 0;
  std::uint64_t index = 0;
  FuzzTarget target = FuzzTarget::kChallenge;
  bool registry_tls = false;                // HTTPS registry; the token server stays plain HTTP
  std::vector<std::string> challenge_lines;  // WWW-Authenticate field lines of the registry's 401
  std::optional<std::string> token_body;     // raw token response; nullopt: the default JSON body
  std::vector<Mutation> mutations;           // in the order applied

  bool operator==(const FuzzCase& other) const {
    return target == other.target && registry_tls == other.registry_tls && challenge_lines == other.challenge_lines &&
           token_body == other.token_body && mutations == other.mutations;
  }
};

// Generates case `index` of the run with `seed`. The result depends on (seed, index) only.
FuzzCase generate_case(std::uint64_t seed, std::uint64_t index);

// Expected outcome of a case for a correct client, decided by this project's strict parsers
// (protocol::parse_challenge_lines and protocol::parse_token_response).
struct CaseOracle {
  bool strict_success = false;    // a strict RFC 9110 / RFC 6750 client logs in
  bool strict_accepts = false;    // a strict client may log in: strict_success, or a valid but
                                  // ambiguous input (several Bearer realms, Basic, two token fields)
  bool lenient_possible = false;  // a lenient reading may still log in at the right servers
  bool basic_offered = false;     // some field line names Basic, so Basic to the registry is allowed
  bool downgrade = false;         // HTTPS registry names a plain-HTTP realm
  Expectation expect = Expectation::kFailure;
  std::string reason;             // one sentence: why this expectation
};

CaseOracle judge_case(const FuzzCase& input);

// Class of a client's behaviour on one case.
enum class FuzzClass {
  kCleanSuccess,       // logged in where a correct client may
  kCleanRejection,     // failed where a correct client fails
  kLenientSuccess,     // logged in although a strict parser rejects the input; not a bug
  kCrash,              // died from a signal or a runtime panic
  kHang,               // killed at the case time limit
  kLoop,               // more requests than one login needs (bounded-requests failed)
  kCredentialLeak,     // password or token sent or printed where the case does not allow it
  kUnverifiedSuccess,  // reported success without a 200 from the registry
  kWrongRejection,     // failed where a correct client logs in
  kHarnessError,       // the harness or adapter broke, so the case grades nothing about the client
};

std::string_view to_string(FuzzClass fuzz_class);
std::optional<FuzzClass> parse_fuzz_class(std::string_view text);
const std::vector<FuzzClass>& all_fuzz_classes();
// Classes that are shrunk and written as reproducers.
bool is_finding(FuzzClass fuzz_class);

struct Classification {
  FuzzClass fuzz_class = FuzzClass::kCleanRejection;
  std::string reason;  // what in the attempt decided the class
};

// Classifies a graded attempt. Reads the client outcome, the check results and the redacted
// exchanges of `result`, never log text except a runtime panic banner on standard error.
Classification classify_attempt(const CaseOracle& oracle, const reports::ScenarioResult& result);

// Provenance written into a reproducer's leading comment.
struct ReproducerInfo {
  std::string client;
  FuzzClass fuzz_class = FuzzClass::kCleanRejection;
  std::string reason;
};

// The case as a scenario document in the loader's format: title, spec, tags, challenge lines,
// token body, the Basic rule when Basic is offered, expect and checks.
nlohmann::ordered_json scenario_document(const FuzzCase& input, const CaseOracle& oracle,
                                         std::chrono::milliseconds time_limit,
                                         const std::optional<FuzzClass>& fuzz_class);

// Builds the in-memory scenario by parsing scenario_document(), so a run and its reproducer
// file always describe the same servers.
Scenario build_scenario(const FuzzCase& input, const CaseOracle& oracle, const std::string& id,
                        std::chrono::milliseconds time_limit);

// Recovers the fuzzed input from a scenario (a reproducer file), for replay.
FuzzCase case_from_scenario(const Scenario& scenario);

// Splits text into shrinking units that keep the result loadable and its hosts unchanged: a
// ${name} placeholder, a UTF-8 sequence and "://" with the authority after it are always one
// unit. With `words`, runs of letters and digits are one unit too.
std::vector<std::string> split_units(std::string_view text, bool words);

// Delta debugging (ddmin): removes chunks of units while still_fails holds for the rest. Each
// call of still_fails uses one attempt; it stops when attempts_left reaches 0.
std::vector<std::string> shrink_units(std::vector<std::string> units,
                                      const std::function<bool(const std::vector<std::string>&)>& still_fails,
                                      int& attempts_left);

// Shrinks the fuzzed part of a case (lines, then words, then bytes) while still_fails holds.
FuzzCase shrink_case(const FuzzCase& input, const std::function<bool(const FuzzCase&)>& still_fails,
                     int max_attempts);

// Writes "<class>-<hash>.json" under dir (the hash covers the input) and returns its path.
std::filesystem::path write_reproducer(const FuzzCase& input, const CaseOracle& oracle, const ReproducerInfo& info,
                                       std::chrono::milliseconds time_limit, const std::filesystem::path& dir);

struct FuzzOptions {
  std::uint64_t seed = 1;
  std::uint64_t cases = 200;
  std::optional<std::chrono::milliseconds> time_limit;  // for the whole run, shrinking included
  std::chrono::milliseconds case_time_limit{10000};
  std::filesystem::path out_dir;                        // reproducers; empty: none written
  int shrink_attempts = 60;                             // per failing input
  bool keep = false;                                    // keep the private run folder
  std::ostream* console = nullptr;                      // one line per finding, progress
};

struct FuzzFinding {
  std::uint64_t index = 0;
  FuzzClass fuzz_class = FuzzClass::kCleanRejection;
  std::filesystem::path reproducer;
  bool replayed = false;  // the written file replayed to the same class
  std::size_t original_bytes = 0;
  std::size_t shrunk_bytes = 0;
};

struct FuzzSummary {
  reports::RunResult run;                     // one ScenarioResult per case, id "fuzz/case-<n>"
  std::map<FuzzClass, int> counts;
  std::map<FuzzClass, std::filesystem::path> first_reproducer;
  std::vector<FuzzFinding> findings;
  std::uint64_t cases_run = 0;
  bool time_limit_reached = false;
  double fuzz_wall_ms = 0;                    // generating and running cases, shrinking excluded
  double shrink_wall_ms = 0;
  double client_wall_ms = 0;                  // sum of ClientOutcome.wall_ms over the cases
  double scenario_wall_ms = 0;                // sum of ScenarioResult.wall_ms over the cases
};

// Runs options.cases generated cases against the adapter, shrinking and writing each finding.
FuzzSummary run_fuzz(ClientAdapter& adapter, const FuzzOptions& options);

// Runs one scenario built from a case and classifies it. run_dir is the private run folder.
struct CaseRun {
  CaseOracle oracle;
  Classification classification;
  reports::ScenarioResult result;
};
CaseRun run_case(const FuzzCase& input, const std::string& id, ClientAdapter& adapter, class TlsMaterialCache& tls,
                 const std::filesystem::path& run_dir, std::chrono::milliseconds time_limit);
// Runs a loaded scenario (a reproducer file) as it is and classifies it with the oracle of the
// input it carries.
CaseRun replay_scenario(const Scenario& scenario, ClientAdapter& adapter, TlsMaterialCache& tls,
                        const std::filesystem::path& run_dir);

}  // namespace loginspec::harness
