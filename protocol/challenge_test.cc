// Tests for the WWW-Authenticate parser, serializer and JSON view.
#include "protocol/challenge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/challenge_json.h"

namespace loginspec::protocol {
namespace {

using testing::ElementsAre;

}  // namespace

// Readable failure output for GoogleTest, found by argument-dependent lookup.
void PrintTo(const AuthParam& param, std::ostream* out) {
  *out << param.name << "=" << (param.quoted ? "\"" : "") << visible(param.value) << (param.quoted ? "\"" : "");
}

void PrintTo(const Challenge& challenge, std::ostream* out) { *out << serialize_challenges({challenge}); }

namespace {

AuthParam quoted(std::string name, std::string value) { return AuthParam{std::move(name), std::move(value), true}; }
AuthParam unquoted(std::string name, std::string value) { return AuthParam{std::move(name), std::move(value), false}; }

// Parses `field` and fails the test with the parser's message when it reports an error.
std::vector<Challenge> parse_ok(std::string_view field) {
  ChallengeParse parse = parse_challenges(field);
  EXPECT_TRUE(parse.ok()) << "field: " << field << "\nerror: " << (parse.error ? parse.error->message : "");
  return parse.challenges;
}

ChallengeError parse_error(std::string_view field) {
  ChallengeParse parse = parse_challenges(field);
  EXPECT_FALSE(parse.ok()) << "field: " << field;
  return parse.error.value_or(ChallengeError{});
}

// ---------------------------------------------------------------------------------------------
// Accepted forms

TEST(ParseChallengesTest, ParsesRegistryBearerChallenge) {
  const auto challenges = parse_ok(R"(Bearer realm="https://auth.example/token",service="registry.example")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Bearer");
  EXPECT_FALSE(challenges[0].token68.has_value());
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "https://auth.example/token"),
                                                quoted("service", "registry.example")));
}

TEST(ParseChallengesTest, ParsesScopeWithSpacesAndCommas) {
  const auto challenges =
      parse_ok(R"(Bearer realm="R",service="s",scope="repository:ns/app:pull,push repository:ns/base:pull")");

  ASSERT_EQ(challenges.size(), 1u);
  ASSERT_NE(challenges[0].param("scope"), nullptr);
  EXPECT_EQ(*challenges[0].param("scope"), "repository:ns/app:pull,push repository:ns/base:pull");
  EXPECT_EQ(challenges[0].params.size(), 3u);
}

TEST(ParseChallengesTest, MatchesLowercaseScheme) {
  const auto challenges = parse_ok(R"(bearer realm="R",service="s")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_TRUE(challenges[0].is("Bearer"));
  EXPECT_TRUE(challenges[0].is("BEARER"));
  EXPECT_FALSE(challenges[0].is("Basic"));
}

TEST(ParseChallengesTest, MatchesUppercaseSchemeAndNames) {
  const auto challenges = parse_ok(R"(BEARER REALM="R",SERVICE="s")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_TRUE(challenges[0].is("bearer"));
  EXPECT_EQ(challenges[0].params[0].name, "REALM");
  ASSERT_NE(challenges[0].param("realm"), nullptr);
  EXPECT_EQ(*challenges[0].param("realm"), "R");
  ASSERT_NE(challenges[0].param("Service"), nullptr);
  EXPECT_EQ(*challenges[0].param("Service"), "s");
}

TEST(ParseChallengesTest, ReturnsNullForMissingParameter) {
  const auto challenges = parse_ok(R"(Bearer realm="R")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].param("service"), nullptr);
  EXPECT_EQ(challenges[0].param("realmx"), nullptr);
}

TEST(ParseChallengesTest, AcceptsUnquotedTokenValues) {
  const auto challenges = parse_ok("Bearer realm=R,service=registry.example,error=invalid_token");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(unquoted("realm", "R"), unquoted("service", "registry.example"),
                                                unquoted("error", "invalid_token")));
}

TEST(ParseChallengesTest, AcceptsWhitespaceAroundEqualsAndCommas) {
  const auto challenges = parse_ok(R"(Bearer realm = "R" , service = "s")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "R"), quoted("service", "s")));
}

TEST(ParseChallengesTest, AcceptsTabsAsWhitespace) {
  const auto challenges = parse_ok("Bearer\trealm\t=\t\"R\"\t,\tservice=s\t");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "R"), unquoted("service", "s")));
}

