// The client fuzzer: case generation, the strict oracle, classification, shrinking, reproducers.
#include "harness/client_fuzzer.h"

#include "mocks/script.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>

#include "harness/checks.h"
#include "harness/environment.h"
#include "harness/runner.h"
#include "harness/scenario_loader.h"
#include "protocol/challenge.h"
#include "protocol/token_response.h"
#include "reports/atomic_file.h"

#ifndef LOGINSPEC_VERSION
#define LOGINSPEC_VERSION "0.0.0"
#endif

namespace loginspec::harness {

namespace {

using Clock = std::chrono::steady_clock;

// Field lines longer than this may be refused by a client's header limits without being wrong.
constexpr std::size_t kOversizedFieldBytes = 8 * 1024;
// Token bodies larger than this may be refused: go-containerregistry reads at most 64 KiB and
// containers/image 1 MiB (distribution and containers/image sources, as read for protocol notes).
constexpr std::size_t kOversizedBodyBytes = 64 * 1024;
// Length of the padding in a very long realm.
constexpr std::size_t kLongRealmPadding = 64 * 1024;

// The service name the generated challenges carry; it is the scenario default, so the token
// request checks compare against the same value.
constexpr std::string_view kService = "loginspec-registry";

// A token value that the token server never issues, for conflicting and duplicate fields.
constexpr std::string_view kUnknownToken = "tok-unknown-4711";

struct MutationInfo {
  Mutation mutation;
  std::string_view name;
  std::string_view family;
  std::string_view description;
  std::string_view spec;
};

constexpr MutationInfo kMutations[] = {
    {Mutation::kSingleQuotes, "single-quotes", "quoting", "a value in single quotes",
     "RFC 9110 §5.6.4: only DQUOTE delimits a quoted-string"},
    {Mutation::kMissingCloseQuote, "missing-close-quote", "quoting", "a quoted-string without its closing quote",
     "RFC 9110 §5.6.4: quoted-string"},
    {Mutation::kUnquotedUrl, "unquoted-url", "quoting", "an unquoted realm URL",
     "RFC 9110 §11.2: auth-param value is a token or a quoted-string"},
    {Mutation::kUnquotedToken, "unquoted-token", "quoting", "an unquoted token value",
     "RFC 9110 §11.2: auth-param value is a token or a quoted-string"},
    {Mutation::kQuotedPair, "quoted-pair", "quoting", "a quoted-pair inside a value",
     "RFC 9110 §5.6.4: a recipient treats \\X as X"},
    {Mutation::kSchemeCase, "scheme-case", "case", "odd case in the scheme",
     "RFC 9110 §11.1: the auth-scheme is case-insensitive"},
    {Mutation::kNameCase, "name-case", "case", "odd case in parameter names",
     "RFC 9110 §11.2: parameter names are case-insensitive"},
    {Mutation::kSpaceAroundEquals, "space-around-equals", "whitespace", "spaces around '='",
     "RFC 9110 §11.2: BWS around '=' in auth-param"},
    {Mutation::kSpaceBeforeComma, "space-before-comma", "whitespace", "a space before a comma",
     "RFC 9110 §5.6.1: OWS around list commas"},
    {Mutation::kTabs, "tab-whitespace", "whitespace", "tabs as whitespace",
     "RFC 9110 §5.6.3: OWS and BWS include HTAB, the space after the scheme does not"},
    {Mutation::kExtraCommas, "extra-commas", "commas", "empty list elements",
     "RFC 9110 §5.6.1: recipients accept empty list elements"},
    {Mutation::kEmptyParameter, "empty-parameter", "parameters", "an empty parameter value",
     "RFC 9110 §5.6.4: \"\" is a valid quoted-string"},
    {Mutation::kRepeatedParameter, "repeated-parameter", "parameters", "a repeated parameter",
     "RFC 9110 §11.2: each parameter name occurs once per challenge"},
    {Mutation::kExtraParameters, "extra-parameters", "parameters", "extra scope and error parameters",
     "RFC 6750 §3: scope and error parameters"},
    {Mutation::kToken68, "token68", "parameters", "a token68 challenge", "RFC 9110 §11.2: token68"},
    {Mutation::kMissingRealm, "missing-realm", "realm", "no realm", "RFC 6750 §3: realm names the token endpoint"},
    {Mutation::kEmptyRealm, "empty-realm", "realm", "an empty realm", "RFC 6750 §3: realm names the token endpoint"},
    {Mutation::kRelativeRealm, "relative-realm", "realm", "a relative realm",
     "distribution token.md: realm is an absolute URL"},
    {Mutation::kRealmOtherHost, "realm-other-host", "realm", "a realm on an unreachable host",
     "distribution token.md: realm is the token endpoint"},
    {Mutation::kRealmOtherPort, "realm-other-port", "realm", "a realm on a closed port",
     "distribution token.md: realm is the token endpoint"},
    {Mutation::kRealmPlainHttp, "realm-plain-http", "realm", "a plain-HTTP realm from an HTTPS registry",
     "RFC 6750 §5.3: send credentials over TLS only"},
    {Mutation::kRealmQuery, "realm-query", "realm", "a realm with a query string",
     "distribution token.md: realm query parameters are kept"},
    {Mutation::kLongRealm, "long-realm", "realm", "a 64 KiB realm", "RFC 9110 §5.4: field length limits"},
    {Mutation::kNonAscii, "non-ascii", "bytes", "non-ASCII bytes", "RFC 9110 §5.5: obs-text in field values"},
    {Mutation::kControlByte, "control-byte", "bytes", "a control byte", "RFC 9110 §5.5: field values exclude CTLs"},
    {Mutation::kNulByte, "nul-byte", "bytes", "a NUL byte",
     "RFC 9110 §5.5: a NUL in a field value is invalid and dangerous"},
    {Mutation::kChallengesInOneLine, "challenges-in-one-line", "multiple-challenges", "several challenges in one line",
     "RFC 9110 §11.6.1: one field value may hold several challenges"},
    {Mutation::kChallengesOnSeveralLines, "challenges-on-several-lines", "multiple-challenges",
     "challenges on several field lines", "RFC 9110 §5.3: field lines combine into one list"},
    {Mutation::kGrammarRandom, "grammar-random", "multiple-challenges", "random challenges from the grammar",
     "RFC 9110 §11.6.1: WWW-Authenticate = #challenge"},
    {Mutation::kTokenMissing, "token-missing", "token-fields", "neither token nor access_token",
     "distribution token.md: token or access_token is required"},
    {Mutation::kTokenEmpty, "token-empty", "token-fields", "an empty token field",
     "distribution token.md: token or access_token is required"},
    {Mutation::kTokenConflicting, "token-conflicting", "token-fields", "token and access_token that differ",
     "distribution token.md: if both are present they should be equal"},
    {Mutation::kOneTokenField, "one-token-field", "token-fields", "only one of token and access_token",
     "distribution token.md: access_token is a synonym of token"},
    {Mutation::kWrongType, "wrong-type", "token-types", "a field of the wrong JSON type",
     "distribution token.md: token response fields"},
    {Mutation::kInvalidIssuedAt, "invalid-issued-at", "token-types", "an issued_at that is not RFC 3339",
     "distribution token.md: issued_at is an RFC 3339 time"},
    {Mutation::kExtraFields, "extra-fields", "token-fields", "unknown extra fields",
     "RFC 6749 §5.1: clients ignore unknown response parameters"},
    {Mutation::kDuplicateKey, "duplicate-key", "token-fields", "a duplicated key",
     "RFC 8259 §4: names within an object should be unique"},
    {Mutation::kTrailingBytes, "trailing-bytes", "token-framing", "bytes after the JSON value",
     "RFC 8259 §2: a JSON text is one value"},
    {Mutation::kNotJson, "not-json", "token-framing", "a body that is not JSON", "RFC 8259 §2: JSON text"},
    {Mutation::kNotObject, "not-object", "token-framing", "a JSON value that is not an object",
     "distribution token.md: the response is a JSON object"},
    {Mutation::kHugeBody, "huge-body", "token-framing", "a body over 64 KiB", "RFC 9110 §8.6: message body size"},
};

const MutationInfo& info_of(Mutation mutation) {
  for (const auto& info : kMutations) {
    if (info.mutation == mutation) return info;
  }
  return kMutations[0];
}

const std::vector<Mutation> kChallengeMutations = {
    Mutation::kSingleQuotes,      Mutation::kMissingCloseQuote,  Mutation::kUnquotedUrl,
    Mutation::kUnquotedToken,     Mutation::kQuotedPair,         Mutation::kSchemeCase,
    Mutation::kNameCase,          Mutation::kSpaceAroundEquals,  Mutation::kSpaceBeforeComma,
    Mutation::kTabs,              Mutation::kExtraCommas,        Mutation::kEmptyParameter,
    Mutation::kRepeatedParameter, Mutation::kExtraParameters,    Mutation::kToken68,
    Mutation::kMissingRealm,      Mutation::kEmptyRealm,         Mutation::kRelativeRealm,
    Mutation::kRealmOtherHost,    Mutation::kRealmOtherPort,     Mutation::kRealmPlainHttp,
    Mutation::kRealmQuery,        Mutation::kLongRealm,          Mutation::kNonAscii,
    Mutation::kControlByte,       Mutation::kNulByte,            Mutation::kChallengesInOneLine,
    Mutation::kChallengesOnSeveralLines, Mutation::kGrammarRandom,
};

const std::vector<Mutation> kBodyMutations = {
    Mutation::kTokenMissing,  Mutation::kTokenEmpty,   Mutation::kTokenConflicting, Mutation::kOneTokenField,
    Mutation::kWrongType,     Mutation::kInvalidIssuedAt, Mutation::kExtraFields,   Mutation::kDuplicateKey,
    Mutation::kTrailingBytes, Mutation::kNotJson,      Mutation::kNotObject,        Mutation::kHugeBody,
};

// ---------------------------------------------------------------------------------------------
// Challenge model and rendering

enum class Quote { kDouble, kToken, kSingle, kUnterminated };

struct ParamModel {
  std::string name;
  std::string value;
  Quote quote = Quote::kDouble;
  std::string before_equals;
  std::string after_equals;
  std::size_t escape_at = std::string::npos;  // put a quoted-pair backslash before this byte
};

struct ChallengeModel {
  std::string scheme;
  std::string token68;             // non-empty: "scheme token68" instead of parameters
  std::vector<ParamModel> params;
  std::vector<std::string> separators;  // between params; size params - 1 once rendered
  std::string after_scheme = " ";
  bool bearer_main = false;
};

std::string render_value(const ParamModel& param) {
  std::string value = param.value;
  switch (param.quote) {
    case Quote::kToken:
      return value;
    case Quote::kSingle:
      return "'" + value + "'";
    case Quote::kUnterminated:
    case Quote::kDouble: {
      std::string out = "\"";
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i == param.escape_at) out += '\\';
        if (value[i] == '"' || value[i] == '\\') out += '\\';
        out += value[i];
      }
      if (param.quote == Quote::kDouble) out += '"';
      return out;
    }
  }
  return value;
}

