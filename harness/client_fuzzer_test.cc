// Tests of the client fuzzer: generator, oracle, classifier, shrinker and reproducer files.
#include "harness/client_fuzzer.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/environment.h"
#include "harness/reference_adapter.h"
#include "harness/scenario_loader.h"

namespace loginspec::harness {
namespace {

constexpr std::uint64_t kSeed = 20261204;

bool has_mutation(const FuzzCase& input, Mutation mutation) {
  return std::find(input.mutations.begin(), input.mutations.end(), mutation) != input.mutations.end();
}

FuzzCase challenge_case(std::vector<std::string> lines) {
  FuzzCase input;
  input.challenge_lines = std::move(lines);
  return input;
}

FuzzCase body_case(std::string body) {
  FuzzCase input;
  input.target = FuzzTarget::kTokenBody;
  input.challenge_lines = {"Bearer realm=\"${realm}\",service=\"loginspec-registry\""};
  input.token_body = std::move(body);
  return input;
}

TEST(FuzzRandomTest, SameSeedGivesSameNumbers) {
  FuzzRandom first(7);
  FuzzRandom second(7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(first.below(1000003), second.below(1000003)) << "draw " << i;
}

TEST(FuzzRandomTest, BelowStaysInRange) {
  FuzzRandom random(11);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    std::uint64_t value = random.below(7);
    ASSERT_LT(value, 7u);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(random.below(0), 0u);
  EXPECT_EQ(random.below(1), 0u);
}

TEST(ClientFuzzerTest, SameSeedGivesSameCases) {
  for (std::uint64_t index = 0; index < 300; ++index) {
    FuzzCase first = generate_case(kSeed, index);
    FuzzCase second = generate_case(kSeed, index);
    ASSERT_EQ(first, second) << "case " << index;
  }
}

TEST(ClientFuzzerTest, OtherSeedGivesOtherCases) {
  int different = 0;
  for (std::uint64_t index = 0; index < 50; ++index) {
    if (!(generate_case(kSeed, index) == generate_case(kSeed + 1, index))) ++different;
  }
  EXPECT_GT(different, 40);
}

TEST(ClientFuzzerTest, EveryMutationAppears) {
  std::set<Mutation> seen;
  std::set<std::string_view> families;
  for (std::uint64_t index = 0; index < 3000; ++index) {
    FuzzCase input = generate_case(kSeed, index);
    int realm_values = 0;
    for (Mutation mutation : input.mutations) {
      realm_values += mutation == Mutation::kMissingRealm || mutation == Mutation::kEmptyRealm ||
                      mutation == Mutation::kRelativeRealm || mutation == Mutation::kRealmOtherHost ||
                      mutation == Mutation::kRealmOtherPort || mutation == Mutation::kRealmQuery ||
                      mutation == Mutation::kLongRealm || mutation == Mutation::kRealmPlainHttp;
    }
    EXPECT_LE(realm_values, 1) << "case " << index;
    for (Mutation mutation : input.mutations) {
      seen.insert(mutation);
      families.insert(mutation_family(mutation));
    }
  }
  for (Mutation mutation : all_mutations()) EXPECT_TRUE(seen.count(mutation)) << mutation_name(mutation);
  for (std::string_view family : {"quoting", "case", "whitespace", "commas", "parameters", "realm", "bytes",
                                  "multiple-challenges", "token-fields", "token-types", "token-framing"}) {
    EXPECT_TRUE(families.count(family)) << family;
  }
}

TEST(ClientFuzzerTest, MutationsShowInTheInput) {
  for (std::uint64_t index = 0; index < 2000; ++index) {
    FuzzCase input = generate_case(kSeed, index);
    std::string joined;
    for (const auto& line : input.challenge_lines) joined += line + "\n";
    if (has_mutation(input, Mutation::kNulByte)) {
      EXPECT_NE(joined.find('\0'), std::string::npos) << "case " << index;
    }
    // A token68 challenge may replace the Bearer challenge and its realm.
    bool realm_kept = !has_mutation(input, Mutation::kToken68);
    bool bytes_inserted = has_mutation(input, Mutation::kNonAscii) || has_mutation(input, Mutation::kControlByte) ||
                          has_mutation(input, Mutation::kNulByte);
    if (has_mutation(input, Mutation::kLongRealm) && realm_kept && !bytes_inserted) {
      EXPECT_GT(joined.size(), 64u * 1024) << "case " << index;
    }
    if (has_mutation(input, Mutation::kRealmPlainHttp)) {
      EXPECT_TRUE(input.registry_tls) << "case " << index;
    }
    if (has_mutation(input, Mutation::kRealmOtherHost) && realm_kept) {
      // Inserted bytes never land inside the host.
      bool unreachable = joined.find("://127.0.0.2:1/") != std::string::npos ||
                         joined.find("://127.0.0.3:9/") != std::string::npos;
      EXPECT_TRUE(unreachable) << "case " << index << ": " << joined;
    }
    if (input.target == FuzzTarget::kTokenBody) {
      EXPECT_TRUE(input.token_body.has_value()) << "case " << index;
    }
  }
}

TEST(ClientFuzzerTest, GeneratedCasesBuildLoadableScenarios) {
  for (std::uint64_t index = 0; index < 400; ++index) {
    FuzzCase input = generate_case(kSeed, index);
    CaseOracle oracle = judge_case(input);
    Scenario scenario = build_scenario(input, oracle, "fuzz/case-" + std::to_string(index), std::chrono::seconds(5));
    ASSERT_TRUE(scenario.registry.challenge.has_value()) << "case " << index;
    EXPECT_EQ(*scenario.registry.challenge, input.challenge_lines) << "case " << index;
    EXPECT_EQ(case_from_scenario(scenario).challenge_lines, input.challenge_lines) << "case " << index;
    EXPECT_EQ(case_from_scenario(scenario).token_body, input.token_body) << "case " << index;
  }
}

TEST(ClientFuzzerTest, TitleNamesOnlyVisibleMutations) {
  FuzzCase input = challenge_case({"Bearer realm =\"${realm}\""});
  input.mutations = {Mutation::kSingleQuotes, Mutation::kSpaceAroundEquals};
  auto document = scenario_document(input, judge_case(input), std::chrono::seconds(5), FuzzClass::kWrongRejection);
  std::string title = document["title"];
  EXPECT_EQ(title, "WWW-Authenticate field with spaces around '='");
  EXPECT_EQ(document["spec"].size(), 1u);
  EXPECT_EQ(document["tags"], nlohmann::ordered_json::array({"fuzz", "wrong-rejection"}));
  EXPECT_EQ(document["expect"], "success");
}

TEST(FuzzOracleTest, CanonicalChallengeSucceeds) {
  CaseOracle oracle = judge_case(challenge_case({"Bearer realm=\"${realm}\",service=\"loginspec-registry\""}));
  EXPECT_TRUE(oracle.strict_success);
  EXPECT_EQ(oracle.expect, Expectation::kSuccess);
}

TEST(FuzzOracleTest, SpacesAroundEqualsAreValid) {
  CaseOracle oracle = judge_case(challenge_case({"bEARER realm = \"${realm}\" , service=loginspec-registry"}));
  EXPECT_TRUE(oracle.strict_success) << oracle.reason;
  EXPECT_EQ(oracle.expect, Expectation::kSuccess);
}

TEST(FuzzOracleTest, SingleQuotesAllowLeniency) {
  CaseOracle oracle = judge_case(challenge_case({"Bearer realm='${realm}',service=\"loginspec-registry\""}));
  EXPECT_FALSE(oracle.strict_success);
  EXPECT_TRUE(oracle.lenient_possible);
  EXPECT_EQ(oracle.expect, Expectation::kEither);
}

TEST(FuzzOracleTest, MissingRealmFails) {
  CaseOracle oracle = judge_case(challenge_case({"Bearer service=\"loginspec-registry\""}));
  EXPECT_FALSE(oracle.strict_success);
  EXPECT_FALSE(oracle.lenient_possible);
  EXPECT_EQ(oracle.expect, Expectation::kFailure);
}

TEST(FuzzOracleTest, UnreachableRealmFails) {
  CaseOracle oracle = judge_case(challenge_case({"Bearer realm=\"http://127.0.0.2:1/token\",service=\"s\""}));
  EXPECT_EQ(oracle.expect, Expectation::kFailure);
}

TEST(FuzzOracleTest, PlainRealmFromHttpsRegistryFails) {
  FuzzCase input = challenge_case({"Bearer realm=\"${realm}\",service=\"loginspec-registry\""});
  input.registry_tls = true;
  CaseOracle oracle = judge_case(input);
  EXPECT_TRUE(oracle.downgrade);
  EXPECT_FALSE(oracle.lenient_possible);
  EXPECT_EQ(oracle.expect, Expectation::kFailure);
}

TEST(FuzzOracleTest, BasicNextToBrokenBearerAllowsEither) {
  CaseOracle oracle = judge_case(challenge_case({"Basic realm=\"x\"", "Bearer service=\"s\""}));
  EXPECT_TRUE(oracle.basic_offered);
  EXPECT_EQ(oracle.expect, Expectation::kEither);
}

TEST(FuzzOracleTest, TokenBodies) {
  EXPECT_EQ(judge_case(body_case("{\"access_token\":\"${token}\"}")).expect, Expectation::kSuccess);
  EXPECT_EQ(judge_case(body_case("{\"token\":\"${token}\"} garbage")).expect, Expectation::kEither);
  EXPECT_EQ(judge_case(body_case("{\"token\":\"${token}\",\"expires_in\":\"300\"}")).expect, Expectation::kEither);
  EXPECT_EQ(judge_case(body_case("{\"expires_in\":300}")).expect, Expectation::kFailure);
  EXPECT_EQ(judge_case(body_case("")).expect, Expectation::kFailure);
}

TEST(FuzzOracleTest, AmbiguousTokenFieldsAllowEither) {
  CaseOracle conflicting = judge_case(body_case("{\"token\":\"tok-unknown-4711\",\"access_token\":\"${token}\"}"));
  EXPECT_EQ(conflicting.expect, Expectation::kEither);
  EXPECT_TRUE(conflicting.strict_accepts);
  CaseOracle duplicate = judge_case(body_case("{\"token\":\"${token}\",\"token\":\"tok-unknown-4711\"}"));
  EXPECT_EQ(duplicate.expect, Expectation::kEither);
  EXPECT_TRUE(duplicate.strict_accepts);
}

reports::ScenarioResult attempt(bool success) {
  reports::ScenarioResult result;
  result.client.ran = true;
  result.client.reported_success = success;
  result.client.exit_code = success ? 0 : 1;
  for (const char* id : {"login-outcome", "success-verified", "bounded-requests", "secrets-not-in-output"}) {
    result.checks.push_back({.id = id, .verdict = reports::Verdict::kPass});
  }
  return result;
}

void set_check(reports::ScenarioResult& result, const std::string& id, reports::Verdict verdict) {
  for (auto& check : result.checks) {
    if (check.id == id) check.verdict = verdict;
  }
}

CaseOracle strict_oracle() { return judge_case(challenge_case({"Bearer realm=\"${realm}\",service=\"s\""})); }
CaseOracle failing_oracle() { return judge_case(challenge_case({"Bearer service=\"s\""})); }
CaseOracle lenient_oracle() { return judge_case(challenge_case({"Bearer realm='${realm}'"})); }

TEST(FuzzClassifierTest, SignalIsCrash) {
  auto result = attempt(false);
  result.client.signal = "SIGSEGV";
  EXPECT_EQ(classify_attempt(strict_oracle(), result).fuzz_class, FuzzClass::kCrash);
}

TEST(FuzzClassifierTest, GoPanicIsCrash) {
  auto result = attempt(false);
  result.client.exit_code = 2;
  result.client.stderr_text = "panic: runtime error: index out of range [1] with length 1\n\ngoroutine 1 [running]:\n";
  auto classification = classify_attempt(strict_oracle(), result);
  EXPECT_EQ(classification.fuzz_class, FuzzClass::kCrash);
  EXPECT_NE(classification.reason.find("index out of range"), std::string::npos) << classification.reason;
}

TEST(FuzzClassifierTest, TimeoutIsHang) {
  auto result = attempt(false);
  result.client.timed_out = true;
  EXPECT_EQ(classify_attempt(strict_oracle(), result).fuzz_class, FuzzClass::kHang);
}

TEST(FuzzClassifierTest, RequestCapIsLoop) {
  auto result = attempt(false);
  set_check(result, "bounded-requests", reports::Verdict::kFail);
  EXPECT_EQ(classify_attempt(failing_oracle(), result).fuzz_class, FuzzClass::kLoop);
}

TEST(FuzzClassifierTest, BasicToRegistryIsLeak) {
  auto result = attempt(false);
  result.exchanges.push_back({.server = "registry", .kind = "http", .method = "GET", .target = "/v2/",
                              .headers = {{"Authorization", "Basic <redacted>"}}, .status = 401});
  EXPECT_EQ(classify_attempt(failing_oracle(), result).fuzz_class, FuzzClass::kCredentialLeak);
}

TEST(FuzzClassifierTest, BasicToRegistryOfferingBasicIsNoLeak) {
  auto result = attempt(true);
  result.exchanges.push_back({.server = "registry", .kind = "http", .method = "GET", .target = "/v2/",
                              .headers = {{"Authorization", "Basic <redacted>"}}, .status = 200});
  CaseOracle oracle = judge_case(challenge_case({"Basic realm=\"x\", Bearer realm=\"${realm}\""}));
  EXPECT_EQ(classify_attempt(oracle, result).fuzz_class, FuzzClass::kCleanSuccess);
}

TEST(FuzzClassifierTest, PasswordOverPlainRealmIsLeak) {
  FuzzCase input = challenge_case({"Bearer realm=\"${realm}\""});
  input.registry_tls = true;
  auto result = attempt(false);
  result.exchanges.push_back({.server = "auth", .kind = "http", .method = "GET", .target = "/token?account=x",
                              .headers = {{"Authorization", "Basic <redacted>"}}, .status = 200});
  EXPECT_EQ(classify_attempt(judge_case(input), result).fuzz_class, FuzzClass::kCredentialLeak);
}

TEST(FuzzClassifierTest, PrintedSecretIsLeak) {
  auto result = attempt(true);
  set_check(result, "secrets-not-in-output", reports::Verdict::kFail);
  EXPECT_EQ(classify_attempt(strict_oracle(), result).fuzz_class, FuzzClass::kCredentialLeak);
}

TEST(FuzzClassifierTest, SuccessWithoutRegistryIsUnverified) {
  auto result = attempt(true);
  set_check(result, "success-verified", reports::Verdict::kFail);
  EXPECT_EQ(classify_attempt(failing_oracle(), result).fuzz_class, FuzzClass::kUnverifiedSuccess);
}

TEST(FuzzClassifierTest, OutcomeClasses) {
  EXPECT_EQ(classify_attempt(strict_oracle(), attempt(true)).fuzz_class, FuzzClass::kCleanSuccess);
  EXPECT_EQ(classify_attempt(lenient_oracle(), attempt(true)).fuzz_class, FuzzClass::kLenientSuccess);
  EXPECT_EQ(classify_attempt(strict_oracle(), attempt(false)).fuzz_class, FuzzClass::kWrongRejection);
  EXPECT_EQ(classify_attempt(failing_oracle(), attempt(false)).fuzz_class, FuzzClass::kCleanRejection);
  EXPECT_EQ(classify_attempt(lenient_oracle(), attempt(false)).fuzz_class, FuzzClass::kCleanRejection);
}

TEST(FuzzClassifierTest, HarnessErrorIsSeparate) {
  reports::ScenarioResult result;
  result.verdict = reports::Verdict::kError;
  result.reason = "harness could not start the servers";
  EXPECT_EQ(classify_attempt(strict_oracle(), result).fuzz_class, FuzzClass::kHarnessError);
}

TEST(FuzzClassNameTest, NamesRoundTrip) {
  for (FuzzClass fuzz_class : all_fuzz_classes()) {
    EXPECT_EQ(parse_fuzz_class(to_string(fuzz_class)), fuzz_class) << to_string(fuzz_class);
  }
  EXPECT_FALSE(parse_fuzz_class("bogus").has_value());
}

TEST(ShrinkTest, ReachesTheTwoNeededUnits) {
  std::vector<std::string> units;
  for (int i = 0; i < 1000; ++i) units.push_back("u" + std::to_string(i));
  units[137] = "X";
  units[802] = "Y";
  int attempts = 400;
  int calls = 0;
  auto shrunk = shrink_units(
      units,
      [&](const std::vector<std::string>& candidate) {
        ++calls;
        bool x = std::find(candidate.begin(), candidate.end(), "X") != candidate.end();
        bool y = std::find(candidate.begin(), candidate.end(), "Y") != candidate.end();
        return x && y;
      },
      attempts);
  EXPECT_EQ(shrunk, (std::vector<std::string>{"X", "Y"}));
  EXPECT_EQ(calls, 400 - attempts);
  EXPECT_GE(attempts, 0);
}

TEST(ShrinkTest, StopsWhenAttemptsRunOut) {
  std::vector<std::string> units(100, "u");
  int attempts = 3;
  int calls = 0;
  shrink_units(units, [&](const std::vector<std::string>&) { return ++calls < 0; }, attempts);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(attempts, 0);
}

TEST(ShrinkTest, UnitsKeepPlaceholdersAndUtf8Whole) {
  auto units = split_units("a${realm}\xc3\xa9${bogus}b", false);
  EXPECT_EQ(units, (std::vector<std::string>{"a", "${realm}", "\xc3\xa9", "$", "{", "b", "o", "g", "u", "s", "}", "b"}));
  auto url = split_units("http://127.0.0.2:1/t", true);
  EXPECT_EQ(url, (std::vector<std::string>{"http", "://127.0.0.2:1", "/", "t"}));
  auto words = split_units("Bearer realm=\"${realm}\"", true);
  EXPECT_EQ(words, (std::vector<std::string>{"Bearer", " ", "realm", "=", "\"", "${realm}", "\""}));
}

TEST(ShrinkTest, ShrinksChallengeToTheTab) {
  FuzzCase input = challenge_case({"Newauth realm=\"apps\", type=1", "Bearer realm=\"${realm}\",\tservice=\"s\",scope=\"x\""});
  auto shrunk = shrink_case(
      input,
      [](const FuzzCase& candidate) {
        for (const auto& line : candidate.challenge_lines) {
          if (line.find('\t') != std::string::npos) return true;
        }
        return false;
      },
      500);
  ASSERT_EQ(shrunk.challenge_lines.size(), 1u);
  EXPECT_EQ(shrunk.challenge_lines[0], "\t");
}

class ReproducerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run_dir_ = make_private_directory("loginspec-fuzz-test-");
    tls_ = std::make_unique<TlsMaterialCache>(run_dir_);
  }
  void TearDown() override {
    tls_.reset();
    std::filesystem::remove_all(run_dir_);
  }

