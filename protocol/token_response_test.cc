// Tests for token endpoint response parsing and RFC 3339 date-time checks.
#include "protocol/token_response.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace loginspec::protocol {
namespace {

TokenResponse parse_ok(std::string_view body) {
  TokenParse parse = parse_token_response(body);
  EXPECT_FALSE(parse.error.has_value()) << "body: " << body << "\nerror: " << parse.error->message;
  return parse.response.value_or(TokenResponse{});
}

TokenError parse_error(std::string_view body) {
  TokenParse parse = parse_token_response(body);
  EXPECT_FALSE(parse.response.has_value()) << "body: " << body;
  return parse.error.value_or(TokenError{});
}

TEST(ParseTokenResponseTest, ReadsEveryField) {
  const TokenResponse response = parse_ok(
      R"({"token":"T","access_token":"A","expires_in":300,"issued_at":"2026-12-04T19:41:47Z","refresh_token":"R"})");

  EXPECT_EQ(response.token, "T");
  EXPECT_EQ(response.access_token, "A");
  EXPECT_EQ(response.expires_in, 300);
  EXPECT_EQ(response.issued_at, "2026-12-04T19:41:47Z");
  EXPECT_EQ(response.refresh_token, "R");
}

TEST(ParseTokenResponseTest, AcceptsTokenOnly) {
  const TokenResponse response = parse_ok(R"({"token":"T"})");

  EXPECT_EQ(response.token, "T");
  EXPECT_FALSE(response.access_token.has_value());
  EXPECT_FALSE(response.expires_in.has_value());
  EXPECT_FALSE(response.issued_at.has_value());
  EXPECT_FALSE(response.refresh_token.has_value());
  EXPECT_EQ(response.effective_token(), "T");
}

TEST(ParseTokenResponseTest, AcceptsAccessTokenOnly) {
  const TokenResponse response = parse_ok(R"({"access_token":"A"})");

  EXPECT_FALSE(response.token.has_value());
  EXPECT_EQ(response.effective_token(), "A");
}

TEST(ParseTokenResponseTest, IgnoresUnknownFieldsAndWhitespace) {
  const TokenResponse response = parse_ok("\n {\"scope\":[\"a\"],\n\t\"token\" : \"T\", \"extra\":{\"x\":1}}\r\n ");

  EXPECT_EQ(response.token, "T");
}

TEST(ParseTokenResponseTest, TreatsNullAsAbsent) {
  const TokenResponse response =
      parse_ok(R"({"token":"T","access_token":null,"expires_in":null,"issued_at":null,"refresh_token":null})");

  EXPECT_FALSE(response.access_token.has_value());
  EXPECT_FALSE(response.expires_in.has_value());
  EXPECT_FALSE(response.issued_at.has_value());
  EXPECT_FALSE(response.refresh_token.has_value());
}

TEST(ParseTokenResponseTest, KeepsLastValueOfRepeatedField) {
  const TokenResponse response = parse_ok(R"({"token":"a","token":"b"})");

  EXPECT_EQ(response.token, "b");
}

TEST(ParseTokenResponseTest, SkipsUtf8ByteOrderMark) {
  const TokenResponse response = parse_ok("\xEF\xBB\xBF{\"token\":\"T\"}");

  EXPECT_EQ(response.token, "T");
}

TEST(ParseTokenResponseTest, KeepsNegativeExpiresIn) {
  const TokenResponse response = parse_ok(R"({"token":"T","expires_in":-5})");

  EXPECT_EQ(response.expires_in, -5);
  EXPECT_EQ(response.effective_lifetime_seconds(), 60);
}

TEST(ParseTokenResponseTest, AcceptsLargestSignedExpiresIn) {
  const TokenResponse response = parse_ok(R"({"token":"T","expires_in":9223372036854775807})");

  EXPECT_EQ(response.expires_in, 9223372036854775807);
}

TEST(ParseTokenResponseTest, RejectsExpiresInAsString) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":"300"})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "expires_in");
  EXPECT_EQ(error.offset, 26u);
  EXPECT_EQ(error.message,
            R"(expected field "expires_in" to be an integer number of seconds at byte 26, found a string ("300"))");
}