std::string render_challenge(const ChallengeModel& challenge) {
  std::string out = challenge.scheme;
  if (!challenge.token68.empty()) return out + challenge.after_scheme + challenge.token68;
  if (challenge.params.empty()) return out;
  out += challenge.after_scheme;
  for (std::size_t i = 0; i < challenge.params.size(); ++i) {
    if (i > 0) out += i - 1 < challenge.separators.size() ? challenge.separators[i - 1] : ",";
    const ParamModel& param = challenge.params[i];
    out += param.name + param.before_equals + "=" + param.after_equals + render_value(param);
  }
  return out;
}

std::string odd_case(FuzzRandom& random, std::string text) {
  bool changed = false;
  for (auto& c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) && random.chance(1, 2)) {
      c = static_cast<char>(std::isupper(static_cast<unsigned char>(c)) ? std::tolower(c) : std::toupper(c));
      changed = true;
    }
  }
  if (!changed && !text.empty()) text[0] = static_cast<char>(std::islower(text[0]) ? std::toupper(text[0]) : std::tolower(text[0]));
  return text;
}

ParamModel* find_param(ChallengeModel& challenge, std::string_view name) {
  for (auto& param : challenge.params) {
    if (protocol::iequals(param.name, name)) return &param;
  }
  return nullptr;
}

const std::vector<std::string> kNonAsciiSamples = {"\xc3\xa9", "\xc3\xbc", "\xe4\xb8\xad", "\xf0\x9f\x94\x91",
                                                    "\xc2\xa0"};

std::string random_token(FuzzRandom& random, std::size_t max_length) {
  // tchar without '$', so no generated text ever looks like a scenario placeholder.
  static const std::string kAlphabet = "!#%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  std::size_t length = random.between(1, max_length);
  for (std::size_t i = 0; i < length; ++i) out += kAlphabet[random.below(kAlphabet.size())];
  return out;
}

std::string random_qdtext(FuzzRandom& random, std::size_t max_length) {
  std::string out;
  std::size_t length = random.below(max_length + 1);
  for (std::size_t i = 0; i < length; ++i) {
    std::uint64_t kind = random.below(10);
    if (kind == 0) {
      out += random.pick(kNonAsciiSamples);
    } else if (kind == 1) {
      out += random.chance(1, 2) ? '"' : '\\';  // escaped by render_value
    } else if (kind == 2) {
      out += random.chance(1, 2) ? ' ' : '\t';
    } else {
      char c = static_cast<char>(random.between(0x21, 0x7e));
      if (c == '$') c = 's';
      out += c;
    }
  }
  return out;
}

std::string random_ows(FuzzRandom& random) {
  static const std::vector<std::string> kChoices = {"", "", "", " ", "  ", "\t", " \t"};
  return random.pick(kChoices);
}

ChallengeModel random_grammar_challenge(FuzzRandom& random) {
  ChallengeModel challenge;
  challenge.scheme = random_token(random, 8);
  if (random.chance(1, 5)) {
    static const std::string kToken68 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
    std::size_t length = random.between(1, 16);
    for (std::size_t i = 0; i < length; ++i) challenge.token68 += kToken68[random.below(kToken68.size())];
    challenge.token68 += std::string(random.below(3), '=');
    return challenge;
  }
  std::size_t count = random.below(4);
  std::set<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    ParamModel param;
    param.name = random_token(random, 8);
    std::string lower = param.name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!names.insert(lower).second) continue;
    if (random.chance(1, 2)) {
      param.quote = Quote::kToken;
      param.value = random_token(random, 12);
    } else {
      param.value = random_qdtext(random, 16);
    }
    param.before_equals = random_ows(random);
    param.after_equals = random_ows(random);
    challenge.params.push_back(param);
  }
  return challenge;
}

// The extra challenges a registry may send next to Bearer.
ChallengeModel other_challenge(FuzzRandom& random) {
  ChallengeModel challenge;
  switch (random.below(5)) {
    case 0:
      challenge.scheme = "Basic";
      challenge.params = {{.name = "realm", .value = "loginspec"}};
      break;
    case 1:
      challenge.scheme = "Newauth";
      challenge.params = {{.name = "realm", .value = "apps"},
                          {.name = "type", .value = "1", .quote = Quote::kToken},
                          {.name = "title", .value = "Login to \"apps\""}};
      break;
    case 2:
      challenge.scheme = "Negotiate";
      break;
    case 3:
      challenge.scheme = "Digest";
      challenge.params = {{.name = "realm", .value = "loginspec"},
                          {.name = "nonce", .value = "a1b2c3d4"},
                          {.name = "qop", .value = "auth"}};
      break;
    default:
      // A second Bearer challenge whose realm cannot be reached.
      challenge.scheme = "Bearer";
      challenge.params = {{.name = "realm", .value = "http://127.0.0.2:1/token"},
                          {.name = "service", .value = std::string(kService)}};
      break;
  }
  return challenge;
}

// Picks `count` distinct mutations from `pool`.
std::vector<Mutation> pick_mutations(FuzzRandom& random, const std::vector<Mutation>& pool, std::size_t count) {
  std::vector<Mutation> shuffled = pool;
  random.shuffle(shuffled);
  shuffled.resize(std::min(count, shuffled.size()));
  return shuffled;
}

// Inserts `bytes` at a random position of one line, between shrinking units.
void insert_bytes(FuzzRandom& random, std::vector<std::string>& lines, const std::string& bytes) {
  if (lines.empty()) lines.push_back("");
  std::string& line = lines[random.below(lines.size())];
  // Hosts stay intact (split_units keeps each authority in one unit), so a changed realm never
  // names a host that might resolve.
  std::vector<std::string> units = split_units(line, false);
  std::size_t at = random.below(units.size() + 1);
  units.insert(units.begin() + static_cast<std::ptrdiff_t>(at), bytes);
  line.clear();
  for (const auto& unit : units) line += unit;
}

