// The manifest of a backup set built from the job's facts (proto Manifest, shared/stripe IO).
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_MANIFEST_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_MANIFEST_H_

#include <array>
#include <cstdint>
#include <string>

#include "coordinator/repo/set_promotion.h"
#include "coordinator/pipeline/backup_spec.h"
#include "coordinator/pipeline/backup_report.h"
#include "proto/manifest.pb.h"

namespace vdibk::coordinator {

// A manifest in state PENDING (stripes durable, T-SQL result unknown) with the backup type and
// copy_only of `options`; the LSNs are not known yet.
proto::Manifest BuildManifest(const BackupSpec& options, const BackupReport& report,
                              const std::array<uint8_t, 16>& set_id);


}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_MANIFEST_H_
