// Token cursor helpers and the reserved-keyword table used for Msg 156.
#include "emulator/tsql/token_cursor.h"

#include <algorithm>
#include <array>
#include <limits>

#include "emulator/tsql/messages.h"

namespace vdibk::emulator::tsql {
namespace {

// A subset of T-SQL's reserved keywords: enough to choose between Msg 102 and Msg 156.
constexpr std::array<std::string_view, 96> kReserved = {
    "ADD",        "ALL",     "ALTER",     "AND",     "ANY",         "AS",         "ASC",
    "BACKUP",     "BEGIN",   "BETWEEN",   "BREAK",   "BY",          "CASE",       "CHECK",
    "CHECKPOINT", "CLOSE",   "COLLATE",   "COLUMN",  "COMMIT",      "CONSTRAINT", "CONTINUE",
    "CONVERT",    "CREATE",  "CROSS",     "CURRENT", "CURSOR",      "DATABASE",   "DBCC",
    "DEALLOCATE", "DECLARE", "DEFAULT",   "DELETE",  "DENY",        "DESC",       "DISK",
    "DISTINCT",   "DROP",    "DUMP",      "ELSE",    "END",         "EXCEPT",     "EXEC",
    "EXECUTE",    "EXISTS",  "EXIT",      "FETCH",   "FILE",        "FOR",        "FOREIGN",
    "FROM",       "FULL",    "FUNCTION",  "GOTO",    "GRANT",       "GROUP",      "HAVING",
    "IF",         "IN",      "INDEX",     "INSERT",  "INTO",        "IS",         "JOIN",
    "KEY",        "KILL",    "LIKE",      "LOAD",    "MERGE",       "NOT",        "NULL",
    "OF",         "OFF",     "ON",        "OPEN",    "OR",          "ORDER",      "PRIMARY",
    "PRINT",      "PROC",    "PROCEDURE", "RESTORE", "RETURN",      "SELECT",     "SET",
    "TABLE",      "THEN",    "TO",        "TRAN",    "TRANSACTION", "UNION",      "UPDATE",
    "USE",        "VALUES",  "WAITFOR",   "WHERE",   "WITH",
};

}  // namespace

bool IsReservedKeyword(std::string_view word) {
  return std::any_of(kReserved.begin(), kReserved.end(),
                     [&](std::string_view k) { return EqualsIgnoreCase(k, word); });
}

const Token& TokenCursor::Peek(size_t ahead) const {
  size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
  return tokens_[i];
}

const Token& TokenCursor::Next() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool TokenCursor::AcceptKeyword(std::string_view kw) {
  if (!Peek().IsKeyword(kw)) return false;
  Next();
  return true;
}

bool TokenCursor::AcceptSymbol(char c) {
  if (!Peek().IsSymbol(c)) return false;
  Next();
  return true;
}

bool TokenCursor::ExpectKeyword(std::string_view kw) {
  if (AcceptKeyword(kw)) return true;
  return SyntaxErrorHere();
}

bool TokenCursor::ExpectSymbol(char c) {
  if (AcceptSymbol(c)) return true;
  return SyntaxErrorHere();
}

bool TokenCursor::ExpectName(std::string* name) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kVariable) return Fail(msg::UndeclaredVariable(t.value, t.line));
  if (t.kind == TokenKind::kQuotedIdentifier ||
      (t.kind == TokenKind::kIdentifier && !IsReservedKeyword(t.value))) {
    *name = t.value;
    Next();
    return true;
  }
  return SyntaxErrorHere();
}

bool TokenCursor::ExpectString(std::string* value) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kVariable) return Fail(msg::UndeclaredVariable(t.value, t.line));
  if (t.kind != TokenKind::kString) return SyntaxErrorHere();
  *value = t.value;
  Next();
  return true;
}

bool TokenCursor::ExpectInteger(int64_t* value) {
  bool negative = false;
  if (Peek().IsSymbol('-') && Peek(1).kind == TokenKind::kNumber) {
    negative = true;
    Next();
  }
  const Token& t = Peek();
  if (t.kind == TokenKind::kVariable) return Fail(msg::UndeclaredVariable(t.value, t.line));
  if (t.kind != TokenKind::kNumber) return SyntaxErrorHere();
  int64_t v = 0;
  for (char c : t.value) {
    if (c < '0' || c > '9') break;  // fractional part / exponent: keep the integer part
    if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) {
      v = std::numeric_limits<int64_t>::max();
      break;
    }
    v = v * 10 + (c - '0');
  }
  *value = negative ? -v : v;
  Next();
  return true;
}

bool TokenCursor::SyntaxError(const Token& tok) {
  const Token* at = &tok;
  // At the end of the batch SQL Server reports the last real token.
  if (at->IsEnd() && tokens_.size() >= 2) at = &tokens_[tokens_.size() - 2];
  if (at->IsEnd()) return Fail(msg::IncorrectSyntaxNear("", at->line));
  if (at->kind == TokenKind::kIdentifier && IsReservedKeyword(at->value)) {
    return Fail(msg::IncorrectSyntaxNearKeyword(at->text, at->line));
  }
  // Strings are shown without their delimiters; names as written.
  std::string shown = at->kind == TokenKind::kString ? at->value : at->text;
  return Fail(msg::IncorrectSyntaxNear(shown, at->line));
}

bool TokenCursor::Fail(SqlError error) {
  if (!error_) error_ = std::move(error);
  return false;
}

}  // namespace vdibk::emulator::tsql