std::string control_byte(FuzzRandom& random) {
  // CR and LF would end the field line, so they are never generated.
  static const std::vector<char> kBytes = {'\x01', '\x02', '\x07', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f'};
  return std::string(1, random.pick(kBytes));
}

FuzzCase generate_challenge_case(FuzzRandom& random, FuzzCase input) {
  std::size_t count = random.chance(1, 2) ? 1 : random.between(2, 3);
  input.mutations = pick_mutations(random, kChallengeMutations, count);
  // The realm has one value, so at most one mutation may set it.
  static const std::set<Mutation> kRealmValue = {Mutation::kMissingRealm,   Mutation::kEmptyRealm,
                                                 Mutation::kRelativeRealm,  Mutation::kRealmOtherHost,
                                                 Mutation::kRealmOtherPort, Mutation::kRealmQuery,
                                                 Mutation::kLongRealm,      Mutation::kRealmPlainHttp};
  bool realm_set = false;
  std::erase_if(input.mutations, [&](Mutation mutation) {
    if (kRealmValue.count(mutation) == 0) return false;
    if (realm_set) return true;
    realm_set = true;
    return false;
  });
  auto has = [&](Mutation mutation) {
    return std::find(input.mutations.begin(), input.mutations.end(), mutation) != input.mutations.end();
  };

  ChallengeModel bearer;
  bearer.scheme = "Bearer";
  bearer.bearer_main = true;
  bearer.params = {{.name = "realm", .value = "${realm}"}, {.name = "service", .value = std::string(kService)}};
  if (random.chance(1, 4)) std::swap(bearer.params[0], bearer.params[1]);

  std::vector<ChallengeModel> others;
  if (has(Mutation::kChallengesInOneLine) || has(Mutation::kChallengesOnSeveralLines)) {
    std::size_t extra = random.between(1, 3);
    for (std::size_t i = 0; i < extra; ++i) others.push_back(other_challenge(random));
  } else if (random.chance(1, 8)) {
    others.push_back(other_challenge(random));
  }
  if (has(Mutation::kGrammarRandom)) {
    std::size_t extra = random.between(1, 3);
    for (std::size_t i = 0; i < extra; ++i) others.push_back(random_grammar_challenge(random));
    for (auto& param : bearer.params) {
      param.before_equals = random_ows(random);
      param.after_equals = random_ows(random);
    }
  }

  // Realm changes come first, so later changes apply to the final parameter list.
  ParamModel* realm = find_param(bearer, "realm");
  if (has(Mutation::kRealmQuery)) realm->value += "?scope=repository%3Aloginspec%2Fapp%3Apull&client=fuzz";
  if (has(Mutation::kRelativeRealm)) realm->value = random.chance(1, 2) ? "/token" : "token";
  if (has(Mutation::kRealmOtherHost)) {
    // Only loopback addresses: a host name would send a DNS query off this machine.
    realm->value = random.chance(1, 2) ? "http://127.0.0.2:1/token" : "http://127.0.0.3:9/token";
  }
  if (has(Mutation::kRealmOtherPort)) realm->value = "http://127.0.0.1:1/token";
  if (has(Mutation::kRealmPlainHttp)) input.registry_tls = true;
  if (has(Mutation::kLongRealm)) realm->value += "?pad=" + std::string(kLongRealmPadding, 'a');
  if (has(Mutation::kEmptyRealm)) realm->value.clear();

  if (has(Mutation::kExtraParameters) || bearer.params.size() < 2) {
    bearer.params.push_back({.name = "scope", .value = "repository:loginspec/app:pull,push"});
    if (random.chance(1, 2)) bearer.params.push_back({.name = "error", .value = "invalid_token"});
  }
  if (has(Mutation::kRepeatedParameter)) {
    ParamModel copy = bearer.params[random.below(bearer.params.size())];
    if (random.chance(1, 2)) copy.value = "repeated";
    bearer.params.insert(bearer.params.begin() + static_cast<std::ptrdiff_t>(random.below(bearer.params.size() + 1)),
                         copy);
  }
  if (has(Mutation::kEmptyParameter)) {
    ParamModel empty{.name = random.chance(1, 2) ? "scope" : "x-empty", .value = ""};
    bearer.params.insert(bearer.params.begin() + static_cast<std::ptrdiff_t>(random.below(bearer.params.size() + 1)),
                         empty);
  }
  if (has(Mutation::kMissingRealm)) {
    bearer.params.erase(std::remove_if(bearer.params.begin(), bearer.params.end(),
                                       [](const ParamModel& param) { return param.name == "realm"; }),
                        bearer.params.end());
  }
  realm = find_param(bearer, "realm");

  auto any_param = [&]() -> ParamModel& { return bearer.params[random.below(bearer.params.size())]; };
  if (has(Mutation::kSingleQuotes)) {
    ParamModel& target = realm != nullptr && random.chance(2, 3) ? *realm : any_param();
    target.quote = Quote::kSingle;
  }
  if (has(Mutation::kMissingCloseQuote)) {
    ParamModel& target = random.chance(1, 2) ? bearer.params.back() : any_param();
    target.quote = Quote::kUnterminated;
  }
  if (has(Mutation::kUnquotedUrl) && realm != nullptr) realm->quote = Quote::kToken;
  if (has(Mutation::kUnquotedToken)) {
    for (auto& param : bearer.params) {
      if (param.name == "service") param.quote = Quote::kToken;
    }
  }
  if (has(Mutation::kQuotedPair)) {
    ParamModel* service = find_param(bearer, "service");
    if (service != nullptr) service->escape_at = random.below(service->value.size());
  }
  if (has(Mutation::kSchemeCase)) bearer.scheme = odd_case(random, bearer.scheme);
  if (has(Mutation::kNameCase)) {
    for (auto& param : bearer.params) {
      if (random.chance(2, 3)) param.name = odd_case(random, param.name);
    }
  }
  if (has(Mutation::kSpaceAroundEquals)) {
    ParamModel& target = realm != nullptr && random.chance(1, 2) ? *realm : any_param();
    static const std::vector<std::pair<std::string, std::string>> kSpacing = {{" ", " "}, {" ", ""}, {"", " "}, {"  ", "  "}};
    const auto& spacing = random.pick(kSpacing);
    target.before_equals = spacing.first;
    target.after_equals = spacing.second;
  }
  if (has(Mutation::kNonAscii) && random.chance(1, 2)) {
    ParamModel* service = find_param(bearer, "service");
    if (service != nullptr && service->quote != Quote::kToken) service->value += random.pick(kNonAsciiSamples);
  }

  // Separators between parameters.
  bearer.separators.clear();
  for (std::size_t i = 1; i < bearer.params.size(); ++i) bearer.separators.push_back(random.chance(1, 4) ? ", " : ",");
  std::size_t odd_separator = bearer.separators.empty() ? 0 : random.below(bearer.separators.size());
  if (has(Mutation::kSpaceBeforeComma) && !bearer.separators.empty()) bearer.separators[odd_separator] = " ,";
  if (has(Mutation::kExtraCommas) && !bearer.separators.empty()) {
    bearer.separators[random.below(bearer.separators.size())] = random.chance(1, 2) ? ",," : ", ,";
  }
  if (has(Mutation::kTabs)) {
    switch (random.below(3)) {
      case 0:
        bearer.after_scheme = "\t";
        break;
      case 1:
        if (!bearer.separators.empty()) bearer.separators[odd_separator] = ",\t";
        else bearer.after_scheme = " \t";
        break;
      default:
        any_param().after_equals = "\t";
        break;
    }
  }
  if (has(Mutation::kGrammarRandom)) {
    for (auto& separator : bearer.separators) separator = random_ows(random) + "," + random_ows(random);
  }
  if (has(Mutation::kToken68)) {
    ChallengeModel token68;
    token68.scheme = random.chance(1, 2) ? "Negotiate" : "Bearer";
    token68.token68 = random.chance(1, 2) ? "YIIBhwYGKwYBBQUCoIIBezCCAXeg==" : "abc123==";
    if (token68.scheme == "Bearer" && random.chance(1, 2)) {
      bearer = token68;  // the only Bearer challenge carries a token68 and no realm
      bearer.bearer_main = true;
    } else {
      others.push_back(token68);
    }
  }

  // Layout: which challenges share a field line, in a random order.
  std::vector<std::string> rendered = {render_challenge(bearer)};
  for (const auto& other : others) rendered.push_back(render_challenge(other));
  random.shuffle(rendered);
  std::string list_separator = has(Mutation::kSpaceBeforeComma) ? " , " : ", ";
  if (has(Mutation::kExtraCommas) && random.chance(1, 2)) list_separator = ", ,";
  bool one_line = has(Mutation::kChallengesInOneLine) ||
                  (!has(Mutation::kChallengesOnSeveralLines) && random.chance(1, 3));
  if (one_line) {
    std::string line;
    for (std::size_t i = 0; i < rendered.size(); ++i) line += (i == 0 ? "" : list_separator) + rendered[i];
    input.challenge_lines = {line};
  } else if (has(Mutation::kGrammarRandom) && rendered.size() > 2) {
    // A random split into lines, some holding two challenges.
    std::string line;
    for (std::size_t i = 0; i < rendered.size(); ++i) {
      line += (line.empty() ? "" : list_separator) + rendered[i];
      if (random.chance(1, 2) || i + 1 == rendered.size()) {
        input.challenge_lines.push_back(line);
        line.clear();
      }
    }
  } else {
    input.challenge_lines = rendered;
  }
  if (has(Mutation::kExtraCommas)) {
    std::string& line = input.challenge_lines[random.below(input.challenge_lines.size())];
    switch (random.below(3)) {
      case 0: line = ", " + line; break;
      case 1: line += ","; break;
      default: line += ", ,"; break;
    }
  }

  if (has(Mutation::kNonAscii)) insert_bytes(random, input.challenge_lines, random.pick(kNonAsciiSamples));
  if (has(Mutation::kControlByte)) insert_bytes(random, input.challenge_lines, control_byte(random));
  if (has(Mutation::kNulByte)) insert_bytes(random, input.challenge_lines, std::string(1, '\0'));
  return input;
}

// ---------------------------------------------------------------------------------------------
// Token body model and rendering

struct JsonField {
  std::string key;
  std::string value;  // raw JSON text
};

std::string render_body(FuzzRandom& random, const std::vector<JsonField>& fields, bool pretty) {
  std::string space = pretty ? " " : "";
  std::string out = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += "," + space;
    if (pretty && random.chance(1, 4)) out += "\n  ";
    out += "\"" + fields[i].key + "\":" + space + fields[i].value;
  }
  return out + "}";
}

