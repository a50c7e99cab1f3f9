// Tests for Basic credentials (RFC 7617) and strict base64 (RFC 4648).
#include "protocol/basic.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace loginspec::protocol {
namespace {

BasicCredentials parse_ok(std::string_view header_value) {
  BasicParse parse = parse_basic_authorization(header_value);
  EXPECT_FALSE(parse.error.has_value()) << "value: " << header_value << "\nerror: " << parse.error->message;
  return parse.credentials.value_or(BasicCredentials{});
}

BasicError parse_error(std::string_view header_value) {
  BasicParse parse = parse_basic_authorization(header_value);
  EXPECT_FALSE(parse.credentials.has_value()) << "value: " << header_value;
  return parse.error.value_or(BasicError{});
}

TEST(ParseBasicAuthorizationTest, DecodesUserAndPassword) {
  const BasicCredentials credentials = parse_ok("Basic dXNlcjpwYXNz");

  EXPECT_EQ(credentials.username, "user");
  EXPECT_EQ(credentials.password, "pass");
}

TEST(ParseBasicAuthorizationTest, MatchesSchemeCaseInsensitively) {
  EXPECT_EQ(parse_ok("basic dXNlcjpwYXNz").username, "user");
  EXPECT_EQ(parse_ok("BASIC dXNlcjpwYXNz").username, "user");
}

TEST(ParseBasicAuthorizationTest, SplitsAtFirstColon) {
  // RFC 7617 §2: the user-id cannot contain ':', the password can.
  const BasicCredentials credentials = parse_ok("Basic dXNlcjpwYTpzcw==");

  EXPECT_EQ(credentials.username, "user");
  EXPECT_EQ(credentials.password, "pa:ss");
}

TEST(ParseBasicAuthorizationTest, AcceptsEmptyUserAndPassword) {
  const BasicCredentials credentials = parse_ok("Basic Og==");

  EXPECT_EQ(credentials.username, "");
  EXPECT_EQ(credentials.password, "");
}

TEST(ParseBasicAuthorizationTest, KeepsUtf8BytesAsSent) {
  const BasicCredentials credentials = parse_ok("Basic w6lsw6h2ZTptb3QgZGUgcGFzc2U=");

  EXPECT_EQ(credentials.username, "\xc3\xa9l\xc3\xa8ve");
  EXPECT_EQ(credentials.password, "mot de passe");
}

TEST(ParseBasicAuthorizationTest, IgnoresSurroundingWhitespaceAndExtraSpaces) {
  const BasicCredentials credentials = parse_ok(" \tBasic   dXNlcjpwYXNz \t");

  EXPECT_EQ(credentials.username, "user");
  EXPECT_EQ(credentials.password, "pass");
}

TEST(ParseBasicAuthorizationTest, RejectsOtherScheme) {
  const BasicError error = parse_error("Bearer abc");

  EXPECT_EQ(error.id, BasicErrorId::kNotBasic);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, R"(expected auth-scheme "Basic" at byte 0, found "Bearer")");
}

TEST(ParseBasicAuthorizationTest, RejectsSchemeWithBasicPrefix) {
  const BasicError error = parse_error("BasicdXNlcjpwYXNz");

  EXPECT_EQ(error.id, BasicErrorId::kNotBasic);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, R"(expected auth-scheme "Basic" at byte 0, found "BasicdXNlcjpwYXNz")");
}

TEST(ParseBasicAuthorizationTest, RejectsEmptyValue) {
  const BasicError error = parse_error("");

  EXPECT_EQ(error.id, BasicErrorId::kNotBasic);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_EQ(error.message, R"(expected auth-scheme "Basic" at byte 0, found end of input)");
}

TEST(ParseBasicAuthorizationTest, RejectsValueStartingWithNonToken) {
  const BasicError error = parse_error("  \"Basic\"");

  EXPECT_EQ(error.id, BasicErrorId::kNotBasic);
  EXPECT_EQ(error.offset, 2u);
  EXPECT_EQ(error.message, R"(expected auth-scheme "Basic" at byte 2, found '"')");
}

TEST(ParseBasicAuthorizationTest, RejectsSchemeWithoutCredentials) {
  const BasicError error = parse_error("Basic");

  EXPECT_EQ(error.id, BasicErrorId::kMissingToken);
  EXPECT_EQ(error.offset, 5u);
  EXPECT_EQ(error.message, R"(expected ' ' and base64 credentials after "Basic" at byte 5, found end of input)");
}

TEST(ParseBasicAuthorizationTest, RejectsSchemeFollowedOnlyBySpaces) {
  const BasicError error = parse_error("Basic   ");

  EXPECT_EQ(error.id, BasicErrorId::kMissingToken);
  EXPECT_EQ(error.offset, 5u);
}

TEST(ParseBasicAuthorizationTest, RejectsTabAfterScheme) {
  const BasicError error = parse_error("Basic\tdXNlcjpwYXNz");

  EXPECT_EQ(error.id, BasicErrorId::kMissingToken);
  EXPECT_EQ(error.offset, 5u);
  EXPECT_EQ(error.message, R"(expected ' ' after "Basic" at byte 5, found '\x09')");
}

TEST(ParseBasicAuthorizationTest, RejectsColonAfterScheme) {
  const BasicError error = parse_error("Basic:user:pass");

  EXPECT_EQ(error.id, BasicErrorId::kMissingToken);
  EXPECT_EQ(error.offset, 5u);
  EXPECT_EQ(error.message, R"(expected ' ' after "Basic" at byte 5, found ':')");
}

TEST(ParseBasicAuthorizationTest, RejectsCharacterOutsideAlphabet) {
  const BasicError error = parse_error("Basic dXNlcjpwYXNz!");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 18u);
  EXPECT_EQ(error.message, "expected a base64 character at byte 18, found '!'");
}

