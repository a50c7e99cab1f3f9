// WWW-Authenticate parser and serializer: RFC 9110 §11 challenges with §5.6 list, token and quoted-string rules.
#include "protocol/challenge.h"

#include <array>
#include <string>
#include <utility>

namespace loginspec::protocol {
namespace {

using ByteTable = std::array<bool, 256>;

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
constexpr ByteTable make_tchar_table() {
  ByteTable table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// RFC 9110 §11.2: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
constexpr ByteTable make_token68_table() {
  ByteTable table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (char c : std::string_view("-._~+/")) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
constexpr ByteTable make_qdtext_table() {
  ByteTable table{};
  table['\t'] = true;
  for (int c = 0x20; c <= 0x7e; ++c) table[c] = true;
  table['"'] = false;
  table['\\'] = false;
  for (int c = 0x80; c <= 0xff; ++c) table[c] = true;
  return table;
}

constexpr ByteTable kTcharTable = make_tchar_table();
constexpr ByteTable kToken68Table = make_token68_table();
constexpr ByteTable kQdtextTable = make_qdtext_table();

bool is_tchar(char c) { return kTcharTable[static_cast<unsigned char>(c)]; }
bool is_token68_char(char c) { return kToken68Table[static_cast<unsigned char>(c)]; }
bool is_qdtext(char c) { return kQdtextTable[static_cast<unsigned char>(c)]; }
bool is_whitespace(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 §5.6.4: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
bool is_quoted_pair_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
}

// Bytes that no rule of the challenge grammar allows outside a quoted-string: controls other
// than HTAB, DEL, and obs-text, which RFC 9110 §5.6 admits only in quoted-strings and comments.
bool is_invalid_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && byte != '\t') || byte >= 0x7f;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string quote_name(std::string_view name) { return "\"" + visible(name) + "\""; }

// Offsets of parameter names, stored inline up to kInlineCapacity so that typical fields parse
// without a heap allocation for them.
class NameOffsets {
 public:
  void clear() {
    size_ = 0;
    overflow_.clear();
  }

  void push_back(std::size_t offset) {
    if (size_ < kInlineCapacity) {
      inline_[size_] = offset;
    } else {
      overflow_.push_back(offset);
    }
    ++size_;
  }

  std::size_t operator[](std::size_t i) const { return i < kInlineCapacity ? inline_[i] : overflow_[i - kInlineCapacity]; }

 private:
  static constexpr std::size_t kInlineCapacity = 16;
  std::array<std::size_t, kInlineCapacity> inline_{};
  std::vector<std::size_t> overflow_;
  std::size_t size_ = 0;
};

// Single-pass parser over one field value. Every method that can fail returns false after
// storing the error, so run() stops at the first error.
class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view input) : input_(input) {}

  ChallengeParse run() {
    pos_ = skip_separators(0);
    while (pos_ < input_.size()) {
      if (!parse_element() || !finish_element()) {
        return ChallengeParse{std::move(challenges_), std::move(error_)};
      }
    }

    // RFC 9110 §15.5.2 requires a 401 to carry at least one challenge, and a field without one
    // gives a client nothing to act on.
    if (challenges_.empty()) {
      fail_expected(ChallengeErrorId::kEmptyField, input_.size(), "at least one challenge");
    }
    return ChallengeParse{std::move(challenges_), std::move(error_)};
  }

 private:
  std::size_t skip_whitespace(std::size_t pos) const {
    while (pos < input_.size() && is_whitespace(input_[pos])) ++pos;
    return pos;
  }

  // RFC 9110 §5.6.1: a recipient accepts empty list elements, so runs of commas and OWS are skipped.
  std::size_t skip_separators(std::size_t pos) const {
    while (pos < input_.size() && (is_whitespace(input_[pos]) || input_[pos] == ',')) ++pos;
    return pos;
  }

  std::size_t scan_token(std::size_t pos) const {
    while (pos < input_.size() && is_tchar(input_[pos])) ++pos;
    return pos;
  }

