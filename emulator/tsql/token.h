// Lexical tokens of the T-SQL subset (identifiers, strings, numbers, variables, symbols).
#ifndef VDIBK_EMULATOR_TSQL_TOKEN_H_
#define VDIBK_EMULATOR_TSQL_TOKEN_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace vdibk::emulator::tsql {

enum class TokenKind {
  kIdentifier,        // plain word: keywords are plain identifiers compared case-insensitively
  kQuotedIdentifier,  // [name] or "name" (never a keyword)
  kString,            // 'text' or N'text'
  kNumber,            // 123, 1.5, 2e3
  kBinary,            // 0x1F
  kVariable,          // @name or @@name
  kSymbol,            // one character: , ; ( ) = . + - * / % < > ! ~ & | ^ :
  kEnd,               // end of input (text empty)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;       // exactly as written in the source
  std::string value;      // identifier without quotes, string contents unescaped, number digits
  bool national = false;  // N'...'
  int line = 1;           // 1-based line of the first character
  size_t offset = 0;      // byte offset in the batch text

  bool IsEnd() const { return kind == TokenKind::kEnd; }
  bool IsSymbol(char c) const {
    return kind == TokenKind::kSymbol && text.size() == 1 && text[0] == c;
  }
  // True for a plain identifier equal to `keyword` ignoring ASCII case. Quoted names never match.
  bool IsKeyword(std::string_view keyword) const;
  bool IsName() const {
    return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier;
  }
};

// ASCII case-insensitive comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToUpperAscii(std::string_view s);
std::string ToLowerAscii(std::string_view s);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_TOKEN_H_
