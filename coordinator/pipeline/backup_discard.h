// BackupDiscard: the client side of VDC_Discard (vdi-protocol.md §7.2, docs/vdi.md): a server
// that abandons a backup set sends it on every device before closing, so that the client drops
// what the set wrote. Once every device got its Discard, no data command of the set is left
// (the server completed them all first), so no worker writes any more: the set's directories
// are removed then, before the statement reports its failure. The job still fails on that.
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_DISCARD_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_DISCARD_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace vdibk::coordinator {

// Thread-safe: each device thread calls OnDiscard for its own device.
class BackupDiscard {
 public:
  // `remove` drops everything the set wrote (its directories on every target); it runs at most
  // once, on the thread of the last device's Discard.
  BackupDiscard(uint32_t devices, std::function<void()> remove);

  // Device `device` got VDC_Discard (complete it with success afterwards). True when it was the
  // last device: the set has been removed when this returns. Repeats are ignored.
  bool OnDiscard(uint32_t device);
  // True once every device got its Discard and the set was removed.
  bool removed() const;

 private:
  mutable std::mutex mu_;
  std::vector<bool> seen_;
  uint32_t left_;
  std::function<void()> remove_;
  bool removed_ = false;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_DISCARD_H_