TEST(ParseChallengesTest, UnescapesQuotedPairOfOrdinaryCharacter) {
  const auto challenges = parse_ok(R"(Bearer realm="R",service="reg\istry")");

  ASSERT_EQ(challenges.size(), 1u);
  ASSERT_NE(challenges[0].param("service"), nullptr);
  EXPECT_EQ(*challenges[0].param("service"), "registry");
}

TEST(ParseChallengesTest, UnescapesQuotedPairOfQuoteAndBackslash) {
  const auto challenges = parse_ok(R"(Basic realm="a\"b\\c")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params[0].value, R"(a"b\c)");
}

TEST(ParseChallengesTest, UnescapesWhitespaceAndObsTextPairs) {
  const auto challenges = parse_ok("Basic realm=\"a\\\tb\\ c\\\xe9\"");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params[0].value, "a\tb c\xe9");
}

TEST(ParseChallengesTest, AcceptsObsTextInsideQuotedString) {
  const auto challenges = parse_ok("Basic realm=\"caf\xc3\xa9\"");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params[0].value, "caf\xc3\xa9");
}

TEST(ParseChallengesTest, AcceptsEmptyQuotedValue) {
  const auto challenges = parse_ok(R"(Bearer realm="",service="s")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", ""), quoted("service", "s")));
}

TEST(ParseChallengesTest, ParsesTwoChallengesOnOneLine) {
  const auto challenges = parse_ok(R"(Basic realm="x", Bearer realm="R",service="s")");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "Basic");
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "x")));
  EXPECT_EQ(challenges[1].scheme, "Bearer");
  EXPECT_THAT(challenges[1].params, ElementsAre(quoted("realm", "R"), quoted("service", "s")));
}

TEST(ParseChallengesTest, ParsesNewauthExampleFromRfc9110) {
  const auto challenges = parse_ok(R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "Newauth");
  EXPECT_THAT(challenges[0].params,
              ElementsAre(quoted("realm", "apps"), unquoted("type", "1"), quoted("title", R"(Login to "apps")")));
  EXPECT_EQ(challenges[1].scheme, "Basic");
  EXPECT_THAT(challenges[1].params, ElementsAre(quoted("realm", "simple")));
}

TEST(ParseChallengesTest, ParsesChallengesAcrossFieldLines) {
  const ChallengeParse parse = parse_challenge_lines({"Negotiate", R"(Basic realm="r")"});

  ASSERT_TRUE(parse.ok()) << parse.error->message;
  ASSERT_EQ(parse.challenges.size(), 2u);
  EXPECT_EQ(parse.challenges[0].scheme, "Negotiate");
  EXPECT_TRUE(parse.challenges[0].params.empty());
  EXPECT_FALSE(parse.challenges[0].token68.has_value());
  EXPECT_EQ(parse.challenges[1].scheme, "Basic");
  EXPECT_THAT(parse.challenges[1].params, ElementsAre(quoted("realm", "r")));
}

TEST(ParseChallengesTest, ParsesSeveralChallengesPerFieldLine) {
  const ChallengeParse parse =
      parse_challenge_lines({R"(Basic realm="a", Negotiate)", R"(Bearer realm="b",service="s", Digest realm="d")"});

  ASSERT_TRUE(parse.ok()) << parse.error->message;
  ASSERT_EQ(parse.challenges.size(), 4u);
  EXPECT_EQ(parse.challenges[0].scheme, "Basic");
  EXPECT_EQ(parse.challenges[1].scheme, "Negotiate");
  EXPECT_EQ(parse.challenges[2].scheme, "Bearer");
  EXPECT_EQ(parse.challenges[2].params.size(), 2u);
  EXPECT_EQ(parse.challenges[3].scheme, "Digest");
}

