// The seam between the SQL listener and whatever runs T-SQL: ISqlSink receives a request's output
// as it happens; IStatementExecutor runs one request (a batch) and writes to the sink.
#ifndef VDIBK_EMULATOR_FRONTEND_STATEMENT_EXECUTOR_H_
#define VDIBK_EMULATOR_FRONTEND_STATEMENT_EXECUTOR_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/frontend/sql_protocol.h"
#include "emulator/tsql/result_set.h"

namespace vdibk::emulator::frontend {

// Output of one request. Thread-safe: an executor may call it from any thread, but calls for one
// request must be ordered (one writer at a time). Calls never block on the network; events are
// queued and sent by the listener. Everything after Done() is ignored.
class ISqlSink {
 public:
  virtual ~ISqlSink() = default;
  // Informational message (level <= 10): "Processed ...", "10 percent processed.", PRINT, 3014.
  virtual void Message(const SqlError& message) = 0;
  // Error (level > 10), e.g. 3201 then 3013.
  virtual void Error(const SqlError& error) = 0;
  // A result set: BeginResult, any number of Row (cells in column order), EndResult.
  // row_count nullopt means SET NOCOUNT ON (no "(N rows affected)").
  virtual void BeginResult(const std::vector<tsql::Column>& columns) = 0;
  virtual void Row(const tsql::Row& row) = 0;
  virtual void EndResult(std::optional<uint64_t> row_count) = 0;
  // Ends the request. Optional: when Execute returns without it, the listener sends
  // Done(success = no Error was reported).
  virtual void Done(bool success) = 0;
  // Fault injection (a connection dropped after a commit): ends the request by dropping the
  // client's connection, without Done. Events sent just before may or may not reach the client
  // (as with a connection reset); everything after is ignored. The client sees a lost connection.
  virtual void DropConnection() = 0;
  // True once the client cancelled (query timeout), disconnected, or the listener is stopping.
  // Long-running executors should poll it and stop early (reporting an error is optional).
  virtual bool Cancelled() const = 0;

  // Helpers: routes each entry to Message or Error by level.
  void Emit(const SqlError& message);
  void Emit(const SqlMessages& messages);
};

class IStatementExecutor {
 public:
  virtual ~IStatementExecutor() = default;
  // Called on the listener thread before Execute; an error refuses the login (e.g. 4060 for a
  // missing -d database, 18456). Must not block. Default: accept.
  virtual std::optional<SqlError> CheckLogin(const SqlRequest& request);
  // Runs one batch. Called on a dedicated thread per request, so several requests (BACKUP and
  // RESTORE statements) run at once; implementations must be thread-safe across requests.
  virtual void Execute(const SqlRequest& request, ISqlSink& sink) = 0;
};

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_STATEMENT_EXECUTOR_H_
