// Tests for JsonEscape, NumberText and JsonNumber.
#include "shared/base/json_text.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace vdibk {
namespace {

TEST(JsonTextTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("plain text"), "plain text");
  EXPECT_EQ(JsonEscape("a \"b\" c\\d"), "a \\\"b\\\" c\\\\d");
  EXPECT_EQ(JsonEscape("l1\nl2\r\tx"), "l1\\nl2\\r\\tx");
  EXPECT_EQ(JsonEscape(std::string("\x01\x1f\x00", 3)), "\\u0001\\u001f\\u0000");
  EXPECT_EQ(JsonEscape(""), "");
}

TEST(JsonTextTest, KeepsUtf8AndReplacesEveryOtherByte) {
  // Two-, three- and four-byte characters pass; a stray byte, a surrogate (ED A0 80), an
  // overlong '/' (C0 AF) and a cut-off sequence (E2 82) become U+FFFD, one per byte.
  EXPECT_EQ(JsonEscape("a\xff \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf \xe2\x82"),
            "a\\ufffd \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd "
            "\\ufffd\\ufffd");
  EXPECT_EQ(JsonEscape("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // above U+10FFFF
}

TEST(JsonTextTest, NumbersWithFixedDecimals) {
  EXPECT_EQ(NumberText(2.5, 3), "2.500");
  EXPECT_EQ(NumberText(1234.56789, 1), "1234.6");
  EXPECT_EQ(NumberText(7, 0), "7");
  EXPECT_EQ(JsonNumber(0.125), "0.125");
  EXPECT_EQ(JsonNumber(-3.0, 2), "-3.00");
}

TEST(JsonTextTest, NotFiniteIsNull) {
  EXPECT_EQ(JsonNumber(std::nan("")), "null");
  EXPECT_EQ(JsonNumber(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(JsonNumber(-std::numeric_limits<double>::infinity(), 1), "null");
}

}  // namespace
}  // namespace vdibk
