// Tests of the text helpers: UTF-8 validation, terminal and XML escaping, capping, numbers.
#include "reports/text.h"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

namespace loginspec::reports {
namespace {

using namespace std::string_literals;

TEST(TextTest, Utf8SequenceLengthAcceptsWellFormed) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC2\xA7", 0), 2u);          // §
  EXPECT_EQ(utf8_sequence_length("\xE2\x80\x94", 0), 3u);      // em dash
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x94\x91", 0), 4u);  // key emoji
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
}

TEST(TextTest, Utf8SequenceLengthRejectsMalformed) {
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);              // stray continuation byte
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF", 0), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\xAF", 0), 0u);      // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80", 0), 0u);      // surrogate U+D800
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE2\x80", 0), 0u);          // truncated
  EXPECT_EQ(utf8_sequence_length("\xE2"
                                 "a"
                                 "b",
                                 0),
            0u);  // missing continuation
  EXPECT_EQ(utf8_sequence_length("\xFF", 0), 0u);
}

TEST(TextTest, ReplaceInvalidUtf8KeepsValidText) {
  EXPECT_EQ(replace_invalid_utf8("RFC 6750 \xC2\xA7"
                                 "3"),
            "RFC 6750 \xC2\xA7"
            "3");
  EXPECT_EQ(replace_invalid_utf8("a\0b"s), "a\0b"s);
  EXPECT_EQ(replace_invalid_utf8("bad \xFF\xC3 end"), "bad \\xFF\\xC3 end");
}

TEST(TextTest, TerminalTextEscapesControlBytes) {
  EXPECT_EQ(terminal_text("\x1b[31mred\x1b[0m", LineBreaks::kEscape), "\\x1B[31mred\\x1B[0m");
  EXPECT_EQ(terminal_text("bell\x07 del\x7F", LineBreaks::kEscape), "bell\\x07 del\\x7F");
  EXPECT_EQ(terminal_text("c1 \xC2\x9B", LineBreaks::kEscape), "c1 \\xC2\\x9B");
  EXPECT_EQ(terminal_text("tab\there", LineBreaks::kEscape), "tab\there");
  EXPECT_EQ(terminal_text("caf\xC3\xA9", LineBreaks::kEscape), "caf\xC3\xA9");
  EXPECT_EQ(terminal_text("bad \xFE", LineBreaks::kEscape), "bad \\xFE");
}

TEST(TextTest, TerminalTextLineBreaks) {
  EXPECT_EQ(terminal_text("a\nb\r\nc\rd", LineBreaks::kEscape), "a\\nb\\nc\\rd");
  EXPECT_EQ(terminal_text("a\nb\r\nc\rd", LineBreaks::kKeep), "a\nb\nc\\rd");
}

TEST(TextTest, EscapeXmlMarkupCharacters) {
  EXPECT_EQ(escape_xml("<a href=\"x\">Tom & 'Jerry'</a>", XmlContext::kText),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;");
  EXPECT_EQ(escape_xml("]]>", XmlContext::kText), "]]&gt;");
}

TEST(TextTest, EscapeXmlWhitespaceByContext) {
  EXPECT_EQ(escape_xml("a\tb\nc\rd", XmlContext::kText), "a\tb\nc&#13;d");
  EXPECT_EQ(escape_xml("a\tb\nc\rd", XmlContext::kAttribute), "a&#9;b&#10;c&#13;d");
}

TEST(TextTest, EscapeXmlReplacesForbiddenCharacters) {
  EXPECT_EQ(escape_xml("nul\0 soh\x01 esc\x1b"s, XmlContext::kText), "nul\\x00 soh\\x01 esc\\x1B");
  EXPECT_EQ(escape_xml("\xEF\xBF\xBE \xEF\xBF\xBF", XmlContext::kText),
            "\\xEF\\xBF\\xBE \\xEF\\xBF\\xBF");  // U+FFFE and U+FFFF
  EXPECT_EQ(escape_xml("latin1 caf\xE9", XmlContext::kAttribute), "latin1 caf\\xE9");
  EXPECT_EQ(escape_xml("\xC2\x85 \x7F \xEF\xBF\xBD", XmlContext::kText),
            "\xC2\x85 \x7F \xEF\xBF\xBD");  // allowed in XML 1.0
}

TEST(TextTest, CapTextKeepsShortText) {
  EXPECT_EQ(cap_text("hello", 5), "hello");
  EXPECT_EQ(cap_text("", 0), "");
}

TEST(TextTest, CapTextCutsAtCharacterBoundary) {
  // "é" is two bytes, so a cut after 2 bytes would split it.
  EXPECT_EQ(cap_text("a\xC3\xA9z", 2), "a\n[... 3 more bytes not shown]");
  EXPECT_EQ(cap_text("line\nrest", 5), "line\n[... 4 more bytes not shown]");
}

TEST(TextTest, FormatFixedIgnoresLocale) {
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = previous != nullptr ? previous : "C";
  std::setlocale(LC_NUMERIC, "de_DE.UTF-8");  // may be missing; then the check is a plain one

  EXPECT_EQ(format_fixed(0.0234, 3), "0.023");
  EXPECT_EQ(format_fixed(1234.5, 0), "1234");  // round half to even, as printf does
  EXPECT_EQ(format_fixed(30131.4 / 1000.0, 2), "30.13");
  std::setlocale(LC_NUMERIC, saved.c_str());
}

}  // namespace
}  // namespace loginspec::reports
