// DbMeta: the emulator's bookkeeping for one database (state, LSN counters, differential base,
// log-backup position, restore chain, file ids, backup history = the database's msdb.dbo.backupset
// rows), kept in DIR/.vdi-emulator/<db>.meta.
#ifndef VDIBK_EMULATOR_DB_DB_META_H_
#define VDIBK_EMULATOR_DB_DB_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/db/guid.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

enum class DbState { kOnline, kRestoring };
std::string_view DbStateName(DbState s);  // "ONLINE" / "RESTORING"

// Values are stable: they are stored in metadata and backup headers.
enum class BackupKind : uint8_t { kFull = 1, kDifferential = 2, kLog = 3 };
std::string_view BackupKindName(BackupKind k);  // "FULL" / "DIFFERENTIAL" / "LOG"

// Stable identity of one database file. `path` is relative to the database directory, or
// absolute when `external` (a file placed outside it by RESTORE ... MOVE).
struct FileIdentity {
  uint32_t file_id = 0;
  std::string logical_name;
  std::string path;
  bool external = false;
};

// Differential base of one file: its size and one hash per 64 KiB extent at the last full backup.
struct ExtentBaseFile {
  uint32_t file_id = 0;
  uint64_t size = 0;
  std::vector<uint64_t> extent_hashes;
};

// One committed backup: the emulator's msdb.dbo.backupset row for it.
struct BackupHistoryEntry {
  BackupKind kind = BackupKind::kFull;
  Guid set_guid;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  int64_t time = 0;  // unix seconds (start)
  bool copy_only = false;
  uint64_t backup_set_id = 0;  // 1, 2, ... in commit order (DbMeta::AddHistory)
  uint64_t checkpoint_lsn = 0;
  uint64_t database_backup_lsn = 0;    // checkpoint LSN of the differential base full, 0 = none
  uint64_t differential_base_lsn = 0;  // differential backups only
  Guid differential_base_guid{};       // differential backups only
  int64_t finish_time = 0;             // unix seconds
  std::string name{};                  // BACKUP ... WITH NAME = '...'
};

struct DbMeta {
  DbState state = DbState::kOnline;
  uint64_t next_lsn = 1;             // LSN counter of databases without a log file (SIMPLE)
  uint64_t last_log_backup_lsn = 0;  // end of the last committed log backup; 0 = none
  bool has_full_backup = false;      // a full backup was committed (log chain started)
  Guid diff_base_guid;               // set GUID of the differential base (zero = no base)
  uint64_t diff_base_lsn = 0;
  std::vector<ExtentBaseFile> diff_base;
  // Restore chain of a RESTORING database: LSN reached and the full backup it started from.
  uint64_t restore_lsn = 0;
  Guid restore_base_guid;
  std::vector<FileIdentity> files;
  std::vector<BackupHistoryEntry> history;  // oldest first

  // Appends `entry` with the next backup_set_id (one more than the last entry's).
  void AddHistory(BackupHistoryEntry entry);

  std::string Serialize() const;
  static Result<DbMeta> Parse(std::string_view text);
};

// A missing file yields a default DbMeta. A corrupt one is kIntegrity.
Result<DbMeta> LoadDbMeta(const std::string& path);
Status SaveDbMeta(const std::string& path, const DbMeta& meta);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_DB_META_H_
