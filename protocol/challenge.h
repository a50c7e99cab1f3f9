// WWW-Authenticate parsing and serialisation (RFC 9110 §11, RFC 6750 §3).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loginspec::protocol {

struct AuthParam {
  std::string name;   // as sent; compare with iequals()
  std::string value;  // unescaped (quoted-pair "\X" already turned into "X")
  bool quoted = false;
  bool operator==(const AuthParam&) const = default;
};

struct Challenge {
  std::string scheme;                  // as sent; compare with iequals()
  std::optional<std::string> token68;  // set for "Scheme token68" challenges
  std::vector<AuthParam> params;       // in order of appearance

  // Returns the value of the first parameter named `name` (case-insensitive), if any.
  const std::string* param(std::string_view name) const;
  bool is(std::string_view scheme_name) const;  // case-insensitive scheme match
  bool operator==(const Challenge&) const = default;
};

// Stable error ids: tests, fuzzers and reports key on these, so never renumber them.
enum class ChallengeErrorId {
  kEmptyField = 1,            // no challenge at all (only whitespace and commas)
  kExpectedScheme,            // an element does not start with a token
  kExpectedEquals,            // parameter name not followed by "="
  kExpectedValue,             // "=" not followed by a token or quoted-string
  kUnterminatedQuotedString,  // missing closing DQUOTE
  kInvalidCharacter,          // a control byte other than HTAB, DEL, or obs-text outside a quoted-string
  kExpectedComma,             // something other than "," or the end where an element must end
                              // (after a parameter value, or after an auth-scheme and its spaces)
  kDuplicateParameter,        // same parameter name twice in one challenge (RFC 9110 §11.2)
};

struct ChallengeError {
  ChallengeErrorId id;
  std::size_t offset = 0;  // byte offset into the parsed field value (or the joined lines)
  std::string message;     // full sentence: what was expected, what was found, where

  std::string_view id_name() const;  // e.g. "unterminated-quoted-string"
};

// Kebab-case name of an error id, e.g. "unterminated-quoted-string"; "unknown" for other values.
std::string_view challenge_error_id_name(ChallengeErrorId id);

struct ChallengeParse {
  std::vector<Challenge> challenges;
  std::optional<ChallengeError> error;
  bool ok() const { return !error.has_value(); }
};

// Parses one WWW-Authenticate field value, which may hold several challenges.
ChallengeParse parse_challenges(std::string_view field_value);

// Parses every field line of a response as one list (RFC 9110 §5.3: lines combine with ", ").
// Offsets in errors refer to the lines joined with ", ".
ChallengeParse parse_challenge_lines(const std::vector<std::string>& field_lines);

// Serializes challenges as one field value: challenges joined with ", ", parameters with ",".
// A value is written as a token when `quoted` is false and the value is a non-empty token, else
// as a quoted-string with '"' and '\' escaped. For every successful parse P,
// parse_challenges(serialize_challenges(P.challenges)).challenges equals P.challenges.
// For challenges built by hand the same holds if schemes and names are tokens, names are unique
// per challenge, token68 is valid token68 syntax and not set together with params, and values
// contain no control bytes other than HTAB. The one difference is that `quoted` reads back as
// true where a non-token value had it false.
std::string serialize_challenges(const std::vector<Challenge>& challenges);

bool iequals(std::string_view a, std::string_view b);

// Renders bytes for an error message: printable ASCII as is, a backslash doubled so that the
// output stays unambiguous, every other byte as \xhh (lowercase hex). Input beyond max_length
// bytes is cut and marked with "...".
std::string visible(std::string_view bytes, std::size_t max_length = 120);

}  // namespace loginspec::protocol
