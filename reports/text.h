// Text helpers for the report writers: escaping captured text (client output, check
// messages) for terminals, XML and JSON, capping it, and formatting numbers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loginspec::reports {

// Length in bytes of the well-formed UTF-8 sequence that starts at text[pos], or 0 when the
// bytes there are not one (stray continuation byte, truncated or overlong sequence,
// surrogate, or a code point above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

// "\xHH" with two uppercase hex digits: the visible stand-in for a byte that a format
// cannot carry.
std::string hex_escape(unsigned char byte);

// Copy of text with each byte that is not part of well-formed UTF-8 replaced by "\xHH",
// so that a JSON writer can emit it.
std::string replace_invalid_utf8(std::string_view text);

// Whether terminal text keeps line breaks or turns them into a visible "\n".
enum class LineBreaks { kKeep, kEscape };

// Copy of text that is safe to print on a terminal: control bytes (C0, DEL and the
// C1 range U+0080 to U+009F) and bytes outside well-formed UTF-8 become "\xHH", so captured
// output cannot move the cursor or change colors. Tabs stay. "\r\n" and "\n" are kept as
// one '\n' or written as "\n", and a lone '\r' is written as "\r".
std::string terminal_text(std::string_view text, LineBreaks line_breaks);

// Place of escaped text in an XML document: element text or an attribute value.
enum class XmlContext { kText, kAttribute };

// Copy of text escaped for XML 1.0 in a UTF-8 document. & < > " ' become entity references.
// Tab, line feed and carriage return are written as character references inside attributes
// (where a parser would otherwise normalize them to spaces), and carriage return also in
// text. Every other character that XML 1.0 does not allow (the remaining C0 controls,
// U+FFFE, U+FFFF) and every byte outside well-formed UTF-8 becomes a visible "\xHH", one per
// byte, and is never emitted raw.
std::string escape_xml(std::string_view text, XmlContext context);

// At most max_bytes of text, cut back to a UTF-8 character boundary, followed by a line
// "[... N more bytes not shown]" when something was cut.
std::string cap_text(std::string_view text, std::size_t max_bytes);

// value with exactly `decimals` digits after a '.', whatever the global locale is.
std::string format_fixed(double value, int decimals);

}  // namespace loginspec::reports