TEST(ParseBasicAuthorizationTest, RejectsUnencodedCredentials) {
  const BasicError error = parse_error("Basic user:pass");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 10u);
  EXPECT_EQ(error.message, "expected a base64 character at byte 10, found ':'");
}

TEST(ParseBasicAuthorizationTest, RejectsWhitespaceInsideBase64) {
  const BasicError error = parse_error("Basic dXNl cjpwYXNz");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 10u);
  EXPECT_EQ(error.message, "expected a base64 character at byte 10, found ' '");
}

TEST(ParseBasicAuthorizationTest, RejectsMissingPadding) {
  const BasicError error = parse_error("Basic dXNlcg");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 12u);
  EXPECT_EQ(error.message,
            "expected base64 text padded with '=' to a multiple of 4 characters, found 6 characters ending at byte 12");
}

TEST(ParseBasicAuthorizationTest, RejectsDataAfterPadding) {
  const BasicError error = parse_error("Basic dXNlcg=A");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 13u);
  EXPECT_EQ(error.message, "expected only '=' after the base64 padding that starts at byte 12, found 'A' at byte 13");
}

TEST(ParseBasicAuthorizationTest, RejectsThreePaddingCharacters) {
  const BasicError error = parse_error("Basic d===");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 7u);
  EXPECT_EQ(error.message, "expected at most two '=' at the end of base64 text, found 3 starting at byte 7");
}

TEST(ParseBasicAuthorizationTest, RejectsNonZeroPadBits) {
  // "YR==" differs from the canonical "YQ==" ("a") only in bits that the padding discards.
  const BasicError error = parse_error("Basic YR==");

  EXPECT_EQ(error.id, BasicErrorId::kInvalidBase64);
  EXPECT_EQ(error.offset, 7u);
  EXPECT_EQ(error.message, "expected the unused bits of the last base64 character at byte 7 to be zero, found non-zero bits");
}

TEST(ParseBasicAuthorizationTest, RejectsCredentialsWithoutColon) {
  const BasicError error = parse_error("Basic dXNlcg==");

  EXPECT_EQ(error.id, BasicErrorId::kMissingColon);
  EXPECT_EQ(error.offset, 6u);
  EXPECT_EQ(error.message,
            "expected ':' between user-id and password in the 4 decoded bytes of the credentials at byte 6, found none");
}

TEST(BasicAuthorizationTest, EncodesUserAndPassword) {
  EXPECT_EQ(basic_authorization({"user", "pass"}), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(basic_authorization({"", ""}), "Basic Og==");
}

TEST(BasicAuthorizationTest, RoundTripsThroughParser) {
  const std::vector<BasicCredentials> cases = {
      {"user", "pass"}, {"", ""}, {"user", "pa:ss:"}, {"\xc3\xa9l\xc3\xa8ve", "mot de passe"}, {"u", std::string(300, 'p')}};

  for (const BasicCredentials& credentials : cases) {
    SCOPED_TRACE("username: " + credentials.username);
    EXPECT_EQ(parse_ok(basic_authorization(credentials)), credentials);
  }
}

// RFC 4648 §10 test vectors.
const std::vector<std::pair<std::string, std::string>> kRfc4648Vectors = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Test, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648Vectors) {
    EXPECT_EQ(base64_encode(plain), encoded) << "plain: " << plain;
  }
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648Vectors) {
    EXPECT_EQ(base64_decode(encoded), plain) << "encoded: " << encoded;
  }
}

TEST(Base64Test, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));

  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    const std::string prefix = bytes.substr(0, length);
    EXPECT_EQ(base64_decode(base64_encode(prefix)), prefix) << "length: " << length;
  }
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(Base64Test, UsesPlusAndSlash) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
}

TEST(Base64Test, RejectsMalformedText) {
  const std::vector<std::string> malformed = {
      "Zg",        // padding missing
      "Zg=",       // padding short
      "Zm9vYmFy=", // length not a multiple of 4
      "Zm9v YmFy", // whitespace inside
      "Zm9vYmFy\n",
      "Zh==",      // non-zero pad bits
      "Zm9=",      // non-zero pad bits
      "Zg==Zg==",  // data after padding
      "====",
      "-_8=",      // base64url alphabet
  };

  for (const std::string& text : malformed) {
    EXPECT_EQ(base64_decode(text), std::nullopt) << "text: " << text;
  }
}

}  // namespace
}  // namespace loginspec::protocol
