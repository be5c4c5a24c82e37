// The server's backup history (msdb.dbo.backupset) of the backup a job just took: the query's
// output parsing and the match of the job's own row, whose LSNs go into the manifest.
#ifndef VDIBK_COORDINATOR_SQL_BACKUP_HISTORY_ROW_H_
#define VDIBK_COORDINATOR_SQL_BACKUP_HISTORY_ROW_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/sql/backup_kind.h"
#include "coordinator/sql/sql_runner.h"
#include "coordinator/sql/statement_outcome.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// One msdb.dbo.backupset row (the columns of kBackupHistoryColumns). LSNs are decimal strings
// as SQL Server prints numeric(25,0); "" for NULL.
struct BackupHistoryRow {
  uint64_t backup_set_id = 0;
  char type = 0;  // 'D' full, 'I' differential, 'L' log
  bool copy_only = false;
  std::string first_lsn;
  std::string last_lsn;
  std::string checkpoint_lsn;
  std::string database_backup_lsn;
  std::string differential_base_lsn;
  // backup_start_date as the server prints it ("2024-01-31 23:59:59.000", the server's clock);
  // start_unix_ms reads it as UTC (SQL Server on Linux containers run in UTC); 0 if unreadable.
  std::string start_date;
  int64_t start_unix_ms = 0;
  std::string name;  // "" for NULL
};

// backupset.type of a backup kind: 'D', 'I', 'L'.
char BackupTypeLetter(BackupKind kind);

// The NAME the backup statement gives the set, unique per backup: "vdibackup <set id hex>".
std::string BackupSetHistoryName(const std::array<uint8_t, 16>& set_id);

// The rows in the output of `sqlcmd -h -1 -W -s "," -Q BuildBackupHistoryQuery(...)` (or
// BuildBackupLookupQuery): lines of at least 10 comma-separated fields whose first is an integer
// (the name, last, may hold commas). Everything else (blank lines, messages, "(n rows
// affected)") is skipped.
std::vector<BackupHistoryRow> ParseBackupHistoryOutput(const std::string& output);

// The row this backup wrote: its name is `name`, and its type and copy_only must be the
// backup's, its LSNs present and numeric. Errors: kSqlError naming what did not match.
Result<BackupHistoryRow> MatchBackupHistoryRow(const std::vector<BackupHistoryRow>& rows,
                                               const std::string& name, BackupKind kind,
                                               bool copy_only);

// Runs the lookup query of the backup named `name` through `sql` and matches its row.
// Errors: kSqlError (the query failed, or no row matched).
Result<BackupHistoryRow> QueryBackupHistoryRow(SqlRunner& sql, const std::string& database,
                                               const std::string& name, BackupKind kind,
                                               bool copy_only);

// A history query's answer: the rows when the server answered (kSucceeded); the server's error
// (kFailed); or no answer at all (kUnknown: the server could not be reached).
struct HistoryQueryResult {
  StatementVerdict verdict = StatementVerdict::kUnknown;
  std::vector<BackupHistoryRow> rows;
  std::string detail;  // kFailed / kUnknown: why
};

// Runs a history query (BuildBackupHistoryQuery / BuildBackupLookupQuery) and waits for it.
HistoryQueryResult RunHistoryQuery(SqlRunner& sql, const std::string& query);

// "2024-01-31 23:59:59[.mmm]" read as UTC -> unix ms; nullopt if not of that form.
std::optional<int64_t> ParseSqlDateTime(const std::string& text);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_BACKUP_HISTORY_ROW_H_
