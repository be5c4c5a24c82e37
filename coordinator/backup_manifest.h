// The manifest of a backup set built from the job's facts (proto Manifest, shared/stripe IO).
#ifndef VDIBK_COORDINATOR_BACKUP_MANIFEST_H_
#define VDIBK_COORDINATOR_BACKUP_MANIFEST_H_

#include <array>
#include <cstdint>
#include <string>

#include "coordinator/backup_history.h"
#include "coordinator/backup_options.h"
#include "coordinator/backup_report.h"
#include "proto/manifest.pb.h"

namespace vdibk::coordinator {

// A manifest in state PENDING (stripes durable, T-SQL result unknown) with the backup type and
// copy_only of `options`; the LSNs are not known yet.
proto::Manifest BuildManifest(const BackupOptions& options, const BackupReport& report,
                              const std::array<uint8_t, 16>& set_id);

// The manifest's backup_type for a --type.
proto::BackupType ManifestBackupType(BackupKind kind);

// Copies the LSNs of the backup's own history row into the manifest (first_lsn, last_lsn,
// checkpoint_lsn, database_backup_lsn; a differential's database_backup_lsn is its base).
void SetManifestLsns(const BackupHistoryRow& row, proto::Manifest* m);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_BACKUP_MANIFEST_H_