  // Returns the end of a token68 starting at `pos`, or `pos` when none starts there.
  std::size_t scan_token68(std::size_t pos) const {
    std::size_t end = pos;
    while (end < input_.size() && is_token68_char(input_[end])) ++end;
    if (end == pos) return pos;
    while (end < input_.size() && input_[end] == '=') ++end;
    return end;
  }

  bool at_element_end(std::size_t pos) const { return pos == input_.size() || input_[pos] == ','; }

  std::string describe_found(std::size_t pos) const {
    if (pos >= input_.size()) return "end of input";
    return "'" + visible(input_.substr(pos, 1)) + "'";
  }

  // Stores a syntax error whose message reads "expected <what> at byte N, found <byte>". A
  // control byte or obs-text at the error position turns the id into kInvalidCharacter.
  bool fail_expected(ChallengeErrorId id, std::size_t pos, std::string_view expected) {
    if (pos < input_.size() && is_invalid_byte(input_[pos])) id = ChallengeErrorId::kInvalidCharacter;
    std::string message = "expected ";
    message += expected;
    message += " at byte " + std::to_string(pos) + ", found " + describe_found(pos);
    return fail(id, pos, std::move(message));
  }

  bool fail(ChallengeErrorId id, std::size_t pos, std::string message) {
    error_ = ChallengeError{id, pos, std::move(message)};
    return false;
  }

  // Parameters attach to the latest challenge unless it carries a token68 (RFC 9110 §11.2
  // allows a token68 or auth-params, never both).
  bool last_challenge_takes_params() const { return !challenges_.empty() && !challenges_.back().token68; }

  // Parses one list element: either a new challenge or, after a comma, another auth-param of
  // the current challenge. `token BWS "="` starts an auth-param because no scheme is followed
  // by "=". Any other token starts a challenge.
  bool parse_element() {
    const std::size_t start = pos_;
    const std::size_t name_end = scan_token(start);
    if (name_end == start) {
      return fail_expected(ChallengeErrorId::kExpectedScheme, start,
                           last_challenge_takes_params() ? "an auth-scheme or parameter name" : "an auth-scheme");
    }

    const std::size_t after_name = skip_whitespace(name_end);
    if (after_name < input_.size() && input_[after_name] == '=') {
      if (last_challenge_takes_params()) return parse_param(start, name_end, after_name);
      return fail_param_without_challenge(start, name_end);
    }
    return parse_challenge(start, name_end);
  }

  bool fail_param_without_challenge(std::size_t start, std::size_t name_end) {
    std::string message = "expected an auth-scheme at byte " + std::to_string(start) + ", found parameter " +
                          quote_name(input_.substr(start, name_end - start));
    if (!challenges_.empty()) {
      message += " after challenge " + quote_name(challenges_.back().scheme) +
                 ", which has a token68 and so takes no parameters";
    }
    return fail(ChallengeErrorId::kExpectedScheme, start, std::move(message));
  }

  // challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]  (RFC 9110 §11.1, §11.3)
  bool parse_challenge(std::size_t start, std::size_t scheme_end) {
    Challenge& challenge = challenges_.emplace_back();
    challenge.scheme.assign(input_.substr(start, scheme_end - start));

    pos_ = scheme_end;
    if (at_element_end(pos_)) return true;

    // NOTE: RFC 9110 §11.3 requires 1*SP here. HTAB is accepted as well because the list rule
    // around it allows OWS, and rejecting a tab would only hide the rest of the field.
    if (!is_whitespace(input_[pos_])) {
      return fail_expected(ChallengeErrorId::kExpectedComma, pos_,
                           "' ', ',' or end of input after auth-scheme " + quote_name(challenge.scheme));
    }
    const std::size_t first = skip_whitespace(pos_);
    if (at_element_end(first)) {
      pos_ = first;
      return true;
    }

    // A token68 must fill the whole element, so "realm=x" is an auth-param even though
    // "realm=" alone would be a valid token68.
    const std::size_t token68_end = scan_token68(first);
    if (token68_end != first) {
      const std::size_t after = skip_whitespace(token68_end);
      if (at_element_end(after)) {
        challenge.token68.emplace(input_.substr(first, token68_end - first));
        pos_ = after;
        return true;
      }
    }

    const std::size_t name_end = scan_token(first);
    if (name_end == first) {
      return fail_expected(ChallengeErrorId::kExpectedComma, first,
                           "a token68, a parameter name, ',' or end of input after auth-scheme " +
                               quote_name(challenge.scheme));
    }
    const std::size_t after_name = skip_whitespace(name_end);
    if (after_name == input_.size() || input_[after_name] != '=') {
      return fail_expected(ChallengeErrorId::kExpectedEquals, after_name,
                           "'=' after parameter name " + quote_name(input_.substr(first, name_end - first)));
    }
    return parse_param(first, name_end, after_name);
  }

