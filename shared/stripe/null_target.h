// NullTarget: discards every byte but counts them (benchmarks, dry runs). Nothing can be read back.
#ifndef VDIBK_SHARED_STRIPE_NULL_TARGET_H_
#define VDIBK_SHARED_STRIPE_NULL_TARGET_H_

#include <atomic>
#include <string>

#include "shared/stripe/target.h"

namespace vdibk::stripe {

// Thread-safe counters; files created from it must not outlive it.
class NullTarget final : public Target {
 public:
  Result<std::unique_ptr<WritableFile>> Create(const std::string& name,
                                               const CreateOptions& options) override;
  using Target::Create;
  // Always kMissing: a null target keeps nothing.
  Result<std::unique_ptr<ReadableFile>> Open(const std::string& name) override;
  // Discards placed bytes (fan-out encoders of a null target).
  Result<std::unique_ptr<PlacementFile>> OpenForPlacement(const std::string& name) override;
  std::string Describe() const override { return "null"; }

  uint64_t bytes_written() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t files_committed() const { return commits_.load(std::memory_order_relaxed); }

 private:
  friend class NullWritableFile;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> commits_{0};
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_NULL_TARGET_H_
