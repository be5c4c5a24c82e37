// The manifest of a backup set built from the job's facts (proto Manifest, shared/stripe IO).
#ifndef VDIBK_COORDINATOR_BACKUP_MANIFEST_H_
#define VDIBK_COORDINATOR_BACKUP_MANIFEST_H_

#include <array>
#include <cstdint>
#include <string>

#include "coordinator/backup_options.h"
#include "coordinator/backup_report.h"
#include "proto/manifest.pb.h"

namespace vdibk::coordinator {

// A FULL-backup manifest in state PENDING (stripes durable, T-SQL result unknown).
proto::Manifest BuildManifest(const BackupOptions& options, const BackupReport& report,
                              const std::array<uint8_t, 16>& set_id);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_BACKUP_MANIFEST_H_