FuzzCase generate_body_case(FuzzRandom& random, FuzzCase input) {
  input.challenge_lines = {"Bearer realm=\"${realm}\",service=\"" + std::string(kService) + "\""};
  input.mutations = pick_mutations(random, kBodyMutations, random.chance(2, 3) ? 1 : 2);
  auto has = [&](Mutation mutation) {
    return std::find(input.mutations.begin(), input.mutations.end(), mutation) != input.mutations.end();
  };

  std::vector<JsonField> fields = {{"token", "\"${token}\""},
                                   {"access_token", "\"${token}\""},
                                   {"expires_in", "300"},
                                   {"issued_at", "\"${now}\""}};
  auto field = [&](std::string_view key) -> JsonField* {
    for (auto& item : fields) {
      if (item.key == key) return &item;
    }
    return nullptr;
  };
  auto erase = [&](std::string_view key) {
    fields.erase(std::remove_if(fields.begin(), fields.end(), [&](const JsonField& item) { return item.key == key; }),
                 fields.end());
  };
  const char* one_of_two = random.chance(1, 2) ? "token" : "access_token";
  const char* other_of_two = std::string_view(one_of_two) == "token" ? "access_token" : "token";

  if (has(Mutation::kOneTokenField)) erase(one_of_two);
  if (has(Mutation::kTokenMissing)) {
    erase("token");
    erase("access_token");
  }
  if (has(Mutation::kTokenEmpty)) {
    if (JsonField* target = field(one_of_two)) target->value = "\"\"";
    if (random.chance(1, 2)) {
      if (JsonField* other = field(other_of_two)) other->value = "\"\"";
    }
  }
  if (has(Mutation::kTokenConflicting)) {
    if (JsonField* target = field(one_of_two)) target->value = "\"" + std::string(kUnknownToken) + "\"";
  }
  if (has(Mutation::kWrongType)) {
    static const std::vector<std::pair<std::string, std::string>> kWrong = {
        {"token", "4711"},          {"token", "[\"${token}\"]"}, {"access_token", "null"},
        {"access_token", "{\"value\":\"${token}\"}"}, {"expires_in", "\"300\""}, {"expires_in", "300.5"},
        {"expires_in", "-5"},       {"expires_in", "true"},      {"expires_in", "1e30"},
        {"issued_at", "1700000000"}};
    const auto& [key, value] = random.pick(kWrong);
    if (JsonField* target = field(key)) target->value = value;
    else fields.push_back({key, value});
  }
  if (has(Mutation::kInvalidIssuedAt)) {
    static const std::vector<std::string> kDates = {"\"yesterday\"", "\"2026-13-45T99:00:00Z\"", "\"1700000000\"",
                                                    "\"Fri, 04 Dec 2026 19:41:47 GMT\"", "\"\""};
    if (JsonField* target = field("issued_at")) target->value = random.pick(kDates);
  }
  if (has(Mutation::kExtraFields)) {
    fields.push_back({"scope", "\"\""});
    fields.push_back({"x-extension", "{\"nested\":[1,2,{\"deep\":null}]}"});
  }
  if (has(Mutation::kDuplicateKey)) {
    JsonField duplicate{random.chance(1, 2) ? "token" : "access_token", "\"" + std::string(kUnknownToken) + "\""};
    fields.insert(random.chance(1, 2) ? fields.begin() : fields.end(), duplicate);
  }
  if (has(Mutation::kHugeBody)) {
    std::size_t size = random.chance(1, 4) ? (1024 + 100) * 1024 : 70 * 1024;
    fields.insert(fields.begin() + static_cast<std::ptrdiff_t>(random.below(fields.size() + 1)),
                  JsonField{"padding", "\"" + std::string(size, 'p') + "\""});
  }

  std::string body = render_body(random, fields, random.chance(1, 3));
  if (has(Mutation::kNotObject)) {
    static const std::vector<std::string> kWrappers = {"array", "string", "number"};
    const std::string& wrapper = random.pick(kWrappers);
    if (wrapper == "array") body = "[" + body + "]";
    else if (wrapper == "string") body = "\"${token}\"";
    else body = "4711";
  }
  if (has(Mutation::kNotJson)) {
    switch (random.below(5)) {
      case 0: body = "token=${token}&expires_in=300"; break;
      case 1: body = "<html><body>token ${token}</body></html>"; break;
      case 2: body = ""; break;
      case 3: body = body.substr(0, random.between(1, body.size() - 1)); break;
      default: body = "\xef\xbb\xbf" + body; break;  // UTF-8 byte order mark
    }
  }
  if (has(Mutation::kTrailingBytes)) {
    static const std::vector<std::string> kTrailers = {"garbage", "\n{}", "}", " \n", "\x01", "\"", ",", "\n\n"};
    body += random.pick(kTrailers);
  }
  input.token_body = body;
  return input;
}

// ---------------------------------------------------------------------------------------------
// Oracle

// Values that stand in for the live ones when the oracle reads a case. The realm uses the same
// shape as the live one: http://<token server>/token.
constexpr std::string_view kStandInRealm = "http://127.0.0.1:61001/token";
constexpr std::string_view kStandInToken = "tok-standin";

std::map<std::string, std::string> stand_in_variables(bool registry_tls) {
  return {{"auth.host", "127.0.0.1:61001"},
          {"auth.url", "http://127.0.0.1:61001"},
          {"password", "pw-standin"},
          {"realm", std::string(kStandInRealm)},
          {"refresh_token", "ref-standin"},
          {"registry.host", "127.0.0.1:61000"},
          {"registry.url", registry_tls ? "https://127.0.0.1:61000" : "http://127.0.0.1:61000"},
          {"service", std::string(kService)},
          {"token", std::string(kStandInToken)},
          {"username", "loginspec"},
          {"now", "2026-01-01T00:00:00Z"},
          {"date", "Thu, 01 Jan 2026 00:00:00 GMT"},
          {"content_length", "0"}};
}

// Replaces ${name} like ScenarioEnvironment::fill and the answer-time placeholders of the mocks.
std::string fill_stand_ins(std::string text, const std::map<std::string, std::string>& variables) {
  if (text.find("${") == std::string::npos) return text;
  for (const auto& [name, value] : variables) {
    std::string from = "${" + name + "}";
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + value.size())) {
      text.replace(at, from.size(), value);
    }
  }
  return text;
}

bool is_authority_char(unsigned char c) {
  return std::isalnum(c) || std::string_view(".-:[]_~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_uri_char(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("-._~!$&'()*+,;=:@/?%").find(static_cast<char>(c)) != std::string_view::npos;
}

// Decides whether a realm names the token endpoint as an absolute http(s) URI (RFC 3986 §4.3).
// Returns an empty string when it does, else the reason it does not.
std::string realm_problem(const std::string& realm, bool registry_tls) {
  if (realm.empty()) return "the realm is empty";
  std::size_t colon = realm.find("://");
  if (colon == std::string::npos) return "the realm \"" + protocol::visible(realm, 60) + "\" is not an absolute URL";
  std::string scheme = realm.substr(0, colon);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = realm.substr(colon);
  std::string expected_rest = std::string(kStandInRealm.substr(kStandInRealm.find("://")));
  if (scheme != "http" || rest.compare(0, expected_rest.size(), expected_rest) != 0) {
    return "the realm \"" + protocol::visible(realm, 60) + "\" does not name the token server's endpoint";
  }
  std::string tail = rest.substr(expected_rest.size());
  if (!tail.empty() && tail.front() != '?') {
    return "the realm \"" + protocol::visible(realm, 60) + "\" names another path than the token endpoint";
  }
  for (unsigned char c : tail) {
    if (!is_uri_char(c)) return "the realm contains a byte that a URI may not contain unencoded (RFC 3986 §2)";
  }
  if (registry_tls) return "the realm is plain HTTP while the registry uses HTTPS (RFC 6750 §5.3)";
  return "";
}

// True when a client may pick either token field: both are non-empty and differ, or one of
// them occurs twice at the top level of the body.
bool token_choice_undefined(const std::string& body, const protocol::TokenResponse& response) {
  bool both = response.token && response.access_token && !response.token->empty() && !response.access_token->empty();
  if (both && *response.token != *response.access_token) return true;
  std::map<std::string, int> counts;
  auto count_keys = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1) ++counts[parsed.get<std::string>()];
    return true;
  };
  auto parsed = nlohmann::json::parse(body, count_keys, /*allow_exceptions=*/false);
  (void)parsed;
  return counts["token"] > 1 || counts["access_token"] > 1;
}