  // auth-param = token BWS "=" BWS ( token / quoted-string )  (RFC 9110 §11.2)
  bool parse_param(std::size_t name_start, std::size_t name_end, std::size_t equals_pos) {
    Challenge& challenge = challenges_.back();
    const std::string_view name = input_.substr(name_start, name_end - name_start);

    // RFC 9110 §11.2: each parameter name occurs only once per challenge.
    for (std::size_t i = 0; i < challenge.params.size(); ++i) {
      if (iequals(challenge.params[i].name, name)) {
        return fail(ChallengeErrorId::kDuplicateParameter, name_start,
                    "expected each parameter name at most once in challenge " + quote_name(challenge.scheme) +
                        ", found " + quote_name(name) + " at byte " + std::to_string(name_start) + " after " +
                        quote_name(challenge.params[i].name) + " at byte " + std::to_string(name_offsets_[i]));
      }
    }
    if (challenge.params.empty()) {
      name_offsets_.clear();
      // Most challenges carry a handful of parameters, so one allocation covers them.
      challenge.params.reserve(4);
    }

    const std::size_t value_start = skip_whitespace(equals_pos + 1);
    AuthParam param;
    param.name.assign(name);
    if (value_start < input_.size() && input_[value_start] == '"') {
      if (!parse_quoted_string(value_start, param.value)) return false;
      param.quoted = true;
    } else {
      const std::size_t value_end = scan_token(value_start);
      if (value_end == value_start) {
        return fail_expected(ChallengeErrorId::kExpectedValue, value_start,
                             "a token or quoted-string as the value of parameter " + quote_name(name));
      }
      param.value.assign(input_.substr(value_start, value_end - value_start));
      pos_ = value_end;
    }

    challenge.params.push_back(std::move(param));
    name_offsets_.push_back(name_start);
    return true;
  }

  // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE  (RFC 9110 §5.6.4). Runs of qdtext
  // are appended in one step, so a value without escapes costs one allocation at most.
  bool parse_quoted_string(std::size_t open, std::string& value) {
    std::size_t pos = open + 1;
    while (true) {
      const std::size_t run_start = pos;
      while (pos < input_.size() && is_qdtext(input_[pos])) ++pos;
      value.append(input_.data() + run_start, pos - run_start);

      if (pos == input_.size()) return fail_unterminated(open);
      const char c = input_[pos];
      if (c == '"') {
        pos_ = pos + 1;
        return true;
      }
      if (c != '\\') {
        return fail(ChallengeErrorId::kInvalidCharacter, pos,
                    "expected quoted-string text, '\\' or '\"' at byte " + std::to_string(pos) + ", found " +
                        describe_found(pos));
      }

      // RFC 9110 §5.6.4: a recipient reads "\X" as X for any allowed X, not only '"' and '\'.
      if (pos + 1 == input_.size()) return fail_unterminated(open);
      if (!is_quoted_pair_char(input_[pos + 1])) {
        return fail(ChallengeErrorId::kInvalidCharacter, pos + 1,
                    "expected HTAB, SP, a visible character or obs-text at byte " + std::to_string(pos + 1) +
                        " after '\\', found " + describe_found(pos + 1));
      }
      value.push_back(input_[pos + 1]);
      pos += 2;
    }
  }

