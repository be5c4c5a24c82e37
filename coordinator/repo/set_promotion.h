// PromoteSet: turns an unconfirmed set (manifest PENDING) into a complete one (COMPLETE, with the
// LSNs of the server's backup history row) — the one place a manifest is promoted, used by the
// backup that took the set and by `vdibackup reconcile`.
#ifndef VDIBK_COORDINATOR_REPO_SET_PROMOTION_H_
#define VDIBK_COORDINATOR_REPO_SET_PROMOTION_H_

#include <string>

#include "coordinator/repo/repo_store.h"
#include "coordinator/sql/backup_history_row.h"
#include "coordinator/sql/backup_kind.h"
#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// The history NAME of a set: the manifest's history_name, else derived from its set id.
std::string HistoryNameOf(const proto::Manifest& m);
// The backup kind of a manifest's backup_type.
// The manifest's backup_type for a --type.
proto::BackupType ManifestBackupType(BackupKind kind);

// Copies the LSNs of the backup's own history row into the manifest (first_lsn, last_lsn,
// checkpoint_lsn, database_backup_lsn; a differential's database_backup_lsn is its base).
void SetManifestLsns(const BackupHistoryRow& row, proto::Manifest* m);
BackupKind BackupKindOf(const proto::Manifest& m);

// Reads the manifest of set `set` of `database` in `store`, checks it is this backup's (PENDING
// or already COMPLETE, the row's NAME, type and copy-only flag), sets the row's LSNs,
// `confirmed_by` and state COMPLETE, and rewrites it durably (the target's temp, fsync, rename,
// fsync dir). A set already COMPLETE is left as it is. Errors: kMissing/kIntegrity (no or corrupt
// manifest), kMissing (the row is another backup's), kTargetIo (the write failed: the PENDING
// manifest stays).
Status PromoteSet(const RepoStore& store, const std::string& database, const std::string& set,
                  const BackupHistoryRow& row, const std::string& confirmed_by);
// PromoteSet of the local set directory `set_dir`.
Status PromoteSet(const std::string& set_dir, const BackupHistoryRow& row,
                  const std::string& confirmed_by);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_SET_PROMOTION_H_