TEST(ParseChallengesTest, ParsesToken68) {
  const auto challenges = parse_ok("Bearer abc123==");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Bearer");
  ASSERT_TRUE(challenges[0].token68.has_value());
  EXPECT_EQ(*challenges[0].token68, "abc123==");
  EXPECT_TRUE(challenges[0].params.empty());
}

TEST(ParseChallengesTest, ParsesToken68WithEveryAllowedCharacter) {
  const auto challenges = parse_ok("Negotiate aZ09-._~+/=");

  ASSERT_EQ(challenges.size(), 1u);
  ASSERT_TRUE(challenges[0].token68.has_value());
  EXPECT_EQ(*challenges[0].token68, "aZ09-._~+/=");
}

TEST(ParseChallengesTest, ParsesToken68FollowedByChallenge) {
  const auto challenges = parse_ok(R"(Negotiate abc==, Basic realm="r")");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].token68, "abc==");
  EXPECT_EQ(challenges[1].scheme, "Basic");
  EXPECT_THAT(challenges[1].params, ElementsAre(quoted("realm", "r")));
}

TEST(ParseChallengesTest, ParsesToken68AfterChallengeWithParameters) {
  const auto challenges = parse_ok(R"(Basic realm="r", Negotiate abc=)");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "r")));
  EXPECT_EQ(challenges[1].token68, "abc=");
}

TEST(ParseChallengesTest, ReadsNameEqualsTokenAsParameter) {
  const auto challenges = parse_ok("Bearer realm=x");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_FALSE(challenges[0].token68.has_value());
  EXPECT_THAT(challenges[0].params, ElementsAre(unquoted("realm", "x")));
}

TEST(ParseChallengesTest, ReadsTokenEndingInEqualsAsToken68) {
  // RFC 9110 §11.2: "realm=" fits token68, and an auth-param needs a value after "=".
  const auto challenges = parse_ok("Bearer realm=");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].token68, "realm=");
  EXPECT_TRUE(challenges[0].params.empty());
}

TEST(ParseChallengesTest, ReadsLoneTokenAfterSchemeAsToken68) {
  const auto challenges = parse_ok("Bearer realm");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].token68, "realm");
}

TEST(ParseChallengesTest, ReadsSingleQuotesAsTokenCharacters) {
  // "'" is a tchar (RFC 9110 §5.6.2), so 'x' is a token and not a quoted-string.
  const auto challenges = parse_ok("Bearer realm='x',service='s'");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(unquoted("realm", "'x'"), unquoted("service", "'s'")));
}

TEST(ParseChallengesTest, SkipsEmptyListElements) {
  const auto challenges = parse_ok(R"( , ,Bearer realm="R",, ,service="s", ,)");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "R"), quoted("service", "s")));
}

TEST(ParseChallengesTest, SkipsEmptyElementsBetweenChallenges) {
  const auto challenges = parse_ok(R"(Basic realm="x",,, ,Bearer realm="y")");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[1].scheme, "Bearer");
}

TEST(ParseChallengesTest, AcceptsSchemeWithoutParameters) {
  const auto challenges = parse_ok("Negotiate");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Negotiate");
  EXPECT_TRUE(challenges[0].params.empty());
  EXPECT_FALSE(challenges[0].token68.has_value());
}

TEST(ParseChallengesTest, AcceptsBareSchemesBetweenChallenges) {
  const auto challenges = parse_ok(R"(Negotiate, Basic realm="r", NTLM , Bearer)");

  ASSERT_EQ(challenges.size(), 4u);
  EXPECT_EQ(challenges[0].scheme, "Negotiate");
  EXPECT_EQ(challenges[1].scheme, "Basic");
  EXPECT_EQ(challenges[2].scheme, "NTLM");
  EXPECT_TRUE(challenges[2].params.empty());
  EXPECT_EQ(challenges[3].scheme, "Bearer");
}