TEST(ParseTokenResponseTest, RejectsExpiresInAsFloat) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":300.5})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "expires_in");
  EXPECT_EQ(error.offset, 26u);
  EXPECT_EQ(error.message,
            "expected field \"expires_in\" to be an integer number of seconds at byte 26, found a floating-point "
            "number (300.5)");
}

TEST(ParseTokenResponseTest, RejectsExpiresInWithFractionZero) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":300.0})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "expires_in");
}

TEST(ParseTokenResponseTest, RejectsExpiresInAsBoolean) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":true})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "expires_in");
  EXPECT_EQ(error.offset, 26u);
  EXPECT_EQ(error.message,
            "expected field \"expires_in\" to be an integer number of seconds at byte 26, found a boolean (true)");
}

TEST(ParseTokenResponseTest, RejectsExpiresInAsArray) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":[300]})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.message, "expected field \"expires_in\" to be an integer number of seconds at byte 26, found an array");
}

TEST(ParseTokenResponseTest, RejectsExpiresInAboveSignedRange) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":18446744073709551615})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "expires_in");
  EXPECT_EQ(error.message,
            "expected field \"expires_in\" to be an integer number of seconds at byte 26, found an integer above the "
            "signed 64-bit range (18446744073709551615)");
}

TEST(ParseTokenResponseTest, FindsFieldOffsetBehindEscapedName) {
  const TokenError error = parse_error(R"({"\u0065xpires_in":"300","token":"T"})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.offset, 19u);
}

TEST(ParseTokenResponseTest, FindsFieldOffsetAfterNestedValues) {
  const TokenError error = parse_error(R"({"a":{"b":[1,"}\""]}, "expires_in" : "1","token":"T"})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.offset, 37u);
}

TEST(ParseTokenResponseTest, RejectsTokenOfWrongType) {
  const TokenError error = parse_error(R"({"token":5})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "token");
  EXPECT_EQ(error.offset, 9u);
  EXPECT_EQ(error.message, R"(expected field "token" to be a string at byte 9, found an integer)");
}

TEST(ParseTokenResponseTest, RejectsAccessTokenOfWrongType) {
  const TokenError error = parse_error(R"({"token":"T","access_token":{"value":"A"}})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "access_token");
  EXPECT_EQ(error.offset, 28u);
  EXPECT_EQ(error.message, R"(expected field "access_token" to be a string at byte 28, found an object)");
}

TEST(ParseTokenResponseTest, RejectsRefreshTokenOfWrongType) {
  const TokenError error = parse_error(R"({"token":"T","refresh_token":false})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "refresh_token");
  EXPECT_EQ(error.offset, 29u);
  EXPECT_EQ(error.message, R"(expected field "refresh_token" to be a string at byte 29, found a boolean)");
}

TEST(ParseTokenResponseTest, RejectsIssuedAtAsNumber) {
  const TokenError error = parse_error(R"({"token":"T","issued_at":1700000000})");

  EXPECT_EQ(error.id, TokenErrorId::kWrongType);
  EXPECT_EQ(error.field, "issued_at");
  EXPECT_EQ(error.offset, 25u);
  EXPECT_EQ(error.message, R"(expected field "issued_at" to be a string at byte 25, found an integer)");
}

TEST(ParseTokenResponseTest, RejectsIssuedAtOutsideRfc3339) {
  const TokenError error = parse_error(R"({"token":"T","issued_at":"yesterday"})");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidIssuedAt);
  EXPECT_EQ(error.field, "issued_at");
  EXPECT_EQ(error.offset, 25u);
  EXPECT_EQ(error.message,
            R"(expected field "issued_at" to be an RFC 3339 date-time such as "2026-12-04T19:41:47Z" at byte 25, )"
            R"(found "yesterday")");
}

TEST(ParseTokenResponseTest, RejectsMissingToken) {
  const TokenError error = parse_error(R"({"expires_in":300})");

  EXPECT_EQ(error.id, TokenErrorId::kNoToken);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.message,
            R"(expected a non-empty string in "token" or "access_token", found "token" absent and "access_token" absent)");
}

TEST(ParseTokenResponseTest, RejectsBothTokensEmpty) {
  const TokenError error = parse_error(R"( {"token":"","access_token":""})");

  EXPECT_EQ(error.id, TokenErrorId::kNoToken);
  EXPECT_EQ(error.offset, 1u);
  EXPECT_EQ(error.message,
            R"(expected a non-empty string in "token" or "access_token", found "token" empty and "access_token" empty)");
}

TEST(ParseTokenResponseTest, RejectsArrayBody) {
  const TokenError error = parse_error(R"([{"token":"T"}])");

  EXPECT_EQ(error.id, TokenErrorId::kNotAnObject);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, "expected a JSON object at byte 0, found an array");
}

