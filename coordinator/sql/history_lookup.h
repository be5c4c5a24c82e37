// LookUpBackup: does the server's msdb.dbo.backupset record one backup (found by the NAME
// vdibackup gave it)? Asks again with backoff while the server cannot be reached, and optionally
// while it answers "no such row" (a commit still running), up to a time budget.
#ifndef VDIBK_COORDINATOR_SQL_HISTORY_LOOKUP_H_
#define VDIBK_COORDINATOR_SQL_HISTORY_LOOKUP_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "coordinator/sql/backup_history_row.h"
#include "coordinator/sql/backup_kind.h"
#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator {

// Which backup to look for.
struct BackupKey {
  std::string database;
  std::string name;  // backupset.name, BackupSetHistoryName(set id)
  BackupKind kind = BackupKind::kFull;
  bool copy_only = false;
};

enum class HistoryVerdict {
  kRecorded,     // the server has the row (type and copy-only as expected)
  kNotRecorded,  // the server answered and has no such row (or one that does not match)
  kUnreachable,  // no answer within the budget (server down, connection lost, query refused)
};

const char* HistoryVerdictName(HistoryVerdict v);  // "recorded", "not recorded", "unreachable"

struct HistoryAnswer {
  HistoryVerdict verdict = HistoryVerdict::kUnreachable;
  BackupHistoryRow row;  // kRecorded only
  std::string detail;    // what the last attempt saw
  int attempts = 0;
};

struct LookupPolicy {
  // How long to keep asking (measured from the first attempt); 0: exactly one attempt.
  std::chrono::milliseconds budget{0};
  // Keep asking while the server answers without the row (its commit may still be running).
  bool until_recorded = false;
  std::chrono::milliseconds first_backoff{250};
  std::chrono::milliseconds max_backoff{4000};
};

// Blocks up to about policy.budget. `stop` (may be null) ends the retries early (the answer is
// then what the last attempt saw); so does `server_gone` returning true (may be empty).
HistoryAnswer LookUpBackup(SqlRunner& sql, const BackupKey& key, const LookupPolicy& policy,
                           const std::atomic<bool>* stop = nullptr,
                           const std::function<bool()>& server_gone = {});

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_HISTORY_LOOKUP_H_
