// Token endpoint response bodies: JSON parsing, field type checks and RFC 3339 timestamps.
#include "protocol/token_response.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/challenge.h"

namespace loginspec::protocol {
namespace {

using nlohmann::json;

// The spec default for a missing or short expires_in (distribution token.md): 60 seconds.
constexpr std::int64_t kMinimumLifetimeSeconds = 60;

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_json_whitespace(std::string_view body, std::size_t pos) {
  while (pos < body.size() && is_json_whitespace(body[pos])) ++pos;
  return pos;
}

// nlohmann::json skips a UTF-8 byte order mark before the value, so the offset scanners do too.
std::size_t first_value_offset(std::string_view body) {
  std::size_t pos = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  return skip_json_whitespace(body, pos);
}

std::size_t end_of_json_string(std::string_view body, std::size_t open) {
  std::size_t pos = open + 1;
  while (pos < body.size() && body[pos] != '"') pos += body[pos] == '\\' ? 2 : 1;
  return std::min(pos + 1, body.size());
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 §6: number = [ minus ] int [ frac ] [ exp ], with no leading zeros in int.
std::size_t end_of_json_number(std::string_view body, std::size_t pos) {
  if (pos < body.size() && body[pos] == '-') ++pos;
  if (pos < body.size() && body[pos] == '0') {
    ++pos;
  } else {
    while (pos < body.size() && is_digit(body[pos])) ++pos;
  }
  if (pos + 1 < body.size() && body[pos] == '.' && is_digit(body[pos + 1])) {
    pos += 2;
    while (pos < body.size() && is_digit(body[pos])) ++pos;
  }
  if (pos < body.size() && (body[pos] == 'e' || body[pos] == 'E')) {
    std::size_t exponent = pos + 1;
    if (exponent < body.size() && (body[exponent] == '+' || body[exponent] == '-')) ++exponent;
    if (exponent < body.size() && is_digit(body[exponent])) {
      pos = exponent;
      while (pos < body.size() && is_digit(body[pos])) ++pos;
    }
  }
  return pos;
}

// Returns the end of the JSON value that starts at `pos`. The caller guarantees that a valid
// value starts there (nlohmann::json accepted it), so only the structure needs tracking.
std::size_t end_of_json_value(std::string_view body, std::size_t pos) {
  if (pos >= body.size()) return pos;
  switch (body[pos]) {
    case '"':
      return end_of_json_string(body, pos);
    case 't':
    case 'n':
      return std::min(pos + 4, body.size());
    case 'f':
      return std::min(pos + 5, body.size());
    case '{':
    case '[': {
      std::size_t depth = 0;
      while (pos < body.size()) {
        const char c = body[pos];
        if (c == '"') {
          pos = end_of_json_string(body, pos);
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') {
          --depth;
          if (depth == 0) return pos + 1;
        }
        ++pos;
      }
      return pos;
    }
    default:
      return end_of_json_number(body, pos);
  }
}

// Offsets of the values of the members that this parser reads. Only the last occurrence of a
// repeated name is kept, because nlohmann::json keeps the last value too.
struct MemberOffsets {
  std::array<std::size_t, 5> value_offsets{};
  std::array<bool, 5> found{};
};

constexpr std::array<std::string_view, 5> kMemberNames = {"token", "access_token", "expires_in", "issued_at",
                                                          "refresh_token"};

// Walks the members of the top-level object and records where each known member's value starts.
// Only called after nlohmann::json has accepted the body as an object.
MemberOffsets find_member_offsets(std::string_view body) {
  MemberOffsets offsets;
  std::size_t pos = first_value_offset(body) + 1;
  while (true) {
    pos = skip_json_whitespace(body, pos);
    if (pos >= body.size() || body[pos] != '"') break;
    const std::size_t key_end = end_of_json_string(body, pos);
    std::string_view raw_key = body.substr(pos, key_end - pos);
    // Keys with escapes such as "\u0074oken" are rare, so only they go through nlohmann's decoder.
    std::string decoded_key;
    if (raw_key.find('\\') != std::string_view::npos) {
      decoded_key = json::parse(raw_key).get<std::string>();
    } else {
      decoded_key.assign(raw_key.substr(1, raw_key.size() - 2));
    }

    pos = skip_json_whitespace(body, key_end);
    pos = skip_json_whitespace(body, pos + 1);  // the ':' between name and value
    for (std::size_t i = 0; i < kMemberNames.size(); ++i) {
      if (decoded_key == kMemberNames[i]) {
        offsets.value_offsets[i] = pos;
        offsets.found[i] = true;
      }
    }
    pos = skip_json_whitespace(body, end_of_json_value(body, pos));
    if (pos >= body.size() || body[pos] != ',') break;
    ++pos;
  }
  return offsets;
}

std::size_t member_offset(std::string_view body, std::string_view name) {
  const MemberOffsets offsets = find_member_offsets(body);
  for (std::size_t i = 0; i < kMemberNames.size(); ++i) {
    if (kMemberNames[i] == name && offsets.found[i]) return offsets.value_offsets[i];
  }
  return first_value_offset(body);
}

// SAX handler that accepts every value and records the first error, for locating errors that
// nlohmann's DOM parser reports without a position.
struct ErrorRecordingSax {
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool key(json::string_t&) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception&) {
    error_position = position;
    last_token = token;
    return false;
  }

  std::size_t error_position = 0;  // bytes read when the error was found
  std::string last_token;
};

std::string describe_type(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_float:
      return "a floating-point number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::null:
      return "null";
    default:
      return "a binary value";
  }
}

TokenParse token_failure(TokenErrorId id, std::size_t offset, std::string field, std::string message) {
  return TokenParse{std::nullopt, TokenError{id, offset, std::move(field), std::move(message)}};
}

// Turns nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 5: syntax
// error ...; last read: '...'" into the part after the position. The "last read" part is cut
// because it repeats body bytes, which may be part of a token.
std::string describe_syntax_error(const json::parse_error& error) {
  std::string text = error.what();
  const std::size_t column = text.find("column ");
  if (column != std::string::npos) {
    const std::size_t colon = text.find(": ", column);
    if (colon != std::string::npos) text.erase(0, colon + 2);
  }
  const std::size_t last_read = text.find("; last read: '");
  if (last_read != std::string::npos) {
    const std::size_t quote_end = text.find("'", last_read + 14);
    text.erase(last_read, quote_end == std::string::npos ? std::string::npos : quote_end + 1 - last_read);
  }
  return text;
}

// Reports bytes after a complete JSON value, at the first byte that is not whitespace.
TokenParse trailing_data_error(std::string_view body) {
  const std::size_t offset = skip_json_whitespace(body, end_of_json_value(body, first_value_offset(body)));
  const std::string found = offset < body.size() ? "'" + visible(body.substr(offset, 1)) + "'" : "end of input";
  return token_failure(TokenErrorId::kInvalidJson, offset, "",
                       "expected end of input after the JSON value at byte " + std::to_string(offset) + ", found " +
                           found);
}

TokenParse invalid_json(std::string_view body, const json::parse_error& error) {
  // A body that starts with a complete value and then has more bytes is reported at the first
  // extra byte. nlohmann's own position points past the next token instead.
  ErrorRecordingSax sax;
  if (json::sax_parse(body, &sax, json::input_format_t::json, /*strict=*/false)) return trailing_data_error(body);

  // parse_error::byte is the 1-based position of the last byte read, and size + 1 at the end.
  const std::size_t offset = std::min(error.byte == 0 ? 0 : error.byte - 1, body.size());
  std::string reason = describe_syntax_error(error);
  // nlohmann::json treats a NUL byte as the end of input and reports "unexpected end of input"
  // for it, so the message names the NUL byte instead.
  const std::string_view kEndOfInput = "unexpected end of input";
  const std::size_t end_of_input = reason.find(kEndOfInput);
  if (offset < body.size() && body[offset] == '\0' && end_of_input != std::string::npos) {
    reason.replace(end_of_input, kEndOfInput.size(), "unexpected '\\x00'");
  }
  return token_failure(TokenErrorId::kInvalidJson, offset, "",
                       "invalid JSON at byte " + std::to_string(offset) + ": " + reason);
}

// RFC 8259 §9 lets a parser limit the range of numbers. nlohmann::json rejects a number that
// does not fit a double (such as 1e999) with out_of_range and no position, so the SAX pass
// finds it: the error position is the end of the number token.
TokenParse number_out_of_range(std::string_view body) {
  ErrorRecordingSax sax;
  json::sax_parse(body, &sax, json::input_format_t::json, /*strict=*/true);
  const std::size_t end = std::min(sax.error_position, body.size());
  const std::size_t offset = end - std::min(sax.last_token.size(), end);
  return token_failure(TokenErrorId::kInvalidJson, offset, "",
                       "expected a number within the range of a 64-bit double at byte " + std::to_string(offset) +
                           ", found " + visible(sax.last_token, 40));
}

// Reads an optional string member. JSON null counts as absent, as in Go's encoding/json (used
// by docker, containerd and the other Go clients), which leaves a field unset for null.
std::optional<TokenParse> read_string(const json& object, std::string_view body, const char* name,
                                      std::optional<std::string>& out) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    const std::size_t offset = member_offset(body, name);
    return token_failure(TokenErrorId::kWrongType, offset, name,
                         "expected field \"" + std::string(name) + "\" to be a string at byte " +
                             std::to_string(offset) + ", found " + describe_type(*it));
  }
  out = it->get<std::string>();
  return std::nullopt;
}

