// StatementOutcome: what the end of a T-SQL statement's client says about the statement on the
// server: it reported success, it reported failure, or nothing certain (the connection was lost,
// the client was killed or timed out) — the case that must never cost a committed backup.
#ifndef VDIBK_COORDINATOR_SQL_STATEMENT_OUTCOME_H_
#define VDIBK_COORDINATOR_SQL_STATEMENT_OUTCOME_H_

#include <string>

#include "shared/base/child_process.h"

namespace vdibk::coordinator {

enum class StatementVerdict {
  kSucceeded,  // the client exited 0 (sqlcmd -b: no error of level > 10)
  kFailed,     // the server reported an error of level >= 11 (Msg N, Level L, ...)
  kUnknown,    // no verdict from the server: lost connection, killed client, timeout
};

struct StatementOutcome {
  StatementVerdict verdict = StatementVerdict::kUnknown;
  // kFailed: the server's error text (SummarizeSqlErrors); kUnknown: why there is no verdict
  // (the client's exit and its last line, e.g. "Communication link failure").
  std::string detail;
};

// "succeeded", "failed", "unknown".
const char* StatementVerdictName(StatementVerdict v);

// Classifies a finished sqlcmd-compatible client from its exit and its whole output.
StatementOutcome ClassifyStatement(const ExitInfo& exit, const std::string& output);

// True when `output` holds a SQL Server error header of level >= 11
// ("Msg 3013, Level 16, State 1, ...").
bool HasServerError(const std::string& output);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_STATEMENT_OUTCOME_H_
