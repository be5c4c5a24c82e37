// BackupDiscard: counting the devices' VDC_Discard and removing the abandoned set once.
#include "coordinator/pipeline/backup_discard.h"

#include <string>

#include "shared/base/log.h"

namespace vdibk::coordinator {

BackupDiscard::BackupDiscard(uint32_t devices, std::function<void()> remove)
    : seen_(devices, false), left_(devices), remove_(std::move(remove)) {}

bool BackupDiscard::OnDiscard(uint32_t device) {
  std::lock_guard<std::mutex> lock(mu_);
  if (device >= seen_.size() || seen_[device]) return false;
  seen_[device] = true;
  log::Warn("device " + std::to_string(device) +
            ": VDC_Discard: the server is abandoning the backup set");
  if (--left_ != 0) return false;
  // Under the lock: a concurrent caller for a repeated device must not see removed_ early.
  if (remove_) remove_();
  removed_ = true;
  log::Warn("VDC_Discard on all " + std::to_string(seen_.size()) +
            " devices: removed everything the backup set wrote");
  return true;
}

bool BackupDiscard::removed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return removed_;
}

}  // namespace vdibk::coordinator