TEST(ParseChallengesTest, AttachesParameterAfterCommaToBareScheme) {
  // After a comma, "token BWS =" starts an auth-param of the current challenge, because no
  // auth-scheme can be followed by "=".
  const auto challenges = parse_ok(R"(Bearer , realm="R")");

  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_THAT(challenges[0].params, ElementsAre(quoted("realm", "R")));
}

TEST(ParseChallengesTest, AllowsSameNameInDifferentChallenges) {
  const auto challenges = parse_ok(R"(Basic realm="a", Bearer realm="b")");

  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(*challenges[0].param("realm"), "a");
  EXPECT_EQ(*challenges[1].param("realm"), "b");
}

// ---------------------------------------------------------------------------------------------
// Errors: each id, with its offset and whole message

TEST(ParseChallengesTest, RejectsEmptyField) {
  const ChallengeError error = parse_error("");

  EXPECT_EQ(error.id, ChallengeErrorId::kEmptyField);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, "expected at least one challenge at byte 0, found end of input");
}

TEST(ParseChallengesTest, RejectsFieldOfOnlyCommasAndSpaces) {
  const ChallengeError error = parse_error(" , ,\t");

  EXPECT_EQ(error.id, ChallengeErrorId::kEmptyField);
  EXPECT_EQ(error.offset, 5u);
  EXPECT_EQ(error.message, "expected at least one challenge at byte 5, found end of input");
}

TEST(ParseChallengesTest, RejectsEmptyListOfFieldLines) {
  const ChallengeParse parse = parse_challenge_lines({});

  ASSERT_TRUE(parse.error.has_value());
  EXPECT_EQ(parse.error->id, ChallengeErrorId::kEmptyField);
  EXPECT_EQ(parse.error->offset, 0u);
}

