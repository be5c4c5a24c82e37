// RemoveDeadSet: the one way a set nobody is attached to leaves /dev/shm when its own participants
// could not remove it (a killed creator): CreateAsPrimary reusing the name, and the orphan sweep.
// Race-safe: the remover holds the control object's cleaner lock while it re-checks and unlinks.
#ifndef VDIBK_SHARED_VDI_SRC_DEAD_SET_H_
#define VDIBK_SHARED_VDI_SRC_DEAD_SET_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vdibk::vdi {

enum class DeadSetOutcome {
  kRemoved,  // no participant lock held: every object of the set was unlinked (see `failed`)
  kLive,     // a participant holds its lock: nothing touched
  kGone,     // the control object does not exist, or the name now refers to another object
  kYoung,    // modified less than min_age ago (its creator may not hold its lock yet)
  kBusy,     // another remover holds the cleaner lock (only when not waiting)
  kError,    // the control object could not be opened or locked: `err` says why
};

struct DeadSetResult {
  DeadSetOutcome outcome = DeadSetOutcome::kError;
  int err = 0;                       // errno of kError, or of the first failed unlink
  std::vector<std::string> removed;  // /dev/shm paths unlinked (the .ctl last)
  std::vector<std::string> failed;   // /dev/shm paths whose unlink failed
};

// Removes the set whose encoded name is `encoded` (shm_names.h) if no participant holds its lock
// and its control object was last modified at least `min_age` ago (0: any age; 0-byte objects
// of a creator killed before it sized them included). Protocol: open the control object (no
// mapping), check its age, take its cleaner lock (`wait`: blocking, else kBusy when held), then
// re-check under the lock that no participant lock is held and that the name still refers to
// the object opened, and unlink the buffer segments (any tag) and then the control object. A
// creator replacing a stale set takes the same lock, so it can never replace an object a sweep
// has judged, nor a sweep unlink the set it made. Blocking only on the cleaner lock, which no
// holder keeps for longer than a few unlinks.
DeadSetResult RemoveDeadSet(std::string_view encoded, std::chrono::seconds min_age, bool wait);

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_DEAD_SET_H_
