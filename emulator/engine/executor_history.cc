// EmulatorExecutor: the backup history query (SELECT TOP (n) ... FROM msdb.dbo.backupset WHERE
// database_name = N'db' [AND name = N'x'] ORDER BY backup_set_id DESC), answered from the
// server-wide BackupHistory.
#include "emulator/db/backup_history.h"
#include "emulator/engine/executor.h"
#include "emulator/tsql/result_set.h"
#include "emulator/tsql/token.h"

namespace vdibk::emulator {
namespace {

// backupset.type: D database, I differential database, L log.
const char* TypeLetter(BackupKind k) {
  switch (k) {
    case BackupKind::kFull:
      return "D";
    case BackupKind::kDifferential:
      return "I";
    case BackupKind::kLog:
      return "L";
  }
  return "D";
}

tsql::Column ColumnOf(const std::string& name) {
  if (name == "backup_set_id") return tsql::IntColumn(name);
  if (name == "backup_set_uuid" || name == "differential_base_guid") {
    return tsql::UniqueIdentifierColumn(name);
  }
  if (name == "name" || name == "database_name") return tsql::NVarCharColumn(name, 128);
  if (name == "type") return tsql::Column{name, tsql::ColumnType::kVarChar, 1};
  if (name == "is_copy_only") return tsql::BitColumn(name);
  if (name == "backup_start_date" || name == "backup_finish_date") {
    return tsql::DateTimeColumn(name);
  }
  return tsql::DecimalColumn(name, 25);  // the *_lsn columns: numeric(25,0)
}

tsql::Cell CellOf(const std::string& name, const std::string& database,
                  const BackupHistoryEntry& h) {
  const bool diff = h.kind == BackupKind::kDifferential;
  if (name == "backup_set_id") return std::to_string(h.backup_set_id);
  if (name == "backup_set_uuid") return tsql::ToUpperAscii(h.set_guid.ToString());
  if (name == "name") return h.name.empty() ? tsql::Cell() : tsql::Cell(h.name);
  if (name == "database_name") return database;
  if (name == "type") return std::string(TypeLetter(h.kind));
  if (name == "is_copy_only") return std::string(h.copy_only ? "1" : "0");
  if (name == "first_lsn") return std::to_string(h.first_lsn);
  if (name == "last_lsn") return std::to_string(h.last_lsn);
  if (name == "checkpoint_lsn") return std::to_string(h.checkpoint_lsn);
  if (name == "database_backup_lsn") return std::to_string(h.database_backup_lsn);
  if (name == "differential_base_lsn") {
    return diff ? tsql::Cell(std::to_string(h.differential_base_lsn)) : tsql::Cell();
  }
  if (name == "differential_base_guid") {
    return diff ? tsql::Cell(tsql::ToUpperAscii(h.differential_base_guid.ToString()))
                : tsql::Cell();
  }
  if (name == "backup_start_date") return tsql::DateTimeCell(h.time);
  if (name == "backup_finish_date") return tsql::DateTimeCell(h.finish_time);
  return tsql::Cell();
}

}  // namespace

void EmulatorExecutor::RunBackupHistory(const tsql::BackupHistoryQuery& q, int line, bool nocount,
                                        frontend::ISqlSink& sink) {
  // Like msdb, the history is server-wide (DIR/.vdi-emulator/backupset): rows outlive DROP
  // DATABASE and RESTORE; any name may be asked for.
  Result<std::vector<BackupHistoryEntry>> found =
      BackupHistory(catalog_.data_dir()).ForDatabase(q.database);
  if (!found.ok()) {
    EmitErrors(found.status(), line, sink);
    return;
  }
  std::vector<BackupHistoryEntry> history = std::move(found).value();
  std::vector<tsql::Column> columns;
  for (const std::string& c : q.columns) columns.push_back(ColumnOf(c));
  sink.BeginResult(columns);
  uint64_t rows = 0;
  const size_t n = history.size();
  for (size_t i = 0; i < n && rows < static_cast<uint64_t>(q.top); ++i) {
    const BackupHistoryEntry& h = history[q.descending ? n - 1 - i : i];
    if (q.name && h.name != *q.name) continue;
    tsql::Row row;
    for (const std::string& c : q.columns) row.push_back(CellOf(c, q.database, h));
    sink.Row(row);
    ++rows;
  }
  sink.EndResult(nocount ? std::nullopt : std::optional<uint64_t>(rows));
}

}  // namespace vdibk::emulator
