// SnapshotRestore: the database side of RESTORE DATABASE ... WITH SNAPSHOT. Before
// VDC_MountSnapshot the restore is checked and its files placed (MOVE, REPLACE); after the
// client mounted the files (in the emulator: put them at those paths) the database is registered,
// RESTORING with NORECOVERY, else ONLINE. No data or log bytes are laid down by the emulator.
#ifndef VDIBK_EMULATOR_ENGINE_SNAPSHOT_RESTORE_H_
#define VDIBK_EMULATOR_ENGINE_SNAPSHOT_RESTORE_H_

#include <string>
#include <vector>

#include "emulator/db/catalog.h"
#include "emulator/stream/backup_set_info.h"
#include "emulator/stream/restore_request.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

struct SnapshotRestorePlan {
  std::string target;                   // database to register
  BackupSetInfo info;                   // the metadata read from the device
  std::vector<FileIdentity> files;      // as recorded in the database's metadata
  std::vector<std::string> full_paths;  // where each file must be after the mount
  bool recovery = true;
};

// Errors: 3135 (not a full WITH SNAPSHOT backup), 3154/3159 (existing database, no REPLACE),
// 3234 (unknown MOVE name), 3176 (two files on one path), usage (bad path).
Result<SnapshotRestorePlan> PlanSnapshotRestore(const Catalog& catalog,
                                                const RestoreRequest& options,
                                                const BackupSetInfo& info);

// After the mount: every file must exist with the size in the backup (5120 missing, 5172 wrong
// size); then the metadata is written and the database is visible.
Status CommitSnapshotRestore(const Catalog& catalog, const SnapshotRestorePlan& plan);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_SNAPSHOT_RESTORE_H_