bool contains_word_basic(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    for (std::size_t at = 0; at + 5 <= line.size(); ++at) {
      if (!protocol::iequals(std::string_view(line).substr(at, 5), "basic")) continue;
      bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(line[at - 1]));
      bool ends = at + 5 == line.size() || !std::isalnum(static_cast<unsigned char>(line[at + 5]));
      if (starts && ends) return true;
    }
  }
  return false;
}

bool mentions_token_server(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    for (const char* name : {"${realm}", "${auth.url}", "${auth.host}"}) {
      if (line.find(name) != std::string::npos) return true;
    }
  }
  return false;
}

// Decides whether a mutation shows in a (shrunk) case, so a reproducer's title and spec name
// what its input contains. Returns nullopt for mutations that no cheap textual test can see.
std::optional<bool> mutation_visible(Mutation mutation, const FuzzCase& input) {
  std::string text;
  for (const auto& line : input.challenge_lines) text += line + "\n";
  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string body = input.token_body.value_or("");
  auto has = [](const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; };
  auto any_byte = [&](auto predicate) {
    return std::any_of(text.begin(), text.end(), [&](char c) { return predicate(static_cast<unsigned char>(c)); });
  };
  switch (mutation) {
    case Mutation::kSingleQuotes: return has(text, "'");
    case Mutation::kMissingCloseQuote: {
      std::size_t quotes = 0;
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\') ++i;
        else if (text[i] == '"') ++quotes;
      }
      return quotes % 2 == 1;
    }
    case Mutation::kUnquotedUrl: return has(lower, "=${realm}") || has(lower, "=http");
    case Mutation::kQuotedPair: return has(text, "\\");
    case Mutation::kSchemeCase: return has(lower, "bearer") && !has(text, "Bearer");
    case Mutation::kNameCase: {
      bool odd = false;
      for (std::string_view name : {"realm", "service", "scope", "error"}) odd = odd || (has(lower, name) && !has(text, name));
      return odd;
    }
    case Mutation::kSpaceAroundEquals:
      return has(text, " =") || has(text, "= ") || has(text, "\t=") || has(text, "=\t");
    case Mutation::kSpaceBeforeComma: return has(text, " ,") || has(text, "\t,");
    case Mutation::kTabs: return has(text, "\t");
    case Mutation::kExtraCommas:
      return has(text, ",,") || has(text, ", ,") || has(text, "\n,") || text.starts_with(",") || has(text, ",\n");
    case Mutation::kEmptyParameter: return has(text, "=\"\"");
    case Mutation::kExtraParameters:
      return has(lower, ",scope=") || has(lower, " scope=") || has(lower, ",error=") || has(lower, " error=");
    case Mutation::kToken68: return has(text, "YIIB") || has(text, "abc123");
    case Mutation::kMissingRealm: return !has(lower, "realm");
    case Mutation::kEmptyRealm: return has(lower, "realm=\"\"");
    case Mutation::kRelativeRealm: return has(lower, "realm=\"/") || has(lower, "realm=\"token");
    case Mutation::kRealmOtherHost: return has(text, "127.0.0.2") || has(text, "127.0.0.3");
    case Mutation::kRealmOtherPort: return has(text, "127.0.0.1:1/");
    case Mutation::kRealmPlainHttp: return input.registry_tls;
    case Mutation::kRealmQuery: return has(text, "${realm}?");
    case Mutation::kLongRealm: return text.size() > kOversizedFieldBytes;
    case Mutation::kNonAscii: return any_byte([](unsigned char c) { return c >= 0x80; });
    case Mutation::kControlByte:
      return any_byte([](unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n' && c != 0) || c == 0x7f; });
    case Mutation::kNulByte: return has(text, std::string(1, '\0'));
    case Mutation::kChallengesOnSeveralLines: return input.challenge_lines.size() > 1;
    case Mutation::kTokenMissing: return !has(body, "\"token\"") && !has(body, "\"access_token\"");
    case Mutation::kOneTokenField: return has(body, "\"token\"") != has(body, "\"access_token\"");
    case Mutation::kTokenConflicting:
    case Mutation::kDuplicateKey: return has(body, "4711");
    case Mutation::kExtraFields: return has(body, "x-extension") || has(body, "scope");
    case Mutation::kHugeBody: return body.size() > kOversizedBodyBytes;
    default: return std::nullopt;
  }
}

// ---------------------------------------------------------------------------------------------
// Classification helpers

const reports::CheckResult* find_check_result(const reports::ScenarioResult& result, std::string_view id) {
  for (const auto& check : result.checks) {
    if (check.id == id) return &check;
  }
  return nullptr;
}

bool check_failed(const reports::ScenarioResult& result, std::string_view id) {
  const reports::CheckResult* check = find_check_result(result, id);
  return check != nullptr && check->verdict == reports::Verdict::kFail;
}

bool carries_basic(const reports::ExchangeRecord& exchange) {
  for (const auto& [key, value] : exchange.headers) {
    if (protocol::iequals(key, "Authorization") && protocol::iequals(value.substr(0, value.find(' ')), "Basic")) {
      return true;
    }
  }
  return false;
}

// A Go program that panics or hits a runtime fatal error prints this banner with a goroutine
// trace and exits with status 2 (Go runtime behaviour).
bool runtime_panic(const std::string& stderr_text) {
  bool banner = stderr_text.find("panic: ") != std::string::npos || stderr_text.find("fatal error: ") != std::string::npos;
  return banner && stderr_text.find("goroutine ") != std::string::npos;
}

std::string first_line(const std::string& text, std::size_t max_length) {
  std::size_t end = text.find('\n');
  return protocol::visible(text.substr(0, end), max_length);
}

// Returns text as one line for a // comment: control bytes become spaces, UTF-8 stays as is.
std::string single_line(std::string text, std::size_t max_length) {
  for (auto& c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  if (text.size() > max_length) {
    std::size_t cut = max_length;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 sequence
    text = text.substr(0, cut) + "...";
  }
  return text;
}

// FNV-1a over the fuzzed input, for stable reproducer file names.
std::string input_hash(const FuzzCase& input) {
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(input.registry_tls ? "tls\x1f" : "plain\x1f");
  for (const auto& line : input.challenge_lines) {
    mix(line);
    mix("\x1e");
  }
  mix(input.token_body ? "\x1d" + *input.token_body : std::string("\x1c"));
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text, 8);
}

std::size_t input_bytes(const FuzzCase& input) {
  std::size_t total = input.token_body ? input.token_body->size() : 0;
  for (const auto& line : input.challenge_lines) total += line.size();
  return total;
}

void annotate(CaseRun& run) {
  auto& result = run.result;
  FuzzClass fuzz_class = run.classification.fuzz_class;
  result.tags = {"fuzz", std::string(to_string(fuzz_class))};
  if (result.verdict == reports::Verdict::kError || result.verdict == reports::Verdict::kSkip) return;
  reports::CheckResult check;
  check.id = "fuzz-class";
  check.level = reports::Level::kMust;
  check.spec = "loginspec fuzz classes (docs/FUZZING.md)";
  check.verdict = is_finding(fuzz_class) ? reports::Verdict::kFail : reports::Verdict::kPass;
  check.message = std::string(to_string(fuzz_class)) + ": " + run.classification.reason;
  result.checks.push_back(check);
  reports::grade_scenario(result, false);
}

CaseRun run_loaded_scenario(const Scenario& scenario, const CaseOracle& oracle, ClientAdapter& adapter,
                            TlsMaterialCache& tls, const std::filesystem::path& run_dir) {
  CaseRun run;
  run.oracle = oracle;
  run.result = run_scenario(scenario, adapter, tls, run_dir, RunOptions{});
  run.classification = classify_attempt(run.oracle, run.result);
  annotate(run);
  std::error_code ignored;
  std::filesystem::remove_all(run_dir / scenario.id, ignored);
  return run;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public pieces

std::uint64_t FuzzRandom::below(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Accept only values below the largest multiple of bound, so every residue is equally likely.
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t value = engine_();
  while (value >= limit) value = engine_();
  return value % bound;
}

std::string_view mutation_name(Mutation mutation) { return info_of(mutation).name; }
std::string_view mutation_family(Mutation mutation) { return info_of(mutation).family; }
std::string_view mutation_description(Mutation mutation) { return info_of(mutation).description; }
std::string_view mutation_spec(Mutation mutation) { return info_of(mutation).spec; }

const std::vector<Mutation>& all_mutations() {
  static const std::vector<Mutation> kAll = [] {
    std::vector<Mutation> all;
    for (const auto& info : kMutations) all.push_back(info.mutation);
    return all;
  }();
  return kAll;
}

FuzzCase generate_case(std::uint64_t seed, std::uint64_t index) {
  // SplitMix64 of (seed, index) seeds each case, so case N does not depend on cases before it.
  std::uint64_t mixed = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  mixed ^= mixed >> 31;
  FuzzRandom random(mixed);

  FuzzCase input;
  input.seed = seed;
  input.index = index;
  input.target = random.chance(2, 3) ? FuzzTarget::kChallenge : FuzzTarget::kTokenBody;
  return input.target == FuzzTarget::kChallenge ? generate_challenge_case(random, input)
                                                : generate_body_case(random, input);
}

CaseOracle judge_case(const FuzzCase& input) {
  CaseOracle oracle;
  auto variables = stand_in_variables(input.registry_tls);
  std::vector<std::string> lines;
  std::size_t field_bytes = 0;
  for (const auto& line : input.challenge_lines) {
    lines.push_back(fill_stand_ins(line, variables));
    field_bytes += lines.back().size();
  }
  oracle.basic_offered = contains_word_basic(input.challenge_lines);
  bool token_server_named = mentions_token_server(input.challenge_lines);
  oracle.downgrade = input.registry_tls && token_server_named;

  // The challenge field: all lines form one list (RFC 9110 §5.3).
  bool challenge_ok = false;
  bool some_usable = false;
  bool strict_basic = false;
  std::string challenge_reason;
  auto parsed = protocol::parse_challenge_lines(lines);
  if (lines.empty()) {
    challenge_reason = "the 401 carries no WWW-Authenticate field";
  } else if (!parsed.ok()) {
    challenge_reason = "the field is invalid: " + parsed.error->message;
  } else {
    std::size_t bearers = 0;
    std::size_t usable = 0;
    for (const auto& challenge : parsed.challenges) {
      strict_basic = strict_basic || challenge.is("Basic");
      if (!challenge.is("Bearer")) continue;
      ++bearers;
      const std::string* realm = challenge.param("realm");
      std::string problem = realm == nullptr ? "the Bearer challenge has no realm" : realm_problem(*realm, input.registry_tls);
      if (problem.empty()) ++usable;
      else if (challenge_reason.empty()) challenge_reason = problem;
    }
    if (bearers == 0) challenge_reason = "the field holds no Bearer challenge";
    challenge_ok = bearers > 0 && usable == bearers;
    some_usable = usable > 0;
    if (bearers > 0 && usable > 0 && usable < bearers) {
      challenge_reason = "some Bearer challenges name the token server and some do not: " + challenge_reason;
    }
  }

  // The token body, when the case replaces it.
  bool body_ok = true;
  bool body_names_token = true;
  bool body_ambiguous = false;
  std::string body_reason;
  std::size_t body_bytes = 0;
  if (input.token_body) {
    std::string body = fill_stand_ins(*input.token_body, variables);
    body_bytes = body.size();
    body_names_token = input.token_body->find("${token}") != std::string::npos;
    auto token = protocol::parse_token_response(body);
    if (!token.response) {
      body_ok = false;
      body_reason = "the token response is invalid: " + token.error->message;
    } else if (token_choice_undefined(body, *token.response)) {
      // distribution token.md leaves the choice to the client when token and access_token
      // differ, and RFC 8259 §4 leaves duplicate names to the parser.
      body_ok = false;
      body_ambiguous = true;
      body_reason = "token and access_token differ or repeat, so which one a client uses is undefined";
    } else if (token.response->effective_token() != std::string(kStandInToken)) {
      body_ok = false;
      body_reason = "the token a strict client uses (access_token before token) is not the one the registry accepts";
    } else if (body.starts_with("\xef\xbb\xbf")) {
      // RFC 8259 §8.1: a parser may ignore a byte order mark or treat it as an error.
      body_ok = false;
      body_ambiguous = true;
      body_reason = "the body starts with a byte order mark, which a JSON parser may reject (RFC 8259 §8.1)";
    }
  }

  bool oversized = field_bytes > kOversizedFieldBytes || body_bytes > kOversizedBodyBytes;
  oracle.strict_success = challenge_ok && body_ok && !oracle.downgrade;
  // A strict client may also log in by choosing the usable one of several Bearer challenges,
  // the Basic challenge, or either token field of an ambiguous body.
  bool body_usable = body_ok || body_ambiguous;
  oracle.strict_accepts = !oracle.downgrade && ((some_usable && body_usable) || strict_basic);
  oracle.lenient_possible = !oracle.downgrade && (oracle.basic_offered || (token_server_named && body_names_token));

  if (oracle.strict_success && !oversized) {
    oracle.expect = Expectation::kSuccess;
    oracle.reason = "the field parses and its Bearer challenge names the token server";
    if (input.token_body) oracle.reason += ", and the token response is valid";
  } else if (oracle.strict_success) {
    oracle.expect = Expectation::kEither;
    oracle.reason = "the input is valid but larger than some clients accept (" +
                    std::to_string(std::max(field_bytes, body_bytes)) + " bytes)";
  } else if (oracle.strict_accepts) {
    oracle.expect = Expectation::kEither;
    if (body_ambiguous) oracle.reason = body_reason;
    else if (!challenge_reason.empty()) oracle.reason = challenge_reason;
    else oracle.reason = "the field offers Basic next to a Bearer challenge a client cannot use";
  } else if (oracle.lenient_possible) {
    oracle.expect = Expectation::kEither;
    oracle.reason = (challenge_reason.empty() ? body_reason : challenge_reason) +
                    "; a lenient client may still log in at the right servers";
  } else {
    oracle.expect = Expectation::kFailure;
    oracle.reason = challenge_reason.empty() ? body_reason : challenge_reason;
    if (oracle.downgrade) oracle.reason = "the realm is plain HTTP while the registry uses HTTPS (RFC 6750 §5.3)";
  }
  return oracle;
}

std::string_view to_string(FuzzClass fuzz_class) {
  switch (fuzz_class) {
    case FuzzClass::kCleanSuccess: return "clean-success";
    case FuzzClass::kCleanRejection: return "clean-rejection";
    case FuzzClass::kLenientSuccess: return "lenient-success";
    case FuzzClass::kCrash: return "crash";
    case FuzzClass::kHang: return "hang";
    case FuzzClass::kLoop: return "loop";
    case FuzzClass::kCredentialLeak: return "credential-leak";
    case FuzzClass::kUnverifiedSuccess: return "unverified-success";
    case FuzzClass::kWrongRejection: return "wrong-rejection";
    case FuzzClass::kHarnessError: return "harness-error";
  }
  return "harness-error";
}

const std::vector<FuzzClass>& all_fuzz_classes() {
  static const std::vector<FuzzClass> kAll = {
      FuzzClass::kCleanSuccess,  FuzzClass::kCleanRejection,    FuzzClass::kLenientSuccess, FuzzClass::kCrash,
      FuzzClass::kHang,          FuzzClass::kLoop,              FuzzClass::kCredentialLeak, FuzzClass::kUnverifiedSuccess,
      FuzzClass::kWrongRejection, FuzzClass::kHarnessError};
  return kAll;
}

std::optional<FuzzClass> parse_fuzz_class(std::string_view text) {
  for (FuzzClass fuzz_class : all_fuzz_classes()) {
    if (to_string(fuzz_class) == text) return fuzz_class;
  }
  return std::nullopt;
}

bool is_finding(FuzzClass fuzz_class) {
  switch (fuzz_class) {
    case FuzzClass::kCrash:
    case FuzzClass::kHang:
    case FuzzClass::kLoop:
    case FuzzClass::kCredentialLeak:
    case FuzzClass::kUnverifiedSuccess:
    case FuzzClass::kWrongRejection:
      return true;
    default:
      return false;
  }
}

Classification classify_attempt(const CaseOracle& oracle, const reports::ScenarioResult& result) {
  const auto& client = result.client;
  if (client.ran && !client.signal.empty()) return {FuzzClass::kCrash, "the client died from " + client.signal};
  if (client.ran && runtime_panic(client.stderr_text)) {
    std::size_t at = client.stderr_text.find("panic: ");
    if (at == std::string::npos) at = client.stderr_text.find("fatal error: ");
    return {FuzzClass::kCrash, "the client hit a runtime panic: " + first_line(client.stderr_text.substr(at), 160)};
  }
  if (client.ran && client.timed_out) return {FuzzClass::kHang, "the client did not finish within the case time limit"};
  if (result.verdict == reports::Verdict::kError || result.verdict == reports::Verdict::kSkip || !client.ran) {
    return {FuzzClass::kHarnessError, "the harness could not run the case: " + first_line(result.reason, 200)};
  }
  if (check_failed(result, "bounded-requests")) {
    return {FuzzClass::kLoop, find_check_result(result, "bounded-requests")->message};
  }

  for (const char* id : {"no-password-to-registry", "secrets-not-in-output", "no-credentials-over-plain-http"}) {
    if (check_failed(result, id)) return {FuzzClass::kCredentialLeak, find_check_result(result, id)->message};
  }
  for (const auto& exchange : result.exchanges) {
    if (exchange.kind != "http") continue;
    // Only the registry API counts: a realm on the registry's own host is a token endpoint.
    bool registry_api = exchange.server == "registry" && exchange.target.rfind("/v2", 0) == 0;
    if (registry_api && !oracle.basic_offered && carries_basic(exchange)) {
      return {FuzzClass::kCredentialLeak, "the client sent Basic credentials to the registry, which offered no Basic challenge ("
                                              + exchange.method + " " + first_line(exchange.target, 80) + ")"};
    }
    bool form_password = exchange.body.find("password=") != std::string::npos;
    if (exchange.server == "auth" && oracle.downgrade && (carries_basic(exchange) || form_password)) {
      return {FuzzClass::kCredentialLeak, "the client sent its credentials over plain HTTP to the realm of an HTTPS registry ("
                                              + exchange.method + " " + first_line(exchange.target, 80) + ")"};
    }
  }

  if (check_failed(result, "success-verified")) {
    return {FuzzClass::kUnverifiedSuccess, find_check_result(result, "success-verified")->message};
  }
  if (client.reported_success) {
    if (oracle.strict_success || oracle.strict_accepts) return {FuzzClass::kCleanSuccess, "logged in; " + oracle.reason};
    return {FuzzClass::kLenientSuccess, "logged in although " + oracle.reason};
  }
  std::string client_message = first_line(client.stderr_text.empty() ? client.stdout_text : client.stderr_text, 200);
  if (oracle.expect == Expectation::kSuccess) {
    return {FuzzClass::kWrongRejection, "the client failed although " + oracle.reason + (client_message.empty() ? "" : ": " + client_message)};
  }
  return {FuzzClass::kCleanRejection, "failed as expected: " + oracle.reason};
}

nlohmann::ordered_json scenario_document(const FuzzCase& input, const CaseOracle& oracle,
                                         std::chrono::milliseconds time_limit,
                                         const std::optional<FuzzClass>& fuzz_class) {
  nlohmann::ordered_json document;
  std::string subject = input.target == FuzzTarget::kChallenge ? "WWW-Authenticate field" : "Token response";
  std::string title = subject;
  std::vector<std::string> spec;
  // A mutation is named when the input shows it, or when it was applied and no test can tell.
  // Shrinking can also turn one mutation into another (a value cut down to ""), so every
  // mutation of the case's kind is tested.
  std::vector<Mutation> shown;
  const auto& kind = input.target == FuzzTarget::kChallenge ? kChallengeMutations : kBodyMutations;
  for (Mutation mutation : kind) {
    bool applied = std::find(input.mutations.begin(), input.mutations.end(), mutation) != input.mutations.end();
    std::optional<bool> visible = mutation_visible(mutation, input);
    if (visible.value_or(applied)) shown.push_back(mutation);
  }
  for (std::size_t i = 0; i < shown.size(); ++i) {
    std::string separator = ", ";
    if (i == 0) separator = " with ";
    else if (i + 1 == shown.size()) separator = " and ";
    title += separator + std::string(mutation_description(shown[i]));
    std::string clause(mutation_spec(shown[i]));
    if (std::find(spec.begin(), spec.end(), clause) == spec.end()) spec.push_back(clause);
  }
  if (shown.empty()) title += " found by the client fuzzer";
  if (spec.empty()) spec.push_back("RFC 9110 §11.6.1: WWW-Authenticate");
  document["title"] = title;
  document["spec"] = spec;
  document["tags"] = fuzz_class ? std::vector<std::string>{"fuzz", std::string(to_string(*fuzz_class))}
                                : std::vector<std::string>{"fuzz"};
  document["time_limit_ms"] = time_limit.count();

  nlohmann::ordered_json registry = nlohmann::ordered_json::object();
  if (input.registry_tls) registry["tls"] = "valid";
  registry["challenge"] = input.challenge_lines;
  if (oracle.basic_offered) {
    // The registry honours the Basic challenge it names, so choosing Basic is a valid path.
    nlohmann::ordered_json match = nlohmann::ordered_json::object();
    match["path"] = "/v2/";
    match["credentials"] = nlohmann::ordered_json::array({"basic"});
    match["valid"] = true;
    nlohmann::ordered_json headers = nlohmann::ordered_json::array();
    headers.push_back(nlohmann::ordered_json::array({"Content-Type", "application/json; charset=utf-8"}));
    headers.push_back(nlohmann::ordered_json::array({"Docker-Distribution-Api-Version", "registry/2.0"}));
    nlohmann::ordered_json respond = nlohmann::ordered_json::object();
    respond["status"] = 200;
    respond["headers"] = headers;
    respond["body"] = "{}";
    nlohmann::ordered_json rule = nlohmann::ordered_json::object();
    rule["match"] = match;
    rule["respond"] = respond;
    registry["rules"] = nlohmann::ordered_json::array({rule});
  }
  document["registry"] = registry;
  nlohmann::ordered_json auth = nlohmann::ordered_json::object();
  if (input.token_body) auth["token_body"] = *input.token_body;
  document["auth"] = auth;
  document["expect"] = std::string(to_string(oracle.expect));

  std::vector<std::string> checks;
  if (!oracle.basic_offered) checks.push_back("no-password-to-registry");
  if (oracle.downgrade) {
    // no-credentials-over-plain-http fails on exactly this leak. Where the catalogue lacks it,
    // no-token-request is used instead, which also fails a request to the realm without credentials.
    checks.push_back(find_check("no-credentials-over-plain-http") != nullptr ? "no-credentials-over-plain-http"
                                                                              : "no-token-request");
  }
  if (oracle.expect == Expectation::kSuccess && !oracle.basic_offered) {
    checks.push_back("token-request-credentials");
    checks.push_back("bearer-retry");
  }
  document["checks"] = checks;
  return document;
}

Scenario build_scenario(const FuzzCase& input, const CaseOracle& oracle, const std::string& id,
                        std::chrono::milliseconds time_limit) {
  auto document = scenario_document(input, oracle, time_limit, std::nullopt);
  return parse_scenario(document.dump(), "(generated " + id + ")", id);
}

FuzzCase case_from_scenario(const Scenario& scenario) {
  FuzzCase input;
  input.registry_tls = scenario.registry.tls != TlsProfile::kOff;
  input.challenge_lines = scenario.registry.challenge.value_or(std::vector<std::string>{});
  if (scenario.auth) input.token_body = scenario.auth->token_body;
  input.target = input.token_body ? FuzzTarget::kTokenBody : FuzzTarget::kChallenge;
  return input;
}

std::vector<std::string> split_units(std::string_view text, bool words) {
  static const std::vector<std::string_view> kAnswerTime = {"now", "date", "content_length"};
  std::vector<std::string> units;
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      std::size_t end = text.find('}', i);
      if (end != std::string_view::npos) {
        std::string_view name = text.substr(i + 2, end - i - 2);
        auto names = template_variable_names();
        bool known = std::find(names.begin(), names.end(), name) != names.end() ||
                     std::find(kAnswerTime.begin(), kAnswerTime.end(), name) != kAnswerTime.end();
        if (known) {
          units.emplace_back(text.substr(i, end + 1 - i));
          i = end + 1;
          continue;
        }
      }
    }
    // "://" and the authority after it are one unit, so shrinking never edits a host name or
    // address into another one (deleting bytes from 127.0.0.2 could make a routable address).
    if (text.substr(i, 3) == "://") {
      std::size_t end = i + 3;
      while (end < text.size() && is_authority_char(static_cast<unsigned char>(text[end]))) ++end;
      units.emplace_back(text.substr(i, end - i));
      i = end;
      continue;
    }
    std::size_t length = 1;
    if (c >= 0xc0) {
      std::size_t expected = 2;
      if (c >= 0xe0) expected = 3;
      if (c >= 0xf0) expected = 4;
      while (length < expected && i + length < text.size() &&
             (static_cast<unsigned char>(text[i + length]) & 0xc0) == 0x80) {
        ++length;
      }
    } else if (words && std::isalnum(c)) {
      while (i + length < text.size() && std::isalnum(static_cast<unsigned char>(text[i + length]))) ++length;
    }
    units.emplace_back(text.substr(i, length));
    i += length;
  }
  return units;
}

