#include <gtest/gtest.h>

#include <string>

#include "util/quoting.hpp"

namespace migrasim {
namespace {

TEST(Quoting, EscapesControlCharactersSoAMessageStaysOneInertLine) {
  // A newline would forge a second log line; ESC and BEL drive the terminal; a
  // NUL cut messages short in C APIs.
  EXPECT_EQ(excerpt("a\nb"), "a\\nb");
  EXPECT_EQ(excerpt("\x1b[2J\a"), "\\x1b[2J\\x07");
  EXPECT_EQ(excerpt(std::string("hu\0b", 4)), "hu\\x00b");
  EXPECT_EQ(excerpt("tab\there\r"), "tab\\there\\r");
  EXPECT_EQ(excerpt("back\\slash"), "back\\\\slash");
  EXPECT_EQ(excerpt("\x7f"), "\\x7f");
  EXPECT_EQ(excerpt("\xc2\x9b"), "\\u009b");  // C1 CSI, which some terminals obey
  EXPECT_EQ(excerpt("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");  // kept as is
  EXPECT_EQ(excerpt("\xc0\xaf"), "\\xc0\\xaf");  // invalid bytes, escaped one by one
}

TEST(Quoting, CutsLongTextWithAnEllipsis) {
  const std::string megabyte(1 << 20, 'x');
  const std::string cut = quote(megabyte);
  EXPECT_EQ(cut, "'" + std::string(kMaxQuotedChars, 'x') + "...'");
  EXPECT_EQ(excerpt(std::string(kMaxQuotedChars, 'y')), std::string(kMaxQuotedChars, 'y'));
  // Characters, not bytes: a multi-byte character is never split.
  std::string euros;
  for (int i = 0; i < 60; ++i) euros += "\xe2\x82\xac";
  EXPECT_EQ(excerpt(euros, 2), "\xe2\x82\xac\xe2\x82\xac...");
}

TEST(Quoting, OneLineKeepsBackslashesButEscapesControls) {
  EXPECT_EQ(one_line("C:\\path: bad\nvalue\x1b"), "C:\\path: bad\\nvalue\\x1b");
}

TEST(Quoting, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));                          // U+D7FF
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));                             // overlong
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                         // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xf0\x80\x80\xaf"));                     // overlong, 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                         // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xed\xbf\xbf"));                         // surrogate U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                     // U+110000
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));  // cut short
  EXPECT_FALSE(is_valid_utf8("\x80"));      // a lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

}  // namespace
}  // namespace migrasim
