// SQL Server-style diagnostics: one message (number, level, state, line, text) and the ordered list
// a statement produces. Also the bridge to vdibk::Status so SQL errors can travel as Status values.
#ifndef VDIBK_EMULATOR_TSQL_SQL_ERROR_H_
#define VDIBK_EMULATOR_TSQL_SQL_ERROR_H_

#include <string>
#include <vector>

#include "shared/base/status.h"

namespace vdibk::emulator::tsql {

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

// Encodes SQL errors into a Status with code kSqlError. Each error becomes one message line
// "Msg N, Level L, State S, Line X: text" so the Status is readable and decodable.
Status ToStatus(const SqlError& error);
Status ToStatus(const SqlMessages& messages);  // only the errors (level > 10) are kept

// Decodes a Status built by ToStatus. Any other non-OK Status becomes one generic error
// (Msg 50000, Level 16, State 1) whose text is the Status message. OK gives an empty list.
SqlMessages SqlMessagesFromStatus(const Status& status);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_SQL_ERROR_H_
