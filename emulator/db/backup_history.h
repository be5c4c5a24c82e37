// BackupHistory: the emulator's msdb.dbo.backupset, one store per server (data directory), kept in
// DIR/.vdi-emulator/backupset. Like SQL Server's it outlives the databases: DROP DATABASE and
// RESTORE leave earlier rows alone.
#ifndef VDIBK_EMULATOR_DB_BACKUP_HISTORY_H_
#define VDIBK_EMULATOR_DB_BACKUP_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/db/db_meta.h"
#include "emulator/db/guid.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// One committed backup: the emulator's msdb.dbo.backupset row for it.
struct BackupHistoryEntry {
  BackupKind kind = BackupKind::kFull;
  Guid set_guid;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  int64_t time = 0;  // unix seconds (start)
  bool copy_only = false;
  uint64_t backup_set_id = 0;  // 1, 2, ... server-wide, in commit order (BackupHistory::Append)
  uint64_t checkpoint_lsn = 0;
  uint64_t database_backup_lsn = 0;    // checkpoint LSN of the differential base full, 0 = none
  uint64_t differential_base_lsn = 0;  // differential backups only
  Guid differential_base_guid{};       // differential backups only
  int64_t finish_time = 0;             // unix seconds
  std::string name{};                  // BACKUP ... WITH NAME = '...'
  std::string database_name{};
};

// Text form: first line "vdi-emulator-backupset 1", then one tab-separated line per row, each
// ending in "\tend\n". A last line without its newline is a torn append (a crash in the middle of
// it): ParseBackupHistory ignores it and sets *good_len to the length before it. Any other bad
// line is kIntegrity.
std::string SerializeBackupHistory(const std::vector<BackupHistoryEntry>& rows);
Result<std::vector<BackupHistoryEntry>> ParseBackupHistory(std::string_view text,
                                                           size_t* good_len = nullptr);

// Stateless apart from the path; every call reads the file. Thread- and process-safe: Append
// holds an exclusive flock (MetaLock on the store) while it appends, and a row is visible to
// readers only once its line is complete.
class BackupHistory {
 public:
  explicit BackupHistory(const std::string& data_dir);

  // Adds `entry` with backup_set_id = largest so far + 1, durably: one line appended and
  // fdatasync'd (a torn earlier append is cut off first; a new store also fsyncs its directory).
  // Returns the id.
  Result<uint64_t> Append(BackupHistoryEntry entry) const;
  // Rows, oldest first; a missing store is empty, a corrupt one kIntegrity.
  Result<std::vector<BackupHistoryEntry>> Load() const;
  Result<std::vector<BackupHistoryEntry>> ForDatabase(const std::string& database) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_BACKUP_HISTORY_H_