TEST(ParseChallengesTest, RejectsFieldStartingWithEquals) {
  const ChallengeError error = parse_error(R"(="x")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedScheme);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, "expected an auth-scheme at byte 0, found '='");
}

TEST(ParseChallengesTest, RejectsParameterWithoutScheme) {
  const ChallengeError error = parse_error(R"(realm="x")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedScheme);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, R"(expected an auth-scheme at byte 0, found parameter "realm")");
}

TEST(ParseChallengesTest, RejectsParameterAfterToken68) {
  const ChallengeError error = parse_error(R"(Bearer abc==, realm="x")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedScheme);
  EXPECT_EQ(error.offset, 14u);
  EXPECT_EQ(error.message,
            R"(expected an auth-scheme at byte 14, found parameter "realm" after challenge "Bearer", )"
            "which has a token68 and so takes no parameters");
}

TEST(ParseChallengesTest, RejectsNonTokenElementAfterComma) {
  const ChallengeError error = parse_error(R"(Bearer realm="x", /)");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedScheme);
  EXPECT_EQ(error.offset, 18u);
  EXPECT_EQ(error.message, "expected an auth-scheme or parameter name at byte 18, found '/'");
}

TEST(ParseChallengesTest, RejectsParameterNameWithoutEquals) {
  const ChallengeError error = parse_error(R"(Bearer realm "R")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedEquals);
  EXPECT_EQ(error.offset, 13u);
  EXPECT_EQ(error.message, R"(expected '=' after parameter name "realm" at byte 13, found '"')");
}

TEST(ParseChallengesTest, RejectsParameterNameAtEndOfInput) {
  const ChallengeError error = parse_error("Bearer realm!x");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedEquals);
  EXPECT_EQ(error.offset, 14u);
  EXPECT_EQ(error.message, R"(expected '=' after parameter name "realm!x" at byte 14, found end of input)");
}

TEST(ParseChallengesTest, RejectsUnquotedSlashValue) {
  // "/" is not a tchar (RFC 9110 §5.6.2), so the value must be a quoted-string.
  const ChallengeError error = parse_error("Basic realm=/");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedValue);
  EXPECT_EQ(error.offset, 12u);
  EXPECT_EQ(error.message, R"(expected a token or quoted-string as the value of parameter "realm" at byte 12, found '/')");
}

TEST(ParseChallengesTest, RejectsMissingValueAtEndOfInput) {
  const ChallengeError error = parse_error(R"(Bearer service="s", realm=)");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedValue);
  EXPECT_EQ(error.offset, 26u);
  EXPECT_EQ(error.message,
            R"(expected a token or quoted-string as the value of parameter "realm" at byte 26, found end of input)");
}

TEST(ParseChallengesTest, RejectsUnterminatedQuotedString) {
  const ChallengeError error = parse_error(R"(Bearer realm="abc)");

  EXPECT_EQ(error.id, ChallengeErrorId::kUnterminatedQuotedString);
  EXPECT_EQ(error.offset, 17u);
  EXPECT_EQ(error.message,
            R"(expected '"' to close the quoted-string opened at byte 13, found end of input at byte 17)");
}

TEST(ParseChallengesTest, RejectsQuotedStringEndingInBackslash) {
  const ChallengeError error = parse_error(R"(Bearer realm="abc\)");

  EXPECT_EQ(error.id, ChallengeErrorId::kUnterminatedQuotedString);
  EXPECT_EQ(error.offset, 18u);
  EXPECT_EQ(error.message,
            R"(expected '"' to close the quoted-string opened at byte 13, found end of input at byte 18)");
}

TEST(ParseChallengesTest, RejectsLineFeedInsideQuotedString) {
  const ChallengeError error = parse_error("Bearer realm=\"a\nb\"");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 15u);
  EXPECT_EQ(error.message, R"(expected quoted-string text, '\' or '"' at byte 15, found '\x0a')");
}

TEST(ParseChallengesTest, RejectsDeleteInsideQuotedString) {
  const ChallengeError error = parse_error("Bearer realm=\"a\x7f\"");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 15u);
  EXPECT_EQ(error.message, R"(expected quoted-string text, '\' or '"' at byte 15, found '\x7f')");
}

TEST(ParseChallengesTest, RejectsControlByteInQuotedPair) {
  const ChallengeError error = parse_error("Bearer realm=\"a\\\x01\"");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 16u);
  EXPECT_EQ(error.message, R"(expected HTAB, SP, a visible character or obs-text at byte 16 after '\', found '\x01')");
}

TEST(ParseChallengesTest, RejectsNulAfterParameterName) {
  const ChallengeError error = parse_error(std::string_view("Bearer realm\0=\"x\"", 17));

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 12u);
  EXPECT_EQ(error.message, R"(expected '=' after parameter name "realm" at byte 12, found '\x00')");
}

TEST(ParseChallengesTest, RejectsControlByteBeforeScheme) {
  const ChallengeError error = parse_error("\x01" "Bearer");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, R"(expected an auth-scheme at byte 0, found '\x01')");
}

TEST(ParseChallengesTest, RejectsCarriageReturnAfterValue) {
  const ChallengeError error = parse_error("Bearer realm=\"R\"\r\n");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 16u);
  EXPECT_EQ(error.message, R"(expected ',' or end of input after the value of parameter "realm" at byte 16, found '\x0d')");
}

TEST(ParseChallengesTest, RejectsObsTextInTokenValue) {
  const ChallengeError error = parse_error("Bearer realm=caf\xc3\xa9");

  EXPECT_EQ(error.id, ChallengeErrorId::kInvalidCharacter);
  EXPECT_EQ(error.offset, 16u);
  EXPECT_EQ(error.message, R"(expected ',' or end of input after the value of parameter "realm" at byte 16, found '\xc3')");
}

TEST(ParseChallengesTest, RejectsUnquotedUrlRealmAtColon) {
  // ":" and "/" are not tchar, so the token value ends at "https" and the ':' cannot follow it.
  const ChallengeError error = parse_error("Bearer realm=https://a/t,service=s");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedComma);
  EXPECT_EQ(error.offset, 18u);
  EXPECT_EQ(error.message, R"(expected ',' or end of input after the value of parameter "realm" at byte 18, found ':')");
}

