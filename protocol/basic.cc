// HTTP Basic credentials (RFC 7617) over strict base64 (RFC 4648 §4).
#include "protocol/basic.h"

#include <array>
#include <cstdint>
#include <utility>

#include "protocol/challenge.h"

namespace loginspec::protocol {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps each byte to its 6-bit value, or -1 for bytes outside the RFC 4648 §4 alphabet.
constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kBase64Alphabet.size(); ++i) {
    table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kDecodeTable = make_decode_table();

struct Base64Failure {
  std::size_t offset = 0;  // into the base64 text
  std::string message;     // byte positions in it are shifted by `base`, see decode_base64_strict
};

std::string describe_byte(char c) { return "'" + visible(std::string_view(&c, 1)) + "'"; }

// Decodes `text` into `out`. Offsets in the returned failure are relative to `text`, and
// messages print them shifted by `base`, the position of `text` inside a larger value.
// RFC 4648 §3.3 lets a decoder reject bytes outside the alphabet, and §3.5 lets it reject
// non-zero pad bits. Both are rejected so that every accepted text has one encoding.
std::optional<Base64Failure> decode_base64_strict(std::string_view text, std::size_t base, std::string& out) {
  std::size_t padding_start = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (padding_start == text.size()) padding_start = i;
      continue;
    }
    if (kDecodeTable[static_cast<unsigned char>(c)] < 0) {
      return Base64Failure{i, "expected a base64 character at byte " + std::to_string(base + i) + ", found " +
                                  describe_byte(c)};
    }
    if (padding_start != text.size()) {
      return Base64Failure{i, "expected only '=' after the base64 padding that starts at byte " +
                                  std::to_string(base + padding_start) + ", found " + describe_byte(c) +
                                  " at byte " + std::to_string(base + i)};
    }
  }

  // RFC 4648 §4: the encoded text is padded to a multiple of 4 characters.
  if (text.size() % 4 != 0) {
    return Base64Failure{text.size(), "expected base64 text padded with '=' to a multiple of 4 characters, found " +
                                          std::to_string(text.size()) + " characters ending at byte " +
                                          std::to_string(base + text.size())};
  }
  const std::size_t padding = text.size() - padding_start;
  if (padding > 2) {
    return Base64Failure{padding_start, "expected at most two '=' at the end of base64 text, found " +
                                            std::to_string(padding) + " starting at byte " +
                                            std::to_string(base + padding_start)};
  }

  out.clear();
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t group = 0;
    std::size_t data_characters = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      group <<= 6;
      if (c != '=') {
        group |= static_cast<std::uint32_t>(kDecodeTable[static_cast<unsigned char>(c)]);
        ++data_characters;
      }
    }

    // Two data characters carry 12 bits for one byte and three carry 18 bits for two bytes.
    // The bits left over must be zero (RFC 4648 §3.5).
    const std::uint32_t unused_mask = data_characters == 2 ? 0x00ffffU : (data_characters == 3 ? 0x0000ffU : 0);
    if ((group & unused_mask) != 0) {
      const std::size_t last = i + data_characters - 1;
      return Base64Failure{last, "expected the unused bits of the last base64 character at byte " +
                                     std::to_string(base + last) + " to be zero, found non-zero bits"};
    }
    out.push_back(static_cast<char>((group >> 16) & 0xff));
    if (data_characters >= 3) out.push_back(static_cast<char>((group >> 8) & 0xff));
    if (data_characters == 4) out.push_back(static_cast<char>(group & 0xff));
  }
  return std::nullopt;
}

BasicParse basic_failure(BasicErrorId id, std::size_t offset, std::string message) {
  return BasicParse{std::nullopt, BasicError{id, offset, std::move(message)}};
}

bool is_tchar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if ((byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

BasicParse parse_basic_authorization(std::string_view header_value) {
  // RFC 9110 §5.5: leading and trailing whitespace is not part of a field value.
  std::size_t begin = 0;
  std::size_t end = header_value.size();
  while (begin < end && (header_value[begin] == ' ' || header_value[begin] == '\t')) ++begin;
  while (end > begin && (header_value[end - 1] == ' ' || header_value[end - 1] == '\t')) --end;

  std::size_t scheme_end = begin;
  while (scheme_end < end && is_tchar(header_value[scheme_end])) ++scheme_end;
  const std::string_view scheme = header_value.substr(begin, scheme_end - begin);
  if (!iequals(scheme, "Basic")) {
    std::string found = scheme.empty() ? (begin == end ? std::string("end of input") : describe_byte(header_value[begin]))
                                       : "\"" + visible(scheme) + "\"";
    return basic_failure(BasicErrorId::kNotBasic, begin,
                         "expected auth-scheme \"Basic\" at byte " + std::to_string(begin) + ", found " + found);
  }

  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]. Only SP is
  // accepted here, because this decoder grades what a client sends.
  std::size_t token_start = scheme_end;
  if (token_start == end) {
    return basic_failure(BasicErrorId::kMissingToken, token_start,
                         "expected ' ' and base64 credentials after \"Basic\" at byte " + std::to_string(token_start) +
                             ", found end of input");
  }
  if (header_value[token_start] != ' ') {
    return basic_failure(BasicErrorId::kMissingToken, token_start,
                         "expected ' ' after \"Basic\" at byte " + std::to_string(token_start) + ", found " +
                             describe_byte(header_value[token_start]));
  }
  while (token_start < end && header_value[token_start] == ' ') ++token_start;

  const std::string_view token = header_value.substr(token_start, end - token_start);
  std::string decoded;
  if (auto failure = decode_base64_strict(token, token_start, decoded)) {
    return basic_failure(BasicErrorId::kInvalidBase64, token_start + failure->offset, std::move(failure->message));
  }

  // RFC 7617 §2: user-id and password are split at the first colon, so a user-id cannot
  // contain one but a password can. The message leaves out the decoded text, which is secret.
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return basic_failure(BasicErrorId::kMissingColon, token_start,
                         "expected ':' between user-id and password in the " + std::to_string(decoded.size()) +
                             " decoded bytes of the credentials at byte " + std::to_string(token_start) +
                             ", found none");
  }

  // NOTE: RFC 7617 §2 forbids control characters in user-id and password. They are passed
  // through because checks, not this decoder, decide how to grade a client that sends them.
  BasicCredentials credentials;
  credentials.username = decoded.substr(0, colon);
  credentials.password = decoded.substr(colon + 1);
  return BasicParse{std::move(credentials), std::nullopt};
}

std::string basic_authorization(const BasicCredentials& credentials) {
  return "Basic " + base64_encode(credentials.username + ":" + credentials.password);
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                                (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(kBase64Alphabet[(group >> 18) & 0x3f]);
    out.push_back(kBase64Alphabet[(group >> 12) & 0x3f]);
    out.push_back(kBase64Alphabet[(group >> 6) & 0x3f]);
    out.push_back(kBase64Alphabet[group & 0x3f]);
  }

  const std::size_t remaining = bytes.size() - i;
  if (remaining == 0) return out;
  std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (remaining == 2) group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out.push_back(kBase64Alphabet[(group >> 18) & 0x3f]);
  out.push_back(kBase64Alphabet[(group >> 12) & 0x3f]);
  out.push_back(remaining == 2 ? kBase64Alphabet[(group >> 6) & 0x3f] : '=');
  out.push_back('=');
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  if (decode_base64_strict(text, 0, out)) return std::nullopt;
  return out;
}

}  // namespace loginspec::protocol
