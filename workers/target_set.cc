// TargetSet: directory -> target, opened lazily.
#include "workers/target_set.h"

namespace vdibk::workers {

TargetSet TargetSet::Single(std::unique_ptr<stripe::Target> target) {
  TargetSet s(nullptr);
  s.single_ = std::move(target);
  return s;
}

Result<stripe::Target*> TargetSet::For(const std::string& dir) {
  if (single_) return single_.get();
  auto it = by_dir_.find(dir);
  if (it != by_dir_.end()) return it->second.get();
  if (!open_) return Status::Failed("no target for '" + dir + "'");
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> t, open_(dir));
  if (!t) return Status::Failed("no target for '" + dir + "'");
  stripe::Target* raw = t.get();
  by_dir_.emplace(dir, std::move(t));
  return raw;
}

}  // namespace vdibk::workers