std::optional<TokenParse> read_expires_in(const json& object, std::string_view body, TokenResponse& response) {
  const auto it = object.find("expires_in");
  if (it == object.end() || it->is_null()) return std::nullopt;

  // distribution token.md: expires_in is an integer number of seconds. Clients written in Go
  // fail to decode "300" or 300.5 into an int, so neither is accepted here. nlohmann::json
  // stores a non-negative integer as unsigned, so the range check covers that case only.
  if (it->is_number_unsigned()) {
    const auto seconds = it->get<std::uint64_t>();
    if (seconds <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      response.expires_in = static_cast<std::int64_t>(seconds);
      return std::nullopt;
    }
  } else if (it->is_number_integer()) {
    response.expires_in = it->get<std::int64_t>();
    return std::nullopt;
  }

  const std::size_t offset = member_offset(body, "expires_in");
  std::string found = it->is_number_unsigned() ? "an integer above the signed 64-bit range" : describe_type(*it);
  if (it->is_primitive()) found += " (" + visible(it->dump(), 40) + ")";
  return token_failure(TokenErrorId::kWrongType, offset, "expires_in",
                       "expected field \"expires_in\" to be an integer number of seconds at byte " +
                           std::to_string(offset) + ", found " + found);
}

std::optional<TokenParse> read_issued_at(const json& object, std::string_view body, TokenResponse& response) {
  if (auto failure = read_string(object, body, "issued_at", response.issued_at)) return failure;
  if (!response.issued_at || is_rfc3339(*response.issued_at)) return std::nullopt;

  const std::size_t offset = member_offset(body, "issued_at");
  return token_failure(TokenErrorId::kInvalidIssuedAt, offset, "issued_at",
                       "expected field \"issued_at\" to be an RFC 3339 date-time such as \"2026-12-04T19:41:47Z\" "
                       "at byte " +
                           std::to_string(offset) + ", found \"" + visible(*response.issued_at, 60) + "\"");
}