TEST(ParseChallengesTest, RejectsParametersSeparatedBySpaceOnly) {
  const ChallengeError error = parse_error(R"(Bearer realm="R" service="s")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedComma);
  EXPECT_EQ(error.offset, 17u);
  EXPECT_EQ(error.message, R"(expected ',' or end of input after the value of parameter "realm" at byte 17, found 's')");
}

TEST(ParseChallengesTest, RejectsQuoteDirectlyAfterScheme) {
  const ChallengeError error = parse_error(R"(Bearer"x")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedComma);
  EXPECT_EQ(error.offset, 6u);
  EXPECT_EQ(error.message, R"(expected ' ', ',' or end of input after auth-scheme "Bearer" at byte 6, found '"')");
}

TEST(ParseChallengesTest, RejectsQuotedStringInPlaceOfParameter) {
  const ChallengeError error = parse_error(R"(Bearer "x")");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedComma);
  EXPECT_EQ(error.offset, 7u);
  EXPECT_EQ(error.message,
            R"(expected a token68, a parameter name, ',' or end of input after auth-scheme "Bearer" at byte 7, )"
            R"(found '"')");
}

TEST(ParseChallengesTest, RejectsDuplicateParameterIgnoringCase) {
  const ChallengeError error = parse_error(R"(Bearer realm="a",Realm="b")");

  EXPECT_EQ(error.id, ChallengeErrorId::kDuplicateParameter);
  EXPECT_EQ(error.offset, 17u);
  EXPECT_EQ(error.message,
            R"(expected each parameter name at most once in challenge "Bearer", found "Realm" at byte 17 )"
            R"(after "realm" at byte 7)");
}

TEST(ParseChallengesTest, RejectsDuplicateParameterAfterOthers) {
  const ChallengeError error = parse_error(R"(Basic realm="x", Bearer realm="a",service="s",scope="p",service="t")");

  EXPECT_EQ(error.id, ChallengeErrorId::kDuplicateParameter);
  EXPECT_EQ(error.offset, 56u);
  EXPECT_EQ(error.message,
            R"(expected each parameter name at most once in challenge "Bearer", found "service" at byte 56 )"
            R"(after "service" at byte 34)");
}

TEST(ParseChallengesTest, RejectsDuplicateAmongManyParameters) {
  // More names than the parser stores inline, so the earlier offset comes from its overflow.
  std::string field = "Bearer p0=v";
  for (int i = 1; i < 20; ++i) field += ",p" + std::to_string(i) + "=v";
  const std::size_t earlier = field.find("p18=");
  const std::size_t duplicate = field.size() + 1;
  field += ",P18=w";

  const ChallengeError error = parse_error(field);

  EXPECT_EQ(error.id, ChallengeErrorId::kDuplicateParameter);
  EXPECT_EQ(error.offset, duplicate);
  EXPECT_EQ(error.message, "expected each parameter name at most once in challenge \"Bearer\", found \"P18\" at byte " +
                               std::to_string(duplicate) + " after \"p18\" at byte " + std::to_string(earlier));
}

TEST(ParseChallengesTest, ReportsOffsetsIntoJoinedFieldLines) {
  // The lines join as `Bearer realm="R", Basic realm=/`, so the '/' is at byte 30.
  const ChallengeParse parse = parse_challenge_lines({R"(Bearer realm="R")", "Basic realm=/"});

  ASSERT_TRUE(parse.error.has_value());
  EXPECT_EQ(parse.error->id, ChallengeErrorId::kExpectedValue);
  EXPECT_EQ(parse.error->offset, 30u);
  EXPECT_EQ(parse.error->message,
            R"(expected a token or quoted-string as the value of parameter "realm" at byte 30, found '/')");
}

TEST(ParseChallengesTest, ShowsLongParameterNamesTruncated) {
  const std::string name(200, 'n');
  const ChallengeError error = parse_error("Bearer " + name + " x");

  EXPECT_EQ(error.id, ChallengeErrorId::kExpectedEquals);
  EXPECT_EQ(error.offset, 208u);
  EXPECT_EQ(error.message,
            "expected '=' after parameter name \"" + std::string(120, 'n') + "...\" at byte 208, found 'x'");
}

TEST(ParseChallengesTest, KeepsChallengesParsedBeforeError) {
  const ChallengeParse parse = parse_challenges(R"(Basic realm="x", Bearer realm=/)");

  ASSERT_TRUE(parse.error.has_value());
  ASSERT_EQ(parse.challenges.size(), 2u);
  EXPECT_EQ(parse.challenges[0].scheme, "Basic");
}

// ---------------------------------------------------------------------------------------------
// Error ids

TEST(ChallengeErrorTest, NamesEveryIdInKebabCase) {
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kEmptyField), "empty-field");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kExpectedScheme), "expected-scheme");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kExpectedEquals), "expected-equals");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kExpectedValue), "expected-value");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kUnterminatedQuotedString), "unterminated-quoted-string");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kInvalidCharacter), "invalid-character");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kExpectedComma), "expected-comma");
  EXPECT_EQ(challenge_error_id_name(ChallengeErrorId::kDuplicateParameter), "duplicate-parameter");
  EXPECT_EQ(challenge_error_id_name(static_cast<ChallengeErrorId>(0)), "unknown");
}