  // Writes the case as a reproducer found with `faults`, loads it back and replays it.
  CaseRun write_and_replay(const FuzzCase& input, const std::string& faults, FuzzClass* found) {
    ReferenceAdapter adapter(ReferenceFaults::parse(faults));
    CaseRun first = run_case(input, "fuzz/case-0", adapter, *tls_, run_dir_, std::chrono::seconds(5));
    *found = first.classification.fuzz_class;
    auto path = write_reproducer(input, first.oracle, {"reference", *found, first.classification.reason},
                                 std::chrono::seconds(5), run_dir_ / "scenarios" / "fuzz");
    EXPECT_EQ(path.parent_path().filename(), "fuzz");
    EXPECT_EQ(path.filename().string().rfind(std::string(to_string(*found)) + "-", 0), 0u) << path;
    Scenario loaded = load_scenario_file(path, run_dir_ / "scenarios");
    EXPECT_EQ(loaded.id.rfind("fuzz/", 0), 0u) << loaded.id;
    EXPECT_EQ(loaded.tags, (std::vector<std::string>{"fuzz", std::string(to_string(*found))}));
    return replay_scenario(loaded, adapter, *tls_, run_dir_);
  }

  std::filesystem::path run_dir_;
  std::unique_ptr<TlsMaterialCache> tls_;
};

TEST_F(ReproducerTest, CleanRejectionReplays) {
  FuzzClass found;
  CaseRun replay = write_and_replay(challenge_case({"Bearer service=\"loginspec-registry\""}), "", &found);
  EXPECT_EQ(found, FuzzClass::kCleanRejection);
  EXPECT_EQ(replay.classification.fuzz_class, found) << replay.classification.reason;
  EXPECT_EQ(replay.result.verdict, reports::Verdict::kPass) << replay.result.reason;
}

TEST_F(ReproducerTest, LeakFromFaultyClientReplays) {
  FuzzClass found;
  CaseRun replay = write_and_replay(challenge_case({"Bearer realm=\"${realm}\",service=\"loginspec-registry\""}),
                                    "send-password-to-registry", &found);
  EXPECT_EQ(found, FuzzClass::kCredentialLeak);
  EXPECT_EQ(replay.classification.fuzz_class, found) << replay.classification.reason;
  EXPECT_EQ(replay.result.verdict, reports::Verdict::kFail);
}

TEST_F(ReproducerTest, UnverifiedSuccessReplays) {
  FuzzClass found;
  CaseRun replay = write_and_replay(challenge_case({"Bearer service=\"loginspec-registry\""}), "report-success-always",
                                    &found);
  EXPECT_EQ(found, FuzzClass::kUnverifiedSuccess);
  EXPECT_EQ(replay.classification.fuzz_class, found) << replay.classification.reason;
}

TEST_F(ReproducerTest, DowngradeLeakReplaysOverTls) {
  FuzzCase input = challenge_case({"Bearer realm=\"${realm}\",service=\"loginspec-registry\""});
  input.registry_tls = true;
  FuzzClass found;
  CaseRun replay = write_and_replay(input, "follow-any-realm", &found);
  EXPECT_EQ(found, FuzzClass::kCredentialLeak);
  EXPECT_EQ(replay.classification.fuzz_class, found) << replay.classification.reason;
}

TEST(ClientFuzzerRunTest, ReferenceHasNoFindings) {
  ReferenceAdapter adapter;
  FuzzOptions options;
  options.seed = kSeed;
  options.cases = 150;
  options.case_time_limit = std::chrono::seconds(5);
  FuzzSummary summary = run_fuzz(adapter, options);
  EXPECT_EQ(summary.cases_run, 150u);
  ASSERT_EQ(summary.run.scenarios.size(), 150u);
  EXPECT_EQ(summary.run.scenarios[7].id, "fuzz/case-7");
  for (FuzzClass fuzz_class : all_fuzz_classes()) {
    if (is_finding(fuzz_class) || fuzz_class == FuzzClass::kHarnessError) {
      EXPECT_EQ(summary.counts[fuzz_class], 0) << to_string(fuzz_class);
    }
  }
  EXPECT_GT(summary.counts[FuzzClass::kCleanSuccess], 0);
  EXPECT_GT(summary.counts[FuzzClass::kCleanRejection], 0);
}

TEST(ClientFuzzerRunTest, FaultyReferenceFindingsAreShrunkAndReplay) {
  auto out = make_private_directory("loginspec-fuzz-out-");
  ReferenceAdapter adapter(ReferenceFaults::parse("send-password-to-registry"));
  FuzzOptions options;
  options.seed = kSeed;
  options.cases = 20;
  options.case_time_limit = std::chrono::seconds(5);
  options.out_dir = out / "fuzz";
  options.shrink_attempts = 30;
  FuzzSummary summary = run_fuzz(adapter, options);
  EXPECT_GT(summary.counts[FuzzClass::kCredentialLeak], 0);
  ASSERT_FALSE(summary.findings.empty());
  for (const auto& finding : summary.findings) {
    EXPECT_TRUE(std::filesystem::exists(finding.reproducer)) << finding.reproducer;
    EXPECT_TRUE(finding.replayed) << finding.reproducer;
    EXPECT_LE(finding.shrunk_bytes, finding.original_bytes);
  }
  EXPECT_EQ(summary.first_reproducer.count(FuzzClass::kCredentialLeak), 1u);
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace loginspec::harness
