// Token endpoint response bodies (distribution token.md and oauth.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loginspec::protocol {

struct TokenResponse {
  std::optional<std::string> token;
  std::optional<std::string> access_token;
  std::optional<std::int64_t> expires_in;  // seconds as sent; nullopt when absent
  std::optional<std::string> issued_at;    // RFC 3339 text as sent
  std::optional<std::string> refresh_token;

  // The token a client should use: access_token when non-empty, else token.
  std::optional<std::string> effective_token() const;
  // expires_in with the spec default: 60 s when absent or below 60.
  std::int64_t effective_lifetime_seconds() const;
};

enum class TokenErrorId {
  kInvalidJson = 1,      // body is not one JSON value (trailing bytes count as invalid)
  kNotAnObject,          // top-level value is not an object
  kNoToken,              // neither "token" nor "access_token" is a non-empty string
  kWrongType,            // a known field has the wrong JSON type (e.g. "expires_in": "300")
  kInvalidIssuedAt,      // issued_at is not an RFC 3339 date-time
};

struct TokenError {
  TokenErrorId id;
  std::size_t offset = 0;  // byte offset into the body
  std::string field;       // JSON field involved, empty when none
  std::string message;
};

struct TokenParse {
  std::optional<TokenResponse> response;
  std::optional<TokenError> error;
};

TokenParse parse_token_response(std::string_view body);

// True when text is an RFC 3339 date-time (e.g. "2026-12-04T19:41:47Z", offsets and fractions allowed).
bool is_rfc3339(std::string_view text);

}  // namespace loginspec::protocol