  bool fail_unterminated(std::size_t open) {
    return fail(ChallengeErrorId::kUnterminatedQuotedString, input_.size(),
                "expected '\"' to close the quoted-string opened at byte " + std::to_string(open) + ", found end of input at byte " +
                    std::to_string(input_.size()));
  }

  // After an element: OWS, then a comma (with any empty elements after it) or the end of input.
  bool finish_element() {
    pos_ = skip_whitespace(pos_);
    if (pos_ == input_.size()) return true;
    if (input_[pos_] == ',') {
      pos_ = skip_separators(pos_);
      return true;
    }

    // Only an auth-param value can be followed by something else, because the token68 and
    // bare-scheme branches end an element only at a comma or the end of input.
    std::string expected = "',' or end of input";
    const Challenge& challenge = challenges_.back();
    if (!challenge.params.empty()) expected += " after the value of parameter " + quote_name(challenge.params.back().name);
    return fail_expected(ChallengeErrorId::kExpectedComma, pos_, expected);
  }

  std::string_view input_;
  std::size_t pos_ = 0;
  std::vector<Challenge> challenges_;
  std::optional<ChallengeError> error_;
  // Byte offsets of the parameter names of the latest challenge, for the duplicate message.
  NameOffsets name_offsets_;
};

void append_quoted_string(std::string& out, std::string_view value) {
  out.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

const std::string* Challenge::param(std::string_view name) const {
  for (const AuthParam& p : params) {
    if (iequals(p.name, name)) return &p.value;
  }
  return nullptr;
}

bool Challenge::is(std::string_view scheme_name) const { return iequals(scheme, scheme_name); }

std::string_view challenge_error_id_name(ChallengeErrorId id) {
  switch (id) {
    case ChallengeErrorId::kEmptyField:
      return "empty-field";
    case ChallengeErrorId::kExpectedScheme:
      return "expected-scheme";
    case ChallengeErrorId::kExpectedEquals:
      return "expected-equals";
    case ChallengeErrorId::kExpectedValue:
      return "expected-value";
    case ChallengeErrorId::kUnterminatedQuotedString:
      return "unterminated-quoted-string";
    case ChallengeErrorId::kInvalidCharacter:
      return "invalid-character";
    case ChallengeErrorId::kExpectedComma:
      return "expected-comma";
    case ChallengeErrorId::kDuplicateParameter:
      return "duplicate-parameter";
  }
  return "unknown";
}

std::string_view ChallengeError::id_name() const { return challenge_error_id_name(id); }

ChallengeParse parse_challenges(std::string_view field_value) { return ChallengeParser(field_value).run(); }

ChallengeParse parse_challenge_lines(const std::vector<std::string>& field_lines) {
  std::string joined;
  for (std::size_t i = 0; i < field_lines.size(); ++i) {
    if (i > 0) joined += ", ";
    joined += field_lines[i];
  }
  return parse_challenges(joined);
}

std::string serialize_challenges(const std::vector<Challenge>& challenges) {
  std::string out;
  for (std::size_t i = 0; i < challenges.size(); ++i) {
    const Challenge& challenge = challenges[i];
    if (i > 0) out += ", ";
    out += challenge.scheme;

    const char* separator = " ";
    if (challenge.token68) {
      out += ' ';
      out += *challenge.token68;
      separator = ", ";
    }
    for (const AuthParam& param : challenge.params) {
      out += separator;
      separator = ",";
      out += param.name;
      out += '=';
      if (!param.quoted && is_token(param.value)) {
        out += param.value;
      } else {
        append_quoted_string(out, param.value);
      }
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string visible(std::string_view bytes, std::size_t max_length) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const bool truncated = bytes.size() > max_length;
  if (truncated) bytes = bytes.substr(0, max_length);

  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHexDigits[byte >> 4]);
      out.push_back(kHexDigits[byte & 0x0f]);
    }
  }
  if (truncated) out += "...";
  return out;
}

}  // namespace loginspec::protocol