TEST(ParseTokenResponseTest, RejectsStringBodyAfterWhitespace) {
  const TokenError error = parse_error("  \"T\"");

  EXPECT_EQ(error.id, TokenErrorId::kNotAnObject);
  EXPECT_EQ(error.offset, 2u);
  EXPECT_EQ(error.message, "expected a JSON object at byte 2, found a string");
}

TEST(ParseTokenResponseTest, RejectsEmptyBody) {
  const TokenError error = parse_error("");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message,
            "invalid JSON at byte 0: syntax error while parsing value - unexpected end of input; expected '[', '{', or "
            "a literal");
}

TEST(ParseTokenResponseTest, RejectsMissingValue) {
  const TokenError error = parse_error(R"({"token": })");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 10u);
  EXPECT_EQ(error.message,
            "invalid JSON at byte 10: syntax error while parsing value - unexpected '}'; expected '[', '{', or a "
            "literal");
}

TEST(ParseTokenResponseTest, LeavesTokenTextOutOfMessage) {
  const TokenError error = parse_error(R"({"token":"secret-token-text)");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 27u);
  EXPECT_EQ(error.message,
            "invalid JSON at byte 27: syntax error while parsing value - invalid string: missing closing quote");
}

TEST(ParseTokenResponseTest, RejectsHtmlBody) {
  const TokenError error = parse_error("<html>401</html>");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 0u);
}

TEST(ParseTokenResponseTest, RejectsTrailingText) {
  const TokenError error = parse_error(R"({"token":"T"} x)");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 14u);
  EXPECT_EQ(error.message, "expected end of input after the JSON value at byte 14, found 'x'");
}

TEST(ParseTokenResponseTest, RejectsTrailingNumberAtItsFirstByte) {
  const TokenError error = parse_error(R"({"token":"T"} 123)");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 14u);
  EXPECT_EQ(error.message, "expected end of input after the JSON value at byte 14, found '1'");
}

TEST(ParseTokenResponseTest, RejectsSecondObject) {
  const TokenError error = parse_error("{\"token\":\"T\"}\n{\"token\":\"U\"}");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 14u);
}

TEST(ParseTokenResponseTest, RejectsTrailingNulByte) {
  const TokenError error = parse_error(std::string_view("{\"token\":\"T\"}\0", 14));

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 13u);
  EXPECT_EQ(error.message, R"(expected end of input after the JSON value at byte 13, found '\x00')");
}

TEST(ParseTokenResponseTest, RejectsNulByteInsideObject) {
  const TokenError error = parse_error(std::string_view("{\"token\":\"T\"\0}", 14));

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 12u);
  EXPECT_EQ(error.message,
            R"(invalid JSON at byte 12: syntax error while parsing object - unexpected '\x00'; expected '}')");
}

TEST(ParseTokenResponseTest, RejectsTextAfterTopLevelNumber) {
  const TokenError error = parse_error("1.5e+3-2");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 6u);
}

