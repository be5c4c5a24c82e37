// PlanPrune: which sets of a RepoCatalog `vdibackup prune` keeps and which it removes, with the
// reason for each. Pure (no I/O); the rules are listed at PlanPrune.
#ifndef VDIBK_COORDINATOR_REPO_PRUNE_PLAN_H_
#define VDIBK_COORDINATOR_REPO_PRUNE_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/repo/repo_catalog.h"

namespace vdibk::coordinator {

struct PrunePolicy {
  uint32_t keep_full = 1;             // newest good fulls kept per database (>= 1)
  std::optional<uint32_t> keep_days;  // sets started less than this many days ago are kept
  int64_t now_unix_ms = 0;
  int64_t grace_ms = 60 * 60 * 1000;  // garbage modified more recently than this is kept
};

struct PruneItem {
  size_t index = 0;  // into RepoCatalog::sets
  std::string reason;
};

struct PrunePlan {
  std::vector<PruneItem> keep;    // catalog order
  std::vector<PruneItem> remove;  // removal order: dependents (diff/log) before fulls, oldest first
};

// Rules (per database):
//  1. Keep the newest `keep_full` good fulls, and every set (but garbage) newer than keep_days.
//  2. Keep whatever a kept set needs, to a fixed point: a kept full keeps every diff and log
//     based on it; a kept diff/log keeps its base full; a kept log keeps the earlier logs of its
//     chain.
//  3. Never remove a set whose lock a running backup holds (in_use).
//  4. Garbage (no manifest) is removed once its newest file is older than grace_ms.
//  5. Other good fulls are removed, and the diffs/logs based on them.
//  5a. Unconfirmed sets (the server may have committed them) are removed only when the server's
//     backup history says it does not have them (history kNotRecorded, asked by reconcile) and
//     their newest file is older than grace_ms; otherwise they are kept.
//  6. Corrupt sets, and diffs/logs whose base full is not in the repository, are removed only
//     when older than the oldest kept full (with no kept full, they are kept).
PrunePlan PlanPrune(const RepoCatalog& catalog, const PrunePolicy& policy);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_PRUNE_PLAN_H_