TEST(ChallengeErrorTest, KeepsNumericIdsStable) {
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kEmptyField), 1);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kExpectedScheme), 2);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kExpectedEquals), 3);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kExpectedValue), 4);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kUnterminatedQuotedString), 5);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kInvalidCharacter), 6);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kExpectedComma), 7);
  EXPECT_EQ(static_cast<int>(ChallengeErrorId::kDuplicateParameter), 8);
}

TEST(ChallengeErrorTest, IdNameMatchesFreeFunction) {
  const ChallengeError error = parse_error(R"(Bearer realm="abc)");

  EXPECT_EQ(error.id_name(), "unterminated-quoted-string");
}

// ---------------------------------------------------------------------------------------------
// Serialization

TEST(SerializeChallengesTest, WritesQuotedAndTokenValues) {
  const auto challenges = parse_ok(R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");

  EXPECT_EQ(serialize_challenges(challenges),
            R"(Newauth realm="apps",type=1,title="Login to \"apps\"", Basic realm="simple")");
}

TEST(SerializeChallengesTest, WritesToken68AndBareSchemes) {
  const auto challenges = parse_ok(R"(Negotiate  abc== ,NTLM, Basic realm=r)");

  EXPECT_EQ(serialize_challenges(challenges), "Negotiate abc==, NTLM, Basic realm=r");
}

TEST(SerializeChallengesTest, EscapesQuoteAndBackslashOnly) {
  Challenge challenge;
  challenge.scheme = "Basic";
  challenge.params.push_back(quoted("realm", "a\"b\\c d\te\xe9"));

  EXPECT_EQ(serialize_challenges({challenge}), "Basic realm=\"a\\\"b\\\\c d\te\xe9\"");
}

TEST(SerializeChallengesTest, QuotesNonTokenValueMarkedUnquoted) {
  Challenge challenge;
  challenge.scheme = "Bearer";
  challenge.params.push_back(unquoted("realm", "https://auth.example/token"));
  challenge.params.push_back(unquoted("scope", ""));

  const std::string field = serialize_challenges({challenge});
  EXPECT_EQ(field, R"(Bearer realm="https://auth.example/token",scope="")");

  // The documented difference: the values read back as quoted.
  const auto reparsed = parse_ok(field);
  ASSERT_EQ(reparsed.size(), 1u);
  EXPECT_THAT(reparsed[0].params, ElementsAre(quoted("realm", "https://auth.example/token"), quoted("scope", "")));
}

TEST(SerializeChallengesTest, ReturnsEmptyTextForNoChallenges) { EXPECT_EQ(serialize_challenges({}), ""); }

TEST(SerializeChallengesTest, RoundTripsEveryAcceptedForm) {
  const std::vector<std::string> fields = {
      R"(Bearer realm="https://auth.example/token",service="registry.example")",
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:ns/app:pull,push")",
      R"(bearer realm="R",service="s")",
      R"(BEARER REALM="R",SERVICE="s")",
      "Bearer realm=R,service=s",
      R"(Bearer realm = "R" , service = "s")",
      R"(Bearer realm="R",service="reg\istry")",
      R"(Bearer realm="",service="s")",
      R"(Basic realm="x", Bearer realm="R",service="s")",
      "Negotiate",
      "Negotiate, Basic realm=\"r\"",
      "Bearer abc123==",
      "Bearer realm=",
      "Bearer realm",
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")",
      "Bearer realm='x'",
      R"(Bearer realm="R",scope="repository:a:pull repository:b:pull,push")",
      R"( , ,Bearer realm="R",, ,service="s", ,)",
      "Bearer\trealm=\t\"R\"\t,\tservice=s\t",
      "Basic realm=\"a\\\tb\\ c\\\xe9\"",
      "Basic realm=\"caf\xc3\xa9\"",
      R"(Basic realm="a\"b\\c")",
      R"(Negotiate abc==, Basic realm="r")",
      R"(Basic realm="r", Negotiate abc=)",
      R"(Bearer , realm="R")",
      R"(Negotiate, Basic realm="r", NTLM , Bearer)",
      R"(Bearer realm="x",error="insufficient_scope",scope="repository:ns/app:pull")",
      "A b=c, D e=\"f\", G h, I",
  };

  for (const std::string& field : fields) {
    SCOPED_TRACE("field: " + field);
    const ChallengeParse parse = parse_challenges(field);
    ASSERT_TRUE(parse.ok()) << parse.error->message;

    const std::string serialized = serialize_challenges(parse.challenges);
    const ChallengeParse reparsed = parse_challenges(serialized);
    ASSERT_TRUE(reparsed.ok()) << "serialized: " << serialized << "\nerror: " << reparsed.error->message;
    EXPECT_EQ(reparsed.challenges, parse.challenges) << "serialized: " << serialized;
    EXPECT_EQ(serialize_challenges(reparsed.challenges), serialized);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

TEST(IequalsTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Bearer", "bEARER"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Bearer", "Bearer "));
  EXPECT_FALSE(iequals("Basic", "Bearer"));
}

TEST(IequalsTest, LeavesNonAsciiBytesCaseSensitive) {
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));
  EXPECT_TRUE(iequals("\xc3\xa9", "\xc3\xa9"));
}