TEST(ParseTokenResponseTest, AcceptsTrailingWhitespace) {
  const TokenResponse response = parse_ok("{\"token\":\"T\"}\r\n\t ");

  EXPECT_EQ(response.token, "T");
}

TEST(ParseTokenResponseTest, RejectsNumberOutsideDoubleRange) {
  const TokenError error = parse_error(R"({"token":"T","expires_in":1e999})");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 26u);
  EXPECT_EQ(error.message, "expected a number within the range of a 64-bit double at byte 26, found 1e999");
}

TEST(ParseTokenResponseTest, RejectsHugeNegativeTopLevelNumber) {
  const TokenError error = parse_error("  -1e400 x");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 2u);
  EXPECT_EQ(error.message, "expected a number within the range of a 64-bit double at byte 2, found -1e400");
}

TEST(ParseTokenResponseTest, RejectsInvalidUtf8InString) {
  const TokenError error = parse_error("{\"token\":\"\xff\"}");

  EXPECT_EQ(error.id, TokenErrorId::kInvalidJson);
  EXPECT_EQ(error.offset, 10u);
}

TEST(TokenResponseTest, PrefersNonEmptyAccessToken) {
  TokenResponse response;
  response.token = "T";
  response.access_token = "A";
  EXPECT_EQ(response.effective_token(), "A");

  response.access_token = "";
  EXPECT_EQ(response.effective_token(), "T");

  response.access_token.reset();
  EXPECT_EQ(response.effective_token(), "T");

  response.token = "";
  EXPECT_EQ(response.effective_token(), std::nullopt);
}

TEST(TokenResponseTest, DefaultsLifetimeToSixtySeconds) {
  TokenResponse response;
  EXPECT_EQ(response.effective_lifetime_seconds(), 60);

  for (const std::int64_t seconds : {-1, 0, 1, 59}) {
    response.expires_in = seconds;
    EXPECT_EQ(response.effective_lifetime_seconds(), 60) << "expires_in: " << seconds;
  }

  response.expires_in = 60;
  EXPECT_EQ(response.effective_lifetime_seconds(), 60);
  response.expires_in = 3600;
  EXPECT_EQ(response.effective_lifetime_seconds(), 3600);
}

TEST(IsRfc3339Test, AcceptsDateTimes) {
  const std::vector<std::string> valid = {
      "2026-12-04T19:41:47Z",
      "2026-12-04t19:41:47z",
      "2026-12-04T19:41:47.123456789Z",
      "2026-12-04T19:41:47.1+01:00",
      "2026-12-04T19:41:47-08:30",
      "2024-02-29T00:00:00Z",
      "2000-02-29T00:00:00Z",
      "2016-12-31T23:59:60Z",
      "0000-01-01T00:00:00+23:59",
  };
  for (const std::string& text : valid) {
    EXPECT_TRUE(is_rfc3339(text)) << text;
  }
}

TEST(IsRfc3339Test, RejectsOtherText) {
  const std::vector<std::string> invalid = {
      "",
      "2026-12-04",
      "2026-12-04 19:41:47Z",
      "2026-12-04T19:41:47",
      "2026-12-04T19:41Z",
      "2026-13-04T19:41:47Z",
      "2026-00-04T19:41:47Z",
      "2026-12-00T19:41:47Z",
      "2026-04-31T19:41:47Z",
      "2025-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2026-12-04T24:00:00Z",
      "2026-12-04T19:60:00Z",
      "2026-12-04T19:41:61Z",
      "2026-12-04T19:41:47.Z",
      "2026-12-04T19:41:47+0100",
      "2026-12-04T19:41:47+01:00x",
      "2026-12-04T19:41:47+24:00",
      "2026-12-04T19:41:47ZZ",
      "1700000000",
      "26-12-04T19:41:47Z",
      "2026-1-04T19:41:47Z",
      "+2026-12-04T19:41:47Z",
  };
  for (const std::string& text : invalid) {
    EXPECT_FALSE(is_rfc3339(text)) << text;
  }
}

}  // namespace
}  // namespace loginspec::protocol
