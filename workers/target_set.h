// TargetSet: the stripe targets of one worker's job, one per distinct directory its devices use
// (several `--target` directories spread the stripes of one worker over several disks).
#ifndef VDIBK_WORKERS_TARGET_SET_H_
#define VDIBK_WORKERS_TARGET_SET_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "shared/base/result.h"
#include "shared/stripe/target.h"

namespace vdibk::workers {

// Makes the target of one directory (for a null target the directory is ignored).
using TargetOpener = std::function<Result<std::unique_ptr<stripe::Target>>(const std::string& dir)>;

// Move-only, single-threaded. Owns its targets: files created from them must be destroyed first.
class TargetSet {
 public:
  // Opens a target per directory on first use, through `open`.
  explicit TargetSet(TargetOpener open) : open_(std::move(open)) {}
  // Every directory maps to `target` (tests, single-directory jobs).
  static TargetSet Single(std::unique_ptr<stripe::Target> target);
  TargetSet(TargetSet&&) noexcept = default;
  TargetSet& operator=(TargetSet&&) noexcept = default;

  // The target of `dir`, opened now if needed. Errors: those of the opener (kConfiguration for
  // an unusable target), kFailed for no opener.
  Result<stripe::Target*> For(const std::string& dir);
  size_t size() const { return single_ ? 1 : by_dir_.size(); }

 private:
  TargetOpener open_;
  std::unique_ptr<stripe::Target> single_;
  std::map<std::string, std::unique_ptr<stripe::Target>> by_dir_;
};

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_TARGET_SET_H_
