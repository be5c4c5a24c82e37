// The orphaned VDI sets check: removes the /dev/shm objects of sets whose every participant died
// (vdi_orphans.h) and reports them, for `vdibackup doctor` and at the start of backup/restore.
#ifndef VDIBK_COORDINATOR_DOCTOR_DOCTOR_ORPHANS_H_
#define VDIBK_COORDINATOR_DOCTOR_DOCTOR_ORPHANS_H_

#include <chrono>
#include <string_view>

#include "coordinator/doctor/doctor_checks.h"
#include "vdi_orphans.h"

namespace vdibk::coordinator {

// "orphan-sets": PASS naming what was removed (or that nothing was orphaned); WARN with the fix
// (remove them as their owner or root) for dead sets that could not be removed. Sets that could
// not be checked (another user's, no access) are named in the detail only: they may be live.
CheckResult OrphanedSetsResult(const vdi::SweepReport& report);

// The age guard: $VDIBACKUP_ORPHAN_MIN_AGE (whole seconds) when set and valid, else 60 s.
std::chrono::seconds OrphanMinAge();

// Sweeps (SweepOrphanedSets with `set_prefix` and `min_age`) and reports as above.
CheckResult CheckOrphanedSets(std::string_view set_prefix = "",
                              std::chrono::seconds min_age = OrphanMinAge());

// The start of backup and restore: sweeps every set (OrphanMinAge()) and logs one line per set
// removed (and a warning per one that could not be), so that killed runs do not fill /dev/shm.
void SweepOrphanedSetsAtStart();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_DOCTOR_DOCTOR_ORPHANS_H_
