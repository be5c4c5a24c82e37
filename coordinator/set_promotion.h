// PromoteSet: turns an unconfirmed set (manifest PENDING) into a complete one (COMPLETE, with the
// LSNs of the server's backup history row) — the one place a manifest is promoted, used by the
// backup that took the set and by `vdibackup reconcile`.
#ifndef VDIBK_COORDINATOR_SET_PROMOTION_H_
#define VDIBK_COORDINATOR_SET_PROMOTION_H_

#include <string>

#include "coordinator/backup_history.h"
#include "coordinator/backup_options.h"
#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// The history NAME of a set: the manifest's history_name, else derived from its set id.
std::string HistoryNameOf(const proto::Manifest& m);
// The backup kind of a manifest's backup_type.
BackupKind BackupKindOf(const proto::Manifest& m);

// Reads `set_dir`'s manifest, checks it is this backup's (PENDING or already COMPLETE, the row's
// NAME, type and copy-only flag), sets the row's LSNs, `confirmed_by` and state COMPLETE, and
// rewrites it durably (temp, fsync, rename, fsync dir). A set already COMPLETE is left as it is.
// Errors: kMissing/kIntegrity (no or corrupt manifest), kMissing (the row is another backup's),
// kTargetIo (the write failed: the PENDING manifest stays).
Status PromoteSet(const std::string& set_dir, const BackupHistoryRow& row,
                  const std::string& confirmed_by);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SET_PROMOTION_H_
