// Tests of the T-SQL tokenizer: quoting, escapes, comments, numbers and lexical errors.
#include "emulator/tsql/tokenizer.h"

#include <gtest/gtest.h>

namespace vdibk::emulator::tsql {
namespace {

std::vector<Token> Lex(std::string_view sql) {
  std::vector<Token> tokens;
  SqlError error;
  EXPECT_TRUE(Tokenize(sql, &tokens, &error)) << error.text;
  return tokens;
}

SqlError LexError(std::string_view sql) {
  std::vector<Token> tokens;
  SqlError error;
  EXPECT_FALSE(Tokenize(sql, &tokens, &error));
  return error;
}

TEST(TokenizerTest, IdentifiersStringsAndSymbols) {
  auto t = Lex("backup [my db] \"q\"\"x\" N'it''s' 'a' = , ;");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_TRUE(t[0].IsKeyword("BACKUP"));
  EXPECT_EQ(t[1].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(t[1].value, "my db");
  EXPECT_FALSE(t[1].IsKeyword("my db"));
  EXPECT_EQ(t[2].value, "q\"x");
  EXPECT_EQ(t[3].kind, TokenKind::kString);
  EXPECT_TRUE(t[3].national);
  EXPECT_EQ(t[3].value, "it's");
  EXPECT_EQ(t[3].text, "N'it''s'");
  EXPECT_FALSE(t[4].national);
  EXPECT_TRUE(t[5].IsSymbol('='));
  EXPECT_TRUE(t[8].IsEnd());
}

TEST(TokenizerTest, BracketEscapeAndVariables) {
  auto t = Lex("[a]]b] @x @@VERSION");
  EXPECT_EQ(t[0].value, "a]b");
  EXPECT_EQ(t[1].kind, TokenKind::kVariable);
  EXPECT_EQ(t[1].value, "@x");
  EXPECT_EQ(t[2].value, "@@VERSION");
}

TEST(TokenizerTest, CommentsAndLines) {
  auto t = Lex("-- first\n/* multi\n /* nested */ line */ SELECT\n1");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(t[0].IsKeyword("select"));
  EXPECT_EQ(t[0].line, 3);
  EXPECT_EQ(t[1].line, 4);
}

TEST(TokenizerTest, NumbersStopAtSuffix) {
  auto t = Lex("10MB 1.5 2e3 0x1F .5");
  EXPECT_EQ(t[0].kind, TokenKind::kNumber);
  EXPECT_EQ(t[0].value, "10");
  EXPECT_TRUE(t[1].IsKeyword("MB"));
  EXPECT_EQ(t[2].value, "1.5");
  EXPECT_EQ(t[3].value, "2e3");
  EXPECT_EQ(t[4].kind, TokenKind::kBinary);
  EXPECT_EQ(t[5].value, ".5");
}

TEST(TokenizerTest, LexicalErrors) {
  SqlError e = LexError("SELECT 'abc");
  EXPECT_EQ(e.number, 105);
  EXPECT_EQ(e.level, 15);
  EXPECT_EQ(e.text, "Unclosed quotation mark after the character string 'abc'.");
  EXPECT_EQ(LexError("SELECT [abc").number, 105);
  EXPECT_EQ(LexError("SELECT 1 /* open").number, 113);
  EXPECT_EQ(LexError("SELECT 1 /* a /* b */").number, 113);
  EXPECT_EQ(LexError(std::string(129, 'a')).number, 103);
  SqlError q = LexError("SELECT ?");
  EXPECT_EQ(q.number, 102);
  EXPECT_EQ(q.text, "Incorrect syntax near '?'.");
}

}  // namespace
}  // namespace vdibk::emulator::tsql