TEST(VisibleTest, KeepsPrintableAscii) { EXPECT_EQ(visible("realm=\"x\" ~"), "realm=\"x\" ~"); }

TEST(VisibleTest, EscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(visible(std::string_view("\x00\t\r\n\x7f\xff", 6)), R"(\x00\x09\x0d\x0a\x7f\xff)");
}

TEST(VisibleTest, DoublesBackslash) { EXPECT_EQ(visible(R"(a\x00)"), R"(a\\x00)"); }

TEST(VisibleTest, TruncatesAtMaximumLength) {
  EXPECT_EQ(visible("abcdef", 3), "abc...");
  EXPECT_EQ(visible("abc", 3), "abc");
}

// ---------------------------------------------------------------------------------------------
// JSON view

TEST(ChallengesToJsonTest, ConvertsChallenges) {
  const nlohmann::json json = challenges_to_json(parse_challenges(R"(Bearer realm="R",service=s, Negotiate abc==)"));

  const nlohmann::json expected = nlohmann::json::parse(R"({"challenges":[
      {"scheme":"Bearer","params":[{"name":"realm","value":"R","quoted":true},
                                   {"name":"service","value":"s","quoted":false}]},
      {"scheme":"Negotiate","token68":"abc==","params":[]}]})");
  EXPECT_EQ(json, expected);
}

TEST(ChallengesToJsonTest, ConvertsError) {
  const nlohmann::json json = challenges_to_json(parse_challenges(R"(Bearer realm="abc)"));

  const nlohmann::json expected = {
      {"error",
       {{"id", "unterminated-quoted-string"},
        {"code", 5},
        {"offset", 17},
        {"message", R"(expected '"' to close the quoted-string opened at byte 13, found end of input at byte 17)"}}}};
  EXPECT_EQ(json, expected);
}

}  // namespace
}  // namespace loginspec::protocol
