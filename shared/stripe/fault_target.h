// FaultTarget: a Target decorator for tests that injects the failures real disks produce:
// ENOSPC after N bytes, EIO from the Nth fsync/fdatasync, a failing rename (Commit).
#ifndef VDIBK_SHARED_STRIPE_FAULT_TARGET_H_
#define VDIBK_SHARED_STRIPE_FAULT_TARGET_H_

#include <cstdint>
#include <optional>
#include <string>

#include "shared/stripe/target.h"

namespace vdibk::stripe {

struct FaultSpec {
  // Bytes accepted per file before writes fail with ENOSPC (the write that crosses the limit
  // stores the part that fits, like a real full disk). Default: never.
  std::optional<uint64_t> enospc_after_bytes;
  // The Nth Sync() (1-based, per file) and every later one fails with EIO. 0 = never.
  int fail_sync_at = 0;
  // Commit fails with EIO before publishing the file.
  bool fail_commit = false;
};

// Wraps `inner`, which must outlive it and every file it creates. Not thread-safe.
class FaultTarget final : public Target {
 public:
  FaultTarget(Target* inner, FaultSpec spec) : inner_(inner), spec_(spec) {}

  Result<std::unique_ptr<WritableFile>> Create(const std::string& name,
                                               const CreateOptions& options) override;
  using Target::Create;
  Result<std::unique_ptr<ReadableFile>> Open(const std::string& name) override {
    return inner_->Open(name);
  }
  Result<std::unique_ptr<PlacementFile>> OpenForPlacement(const std::string& name) override {
    return inner_->OpenForPlacement(name);
  }
  std::string Describe() const override { return "fault(" + inner_->Describe() + ")"; }

  // Counters over all files, for assertions (e.g. "fsync failed once and was never retried").
  int sync_calls() const { return sync_calls_; }
  int failed_syncs() const { return failed_syncs_; }

 private:
  friend class FaultWritableFile;
  Target* inner_;
  FaultSpec spec_;
  int sync_calls_ = 0;
  int failed_syncs_ = 0;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_FAULT_TARGET_H_
