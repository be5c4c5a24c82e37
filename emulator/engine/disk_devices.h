// BACKUP ... TO DISK and RESTORE ... FROM DISK: the emulator with direct device control (the
// native baseline vdibackup is measured against). One file per DISK clause; '/dev/null' works.
#ifndef VDIBK_EMULATOR_ENGINE_DISK_DEVICES_H_
#define VDIBK_EMULATOR_ENGINE_DISK_DEVICES_H_

#include <string>
#include <vector>

#include "emulator/engine/progress_reporter.h"
#include "emulator/stream/backup_session.h"
#include "emulator/stream/restore_session.h"
#include "shared/base/status.h"

namespace vdibk::emulator {

struct DiskRunStats {
  uint64_t bytes = 0;
  double seconds = 0;
};

// Writes device i of `job` to paths[i] (created or truncated; fsync'd unless a character device),
// one thread per device, `transfer` bytes per write. Errors are SqlErrors (3201, 3202).
// `progress` (WITH STATS, optional) gets every byte written.
Status RunDiskBackup(BackupSession& job, const std::vector<std::string>& paths, uint32_t transfer,
                     DiskRunStats* stats, ProgressReporter* progress = nullptr);

// Feeds `session` from paths[i], reading in sizes that cycle through a few multiples of 64 KiB.
Status RunDiskRestore(RestoreSession& session, const std::vector<std::string>& paths,
                      DiskRunStats* stats, ProgressReporter* progress = nullptr);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_DISK_DEVICES_H_
