// T-SQL text for the statements vdibackup issues, with SQL Server quoting rules.
#ifndef VDIBK_COORDINATOR_SQL_TSQL_BUILDER_H_
#define VDIBK_COORDINATOR_SQL_TSQL_BUILDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/sql/backup_kind.h"

namespace vdibk::coordinator {

// [name] with every ']' doubled.
std::string QuoteIdentifier(const std::string& name);
// N'text' with every '\'' doubled.
std::string QuoteString(const std::string& text);

struct BackupStatementSpec {
  std::string database;
  std::vector<std::string> device_names;  // first = set name
  uint32_t buffer_count = 0;
  uint32_t max_transfer_size = 0;
  uint32_t block_size = 0;
  bool checksum = true;
  BackupKind kind = BackupKind::kFull;  // kDiff: WITH DIFFERENTIAL; kLog: BACKUP LOG
  bool copy_only = false;               // WITH COPY_ONLY
  std::string name;                     // WITH NAME=N'...' (msdb backupset.name); empty: none
};

// BACKUP DATABASE|LOG [db] TO VIRTUAL_DEVICE=N'set', ... WITH [DIFFERENTIAL, ][COPY_ONLY, ]
// [NAME=N'...', ]BUFFERCOUNT=..., MAXTRANSFERSIZE=..., BLOCKSIZE=..., CHECKSUM|NO_CHECKSUM
std::string BuildBackupStatement(const BackupStatementSpec& spec);

// The columns the history queries select, in order (name last: it may hold commas).
inline constexpr const char* kBackupHistoryColumns =
    "backup_set_id, type, is_copy_only, first_lsn, last_lsn, checkpoint_lsn, "
    "database_backup_lsn, differential_base_lsn, backup_start_date, name";

// SET NOCOUNT ON; SELECT TOP (top) <kBackupHistoryColumns> FROM msdb.dbo.backupset
// WHERE database_name = N'db' ORDER BY backup_set_id DESC
std::string BuildBackupHistoryQuery(const std::string& database, int top);

// The row of one backup by the NAME vdibackup gave it, however many came after it:
// SET NOCOUNT ON; SELECT TOP (1) <kBackupHistoryColumns> FROM msdb.dbo.backupset
// WHERE database_name = N'db' AND name = N'name' ORDER BY backup_set_id DESC
std::string BuildBackupLookupQuery(const std::string& database, const std::string& name);

struct RestoreStatementSpec {
  std::string database;                   // the target database name
  std::vector<std::string> device_names;  // first = set name
  uint32_t block_size = 0;
  uint32_t max_transfer_size = 0;
  std::vector<std::pair<std::string, std::string>> moves;  // logical name -> path
  bool replace = false;
  bool norecovery = false;
  bool log = false;  // RESTORE LOG (a log backup) instead of RESTORE DATABASE
};

// RESTORE DATABASE|LOG [db] FROM VIRTUAL_DEVICE=N'set', ... WITH BLOCKSIZE=...,
// MAXTRANSFERSIZE=..., MOVE N'logical' TO N'path', ..., REPLACE, NORECOVERY
std::string BuildRestoreStatement(const RestoreStatementSpec& spec);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_TSQL_BUILDER_H_
