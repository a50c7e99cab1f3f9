// Properties that the protocol parsers must hold for any input, shared by the fuzz targets and the regression tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loginspec::fuzz {

// Each check returns a description of the first violated property, or nullopt when all hold.
// A crash or sanitizer report inside a check is a failure too.

// WWW-Authenticate: a successful parse serializes to a field that parses back to equal
// challenges. A failed parse has an offset inside the input, a known id and a message. The
// input split at '\n' and parsed as field lines obeys the same rules.
std::optional<std::string> check_challenge_properties(std::string_view input);

// Basic: base64 encode and decode are inverse in both directions (decoding is strict, so
// every accepted text is the canonical encoding). Credentials built from the input survive
// basic_authorization() and parse_basic_authorization(). Parsing the input as an
// Authorization value either succeeds and re-encodes to the same credentials or fails with an
// offset inside the input.
std::optional<std::string> check_basic_properties(std::string_view input);

// Token responses: a failure has an offset inside the body. A success has a non-empty
// effective token and a lifetime of at least 60 seconds.
std::optional<std::string> check_token_response_properties(std::string_view input);

}  // namespace loginspec::fuzz
