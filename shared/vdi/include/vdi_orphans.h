// SweepOrphanedSets: removes the /dev/shm objects of VDI sets nobody is attached to any more (a
// coordinator killed before the server attached leaves /dev/shm/vdibackup.<set>.ctl for ever).
// Not part of libsqlvdi.so's ABI (vdibackup may run with Microsoft's): link vdibk_vdi_sweep.
#ifndef VDIBK_VDI_ORPHANS_H_
#define VDIBK_VDI_ORPHANS_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vdibk::vdi {

// A set younger than this is never touched: its creator may not hold its liveness lock yet.
constexpr std::chrono::seconds kOrphanMinAge{60};

struct SweptSet {
  std::string set_name;            // decoded, as the creator gave it
  std::vector<std::string> paths;  // the /dev/shm files removed (buffer segments, then .ctl)
};

struct SweepProblem {
  std::string path;    // /dev/shm/...
  std::string reason;  // e.g. "unlink: Operation not permitted"
};

struct SweepReport {
  std::vector<SweptSet> removed;
  // Dead sets (or buffer segments without a set) that could not be removed, e.g. another user's.
  std::vector<SweepProblem> unremovable;
  // Control objects that could not be checked (no access): maybe live, left alone.
  std::vector<SweepProblem> unchecked;
};

// Removes every set in /dev/shm whose name starts with `set_prefix` ("" = all), whose control
// object (vdibackup.<set>.ctl, 0-byte ones too) no participant holds the liveness lock of and
// was last modified at least `min_age` ago, with its buffer segments (vdibackup.<set>.<tag>.buf<k>);
// and buffer segments older than `min_age` whose set has no control object. Other names, live
// sets and young ones are left alone. Race-safe against a concurrent Create of the same name
// (both take the set's cleaner lock, then re-check). Never blocks.
SweepReport SweepOrphanedSets(std::string_view set_prefix = "",
                              std::chrono::seconds min_age = kOrphanMinAge);

}  // namespace vdibk::vdi

#endif  // VDIBK_VDI_ORPHANS_H_