std::vector<std::string> shrink_units(std::vector<std::string> units,
                                      const std::function<bool(const std::vector<std::string>&)>& still_fails,
                                      int& attempts_left) {
  std::size_t granularity = 2;
  while (!units.empty() && attempts_left > 0) {
    granularity = std::min(granularity, units.size());
    std::size_t chunk = (units.size() + granularity - 1) / granularity;
    bool reduced = false;
    for (std::size_t start = 0; start < units.size() && attempts_left > 0; start += chunk) {
      std::vector<std::string> candidate(units.begin(), units.begin() + static_cast<std::ptrdiff_t>(start));
      std::size_t end = std::min(start + chunk, units.size());
      candidate.insert(candidate.end(), units.begin() + static_cast<std::ptrdiff_t>(end), units.end());
      --attempts_left;
      if (still_fails(candidate)) {
        units = std::move(candidate);
        granularity = std::max<std::size_t>(granularity - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (chunk == 1) break;
      granularity *= 2;
    }
  }
  return units;
}

FuzzCase shrink_case(const FuzzCase& input, const std::function<bool(const FuzzCase&)>& still_fails,
                     int max_attempts) {
  int attempts = max_attempts;
  FuzzCase best = input;
  auto join = [](const std::vector<std::string>& units) {
    std::string text;
    for (const auto& unit : units) text += unit;
    return text;
  };

  if (best.target == FuzzTarget::kTokenBody && best.token_body) {
    for (bool words : {true, false}) {
      auto units = split_units(*best.token_body, words);
      units = shrink_units(
          units,
          [&](const std::vector<std::string>& candidate) {
            FuzzCase trial = best;
            trial.token_body = join(candidate);
            return still_fails(trial);
          },
          attempts);
      best.token_body = join(units);
    }
    return best;
  }

  if (best.challenge_lines.size() > 1) {
    best.challenge_lines = shrink_units(
        best.challenge_lines,
        [&](const std::vector<std::string>& candidate) {
          FuzzCase trial = best;
          trial.challenge_lines = candidate;
          return still_fails(trial);
        },
        attempts);
  }
  for (bool words : {true, false}) {
    for (std::size_t line = 0; line < best.challenge_lines.size(); ++line) {
      auto units = split_units(best.challenge_lines[line], words);
      units = shrink_units(
          units,
          [&](const std::vector<std::string>& candidate) {
            FuzzCase trial = best;
            trial.challenge_lines[line] = join(candidate);
            return still_fails(trial);
          },
          attempts);
      best.challenge_lines[line] = join(units);
    }
  }
  return best;
}

std::filesystem::path write_reproducer(const FuzzCase& input, const CaseOracle& oracle, const ReproducerInfo& info,
                                       std::chrono::milliseconds time_limit, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / (std::string(to_string(info.fuzz_class)) + "-" + input_hash(input) + ".json");
  auto document = scenario_document(input, oracle, time_limit, info.fuzz_class);
  std::string comment = "// Reproducer from loginspec fuzz: " + info.client + " showed " +
                        std::string(to_string(info.fuzz_class)) + "; expected " +
                        std::string(to_string(oracle.expect)) + " because " + single_line(oracle.reason, 200) + ".";
  reports::write_file_atomically(path, [&](std::ostream& out) { out << comment << "\n" << document.dump(2) << "\n"; });
  return path;
}

CaseRun run_case(const FuzzCase& input, const std::string& id, ClientAdapter& adapter, TlsMaterialCache& tls,
                 const std::filesystem::path& run_dir, std::chrono::milliseconds time_limit) {
  CaseOracle oracle = judge_case(input);
  Scenario scenario = build_scenario(input, oracle, id, time_limit);
  return run_loaded_scenario(scenario, oracle, adapter, tls, run_dir);
}

CaseRun replay_scenario(const Scenario& scenario, ClientAdapter& adapter, TlsMaterialCache& tls,
                        const std::filesystem::path& run_dir) {
  return run_loaded_scenario(scenario, judge_case(case_from_scenario(scenario)), adapter, tls, run_dir);
}

FuzzSummary run_fuzz(ClientAdapter& adapter, const FuzzOptions& options) {
  auto start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (options.time_limit) deadline = start + *options.time_limit;
  auto past_deadline = [&] { return deadline && Clock::now() >= *deadline; };

  FuzzSummary summary;
  summary.run.tool_version = LOGINSPEC_VERSION;
  summary.run.client_name = adapter.name();
  summary.run.client_version = adapter.version();
  summary.run.started_at = mocks::rfc3339_now();
  for (FuzzClass fuzz_class : all_fuzz_classes()) summary.counts[fuzz_class] = 0;

  std::filesystem::path run_dir = make_private_directory("loginspec-fuzz-");
  {
    TlsMaterialCache tls(run_dir);
    std::uint64_t shrink_runs = 0;
    for (std::uint64_t index = 0; index < options.cases; ++index) {
      if (stop_requested()) break;
      if (past_deadline()) {
        summary.time_limit_reached = true;
        break;
      }
      auto case_start = Clock::now();
      FuzzCase input = generate_case(options.seed, index);
      CaseRun run = run_case(input, "fuzz/case-" + std::to_string(index), adapter, tls, run_dir, options.case_time_limit);
      FuzzClass fuzz_class = run.classification.fuzz_class;
      ++summary.counts[fuzz_class];
      ++summary.cases_run;
      summary.client_wall_ms += run.result.client.wall_ms;
      summary.scenario_wall_ms += run.result.wall_ms;
      summary.fuzz_wall_ms += std::chrono::duration<double, std::milli>(Clock::now() - case_start).count();

      if (is_finding(fuzz_class) && !options.out_dir.empty()) {
        auto shrink_start = Clock::now();
        // A hang costs a whole case time limit per attempt, so it gets few.
        int attempts = fuzz_class == FuzzClass::kHang ? std::min(options.shrink_attempts, 8) : options.shrink_attempts;
        FuzzCase shrunk = shrink_case(
            input,
            [&](const FuzzCase& candidate) {
              if (past_deadline() || stop_requested()) return false;
              CaseRun trial = run_case(candidate, "fuzz/shrink-" + std::to_string(shrink_runs++), adapter, tls, run_dir,
                                       options.case_time_limit);
              return trial.classification.fuzz_class == fuzz_class;
            },
            attempts);
        shrunk.mutations = input.mutations;
        CaseOracle shrunk_oracle = judge_case(shrunk);
        FuzzFinding finding;
        finding.index = index;
        finding.fuzz_class = fuzz_class;
        finding.original_bytes = input_bytes(input);
        finding.shrunk_bytes = input_bytes(shrunk);
        finding.reproducer = write_reproducer(shrunk, shrunk_oracle,
                                              {adapter.name(), fuzz_class, run.classification.reason},
                                              options.case_time_limit, options.out_dir);

        // The file is loaded and run as `loginspec run` would, to prove that it replays.
        try {
          Scenario loaded = load_scenario_file(finding.reproducer, options.out_dir.parent_path());
          CaseRun replay = replay_scenario(loaded, adapter, tls, run_dir);
          finding.replayed = replay.classification.fuzz_class == fuzz_class;
        } catch (const std::exception& error) {
          if (options.console != nullptr) {
            *options.console << "loginspec: reproducer " << finding.reproducer.string() << " does not load: " << error.what()
                             << "\n";
          }
        }
        if (summary.first_reproducer.count(fuzz_class) == 0) summary.first_reproducer[fuzz_class] = finding.reproducer;
        summary.findings.push_back(finding);
        summary.shrink_wall_ms += std::chrono::duration<double, std::milli>(Clock::now() - shrink_start).count();
        if (options.console != nullptr) {
          *options.console << to_string(fuzz_class) << "  fuzz/case-" << index << "  " << finding.original_bytes << " -> "
                           << finding.shrunk_bytes << " bytes  " << finding.reproducer.string()
                           << (finding.replayed ? "" : "  (did not replay to the same class)") << "\n";
        }
      } else if (is_finding(fuzz_class) && options.console != nullptr) {
        *options.console << to_string(fuzz_class) << "  fuzz/case-" << index << "  " << run.classification.reason << "\n";
      }
      summary.run.scenarios.push_back(std::move(run.result));
    }
  }
  if (options.keep) {
    if (options.console != nullptr) *options.console << "kept the run folder " << run_dir.string() << "\n";
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(run_dir, ignored);
  }
  summary.run.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return summary;
}

}  // namespace loginspec::harness
