// SQL Server's diagnostics in the emulator: one message (number, level, state, line, text), the
// ordered list a statement produces, and the one encoding of SQL errors in a vdibk::Status.
#ifndef VDIBK_EMULATOR_BASE_SQL_ERROR_H_
#define VDIBK_EMULATOR_BASE_SQL_ERROR_H_

#include <string>
#include <vector>

#include "shared/base/error_code.h"
#include "shared/base/status.h"

namespace vdibk::emulator {

// One entry of SQL Server's message stream. Level <= 10 is informational (sqlcmd prints only the
// text); level >= 11 is an error (sqlcmd prints the "Msg N, Level L, State S, ..." header).
struct SqlError {
  int number = 0;         // sys.messages number; 0 for PRINT output, 50000 for generic errors
  int level = 0;          // severity 0..25
  int state = 1;          // 0..255
  std::string text;       // fully formatted text
  int line = 1;           // line within the batch (1-based)
  std::string procedure;  // empty outside stored procedures

  bool IsError() const { return level > 10; }
  bool operator==(const SqlError&) const = default;
};

// The name used for informational messages in APIs: the same record, level <= 10.
using SqlMessage = SqlError;

// Ordered informational messages and errors of one statement or batch, in arrival order.
class SqlMessages {
 public:
  void Add(SqlError message) { items_.push_back(std::move(message)); }
  // Informational message (level 0, state 1).
  void Info(int number, std::string text, int line = 1);
  void Append(const SqlMessages& other);

  bool HasError() const;
  int MaxLevel() const;  // 0 when empty
  // The first error (level > 10); precondition: HasError().
  const SqlError& FirstError() const;
  const std::vector<SqlError>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }

 private:
  std::vector<SqlError> items_;
};

// The encoding. Each error is one message line "Msg N, Level L, State S, Line X: text" (", Line X"
// is left out for line 1, the default; a newline in the text becomes a blank; the procedure is not
// carried). The engine's errors (the database, the stream, the VDI driver) are built with line 1
// and get their batch line when the executor emits them.
//
// `code` classifies the Status for exit codes: kSqlError, or e.g. kIntegrity for corrupt media and
// kMissing for missing media families.
Status ToStatus(const SqlError& error, ErrorCode code = ErrorCode::kSqlError);
// Only the errors (level > 10) are kept; Ok when there is none. Code kSqlError.
Status ToStatus(const SqlMessages& messages);
// Shorthand for the engine: ToStatus of {number, level, state 1, text, line 1}.
Status SqlErrorStatus(int number, std::string text, ErrorCode code = ErrorCode::kSqlError,
                      int level = 16);

// Decodes a kSqlError Status built by ToStatus, possibly WithContext()-prefixed. Any other non-OK
// Status (another code, or lines of another shape) becomes one generic error (Msg 50000, Level
// 16, State 1) whose text is the Status message. OK gives an empty list.
SqlMessages SqlMessagesFromStatus(const Status& status);

// The number of the first error a Status encodes, whatever its code; 0 when it encodes none.
int SqlErrorNumber(const Status& status);
// That error's text, or the whole message when the Status encodes none.
std::string SqlErrorText(const Status& status);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_BASE_SQL_ERROR_H_
