// Internal to the parser: a cursor over tokens with expect/accept helpers and SQL Server-style
// syntax errors (102 "Incorrect syntax near 'x'", 156 for reserved keywords). Not a public API.
#ifndef VDIBK_EMULATOR_TSQL_TOKEN_CURSOR_H_
#define VDIBK_EMULATOR_TSQL_TOKEN_CURSOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/tsql/token.h"

namespace vdibk::emulator::tsql {

// True for T-SQL reserved keywords (BACKUP, DATABASE, FROM, TO, WITH, FILE, DISK, ...).
bool IsReservedKeyword(std::string_view word);

// Failure convention: helpers return false after storing the first error in the cursor; callers
// propagate false. The cursor never reads past the final kEnd token.
class TokenCursor {
 public:
  explicit TokenCursor(const std::vector<Token>& tokens) : tokens_(tokens) {}

  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  size_t position() const { return pos_; }

  bool AcceptKeyword(std::string_view kw);
  bool AcceptSymbol(char c);
  bool ExpectKeyword(std::string_view kw);
  bool ExpectSymbol(char c);

  // A database/object name: plain non-reserved identifier or [quoted]/"quoted". A @variable gives
  // 137 (no variables exist in the emulator).
  bool ExpectName(std::string* name);
  // 'string' or N'string'.
  bool ExpectString(std::string* value);
  // An integer literal (optionally negative). Values beyond int64 saturate.
  bool ExpectInteger(int64_t* value);

  // Records a syntax error at `tok` (102, or 156 for reserved keywords, or at end of input the
  // previous token). Always returns false.
  bool SyntaxError(const Token& tok);
  bool SyntaxErrorHere() { return SyntaxError(Peek()); }
  bool Fail(SqlError error);

  const std::optional<SqlError>& error() const { return error_; }

 private:
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  std::optional<SqlError> error_;
};

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_TOKEN_CURSOR_H_
