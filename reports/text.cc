// Escaping of captured text for terminals, XML and JSON, as declared in text.h.
#include "reports/text.h"

#include <charconv>
#include <system_error>

namespace loginspec::reports {

namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the well-formed sequence of the given length at text[pos].
char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t length) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  switch (length) {
    case 1:
      return byte(0);
    case 2:
      return (char32_t{byte(0) & 0x1Fu} << 6) | (byte(1) & 0x3Fu);
    case 3:
      return (char32_t{byte(0) & 0x0Fu} << 12) | (char32_t{byte(1) & 0x3Fu} << 6) |
             (byte(2) & 0x3Fu);
    default:
      return (char32_t{byte(0) & 0x07u} << 18) | (char32_t{byte(1) & 0x3Fu} << 12) |
             (char32_t{byte(2) & 0x3Fu} << 6) | (byte(3) & 0x3Fu);
  }
}

void append_hex_escaped(std::string& out, std::string_view text, std::size_t pos,
                        std::size_t length) {
  for (std::size_t i = 0; i < length; ++i) {
    out += hex_escape(static_cast<unsigned char>(text[pos + i]));
  }
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    minimum = 0x10000;
  } else {
    return 0;  // continuation byte, C0/C1 (always overlong) or F5..FF
  }

  if (pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(text[pos + i]))) return 0;
  }

  const char32_t code_point = decode_utf8(text, pos, length);
  if (code_point < minimum) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  if (code_point > 0x10FFFF) return 0;
  return length;
}

std::string hex_escape(unsigned char byte) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "\\x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0x0F];
  return out;
}

std::string replace_invalid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 0) {
      out += hex_escape(static_cast<unsigned char>(text[pos]));
      ++pos;
      continue;
    }
    out.append(text, pos, length);
    pos += length;
  }
  return out;
}

std::string terminal_text(std::string_view text, LineBreaks line_breaks) {
  const std::string_view line_break = line_breaks == LineBreaks::kKeep ? "\n" : "\\n";
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text.substr(pos, 2) == "\r\n") {
      out += line_break;
      pos += 2;
      continue;
    }

    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 0) {
      out += hex_escape(static_cast<unsigned char>(text[pos]));
      ++pos;
      continue;
    }

    const char32_t code_point = decode_utf8(text, pos, length);
    if (code_point == '\n') {
      out += line_break;
    } else if (code_point == '\r') {
      out += "\\r";
    } else if (code_point == '\t') {
      out += '\t';
    } else if (code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F)) {
      append_hex_escaped(out, text, pos, length);
    } else {
      out.append(text, pos, length);
    }
    pos += length;
  }
  return out;
}

std::string escape_xml(std::string_view text, XmlContext context) {
  const bool in_attribute = context == XmlContext::kAttribute;
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 0) {
      out += hex_escape(static_cast<unsigned char>(text[pos]));
      ++pos;
      continue;
    }

    const char32_t code_point = decode_utf8(text, pos, length);
    switch (code_point) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += in_attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += in_attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (code_point < 0x20 || code_point == 0xFFFE || code_point == 0xFFFF) {
          append_hex_escaped(out, text, pos, length);
        } else {
          out.append(text, pos, length);
        }
    }
    pos += length;
  }
  return out;
}

std::string cap_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);

  // A UTF-8 character is at most 4 bytes, so at most 3 continuation bytes are given back.
  std::size_t cut = max_bytes;
  while (cut > 0 && max_bytes - cut < 3 && is_continuation(static_cast<unsigned char>(text[cut]))) {
    --cut;
  }
  std::string out(text.substr(0, cut));
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "[... " + std::to_string(text.size() - cut) + " more bytes not shown]";
  return out;
}

std::string format_fixed(double value, int decimals) {
  // The largest double has 309 integer digits, so this fits any value for up to 100 decimals.
  char buffer[512];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (result.ec != std::errc()) return std::to_string(value);
  return std::string(buffer, result.ptr);
}

}  // namespace loginspec::reports
