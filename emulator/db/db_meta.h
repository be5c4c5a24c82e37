// DbMeta: the emulator's bookkeeping for one database (state, LSN counters, differential base and
// its changed-extent maps, log-backup position, restore chain, file ids), kept in
// DIR/.vdi-emulator/<db>.meta. Backup history is server-wide (backup_history.h), not in here.
#ifndef VDIBK_EMULATOR_DB_DB_META_H_
#define VDIBK_EMULATOR_DB_DB_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/db/changed_extents.h"
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

struct DbMeta {
  DbState state = DbState::kOnline;
  uint64_t next_lsn = 1;             // LSN counter of databases without a log file (SIMPLE)
  uint64_t last_log_backup_lsn = 0;  // end of the last committed log backup; 0 = none
  bool has_full_backup = false;      // a full backup was committed (log chain started)
  Guid diff_base_guid;               // set GUID of the differential base (zero = no base)
  uint64_t diff_base_lsn = 0;
  // Changed-extent maps since the differential base, one per file of the base. A file without
  // one (new since the base, or metadata of an older emulator) counts as changed throughout.
  std::vector<ChangedExtents> changed;
  // Restore chain of a RESTORING database: LSN reached and the full backup it started from.
  uint64_t restore_lsn = 0;
  Guid restore_base_guid;
  std::vector<FileIdentity> files;

  ChangedExtents* FindChanged(uint32_t file_id);
  const ChangedExtents* FindChanged(uint32_t file_id) const;

  std::string Serialize() const;
  static Result<DbMeta> Parse(std::string_view text);
};

// Text helpers of the emulator's metadata files: one record per line, tab-separated fields,
// strings percent-escaped ("%" alone is the empty string).
std::string MetaEscape(std::string_view s);
bool MetaUnescape(std::string_view s, std::string* out);  // false: malformed escape
std::vector<std::string_view> MetaSplit(std::string_view line);

// A missing file yields a default DbMeta. A corrupt one is kIntegrity. Lines of older emulators
// are accepted and dropped: "extents" (hash bases: those files then count as wholly changed) and
// "history" (backup history moved to the server-wide store; old rows are not carried over).
Result<DbMeta> LoadDbMeta(const std::string& path);
Status SaveDbMeta(const std::string& path, const DbMeta& meta);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_DB_META_H_