std::string describe_token_field(const std::optional<std::string>& value) {
  return value ? "empty" : "absent";
}

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<std::string> TokenResponse::effective_token() const {
  if (access_token && !access_token->empty()) return access_token;
  if (token && !token->empty()) return token;
  return std::nullopt;
}

std::int64_t TokenResponse::effective_lifetime_seconds() const {
  if (!expires_in || *expires_in < kMinimumLifetimeSeconds) return kMinimumLifetimeSeconds;
  return *expires_in;
}

TokenParse parse_token_response(std::string_view body) {
  json document;
  try {
    document = json::parse(body);
  } catch (const json::parse_error& error) {
    return invalid_json(body, error);
  } catch (const json::out_of_range&) {
    return number_out_of_range(body);
  }

  // nlohmann::json 3.11.2 stops at a NUL byte as if the input ended there, so a body with a NUL
  // after a complete value parses. RFC 8259 allows no raw NUL anywhere in JSON text.
  if (body.find('\0') != std::string_view::npos) return trailing_data_error(body);

  if (!document.is_object()) {
    const std::size_t offset = first_value_offset(body);
    return token_failure(TokenErrorId::kNotAnObject, offset, "",
                         "expected a JSON object at byte " + std::to_string(offset) + ", found " +
                             describe_type(document));
  }

  TokenResponse response;
  if (auto failure = read_string(document, body, "token", response.token)) return std::move(*failure);
  if (auto failure = read_string(document, body, "access_token", response.access_token)) return std::move(*failure);
  if (auto failure = read_expires_in(document, body, response)) return std::move(*failure);
  if (auto failure = read_issued_at(document, body, response)) return std::move(*failure);
  if (auto failure = read_string(document, body, "refresh_token", response.refresh_token)) return std::move(*failure);

  // distribution token.md and oauth.md: a response carries the token in "token" or "access_token".
  if (!response.effective_token()) {
    const std::size_t offset = first_value_offset(body);
    return token_failure(TokenErrorId::kNoToken, offset, "",
                         "expected a non-empty string in \"token\" or \"access_token\", found \"token\" " +
                             describe_token_field(response.token) + " and \"access_token\" " +
                             describe_token_field(response.access_token));
  }
  return TokenParse{std::move(response), std::nullopt};
}

// RFC 3339 §5.6: date-time = full-date "T" full-time, full-time = partial-time time-offset,
// time-offset = "Z" / ("+" / "-") time-hour ":" time-minute. The §5.6 note allows lowercase
// "t" and "z". Seconds may be 60 for a leap second (§5.7).
bool is_rfc3339(std::string_view text) {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!parse_digits(text, 0, 4, year) || text.size() < 19) return false;
  if (text[4] != '-' || !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  if (text[10] != 'T' && text[10] != 't') return false;
  if (!parse_digits(text, 11, 2, hour) || text[13] != ':' || !parse_digits(text, 14, 2, minute) ||
      text[16] != ':' || !parse_digits(text, 17, 2, second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;

  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t fraction_start = ++pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos == fraction_start) return false;
  }

  if (pos == text.size()) return false;
  if (text[pos] == 'Z' || text[pos] == 'z') return pos + 1 == text.size();
  if (text[pos] != '+' && text[pos] != '-') return false;
  int offset_hour = 0;
  int offset_minute = 0;
  if (!parse_digits(text, pos + 1, 2, offset_hour) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
      !parse_digits(text, pos + 4, 2, offset_minute)) {
    return false;
  }
  return offset_hour <= 23 && offset_minute <= 59 && pos + 6 == text.size();
}

}  // namespace loginspec::protocol
