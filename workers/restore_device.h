// RestoreStripes: the stripes a restore worker serves: one StripeReader per assigned device,
// the per-device request order check, and reads of any size into caller (mapped VDI) buffers.
#ifndef VDIBK_WORKERS_RESTORE_DEVICE_H_
#define VDIBK_WORKERS_RESTORE_DEVICE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "shared/base/result.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/target.h"
#include "workers/device_stripes.h"
#include "workers/target_set.h"

namespace vdibk::workers {

// Single-threaded, move-only. Owns the targets and the readers.
class RestoreStripes {
 public:
  // Opens every assigned stripe (on the target of its target_dir) and checks its header against
  // the spec (set id, device index and count). Errors: kMissing (absent or foreign stripe),
  // kIntegrity (corrupt header/trailer), kConfiguration (unusable target).
  static Result<RestoreStripes> Open(const StripeSetSpec& spec, TargetSet targets);
  // Every stripe on `target`.
  static Result<RestoreStripes> Open(const StripeSetSpec& spec,
                                     std::unique_ptr<stripe::Target> target) {
    return Open(spec, TargetSet::Single(std::move(target)));
  }
  RestoreStripes(RestoreStripes&&) noexcept = default;
  RestoreStripes& operator=(RestoreStripes&&) noexcept = default;

  // As DeviceStripes::Accept: `command_seq` must be the next one of an assigned device.
  Status Accept(uint32_t device, uint64_t command_seq);
  // Decompresses up to `size` bytes of the device stream into `dst`; fewer only at the end of
  // the stripe (0 once it is exhausted). Errors: kIntegrity (checksum/digest), kTargetIo.
  Result<size_t> Read(uint32_t device, void* dst, size_t size);

  std::vector<uint32_t> device_indexes() const;
  uint64_t max_transfer_size() const { return max_transfer_size_; }

 private:
  struct Device {
    std::unique_ptr<stripe::StripeReader> reader;
    uint64_t last_seq = 0;
    uint64_t bytes_out = 0;  // raw bytes handed to SQL Server
  };
  RestoreStripes() = default;

  TargetSet targets_{nullptr};  // declared first: outlives the readers
  std::map<uint32_t, Device> devices_;
  uint64_t max_transfer_size_ = 0;
};

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_RESTORE_DEVICE_H_
