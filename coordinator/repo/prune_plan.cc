// PlanPrune: retention roots (newest fulls, recent sets), dependency closure, then the verdict
// for everything else.
#include "coordinator/repo/prune_plan.h"

#include <algorithm>
#include <limits>
#include <map>

namespace vdibk::coordinator {
namespace {

bool IsGoodFull(const CatalogSet& s) {
  return s.state == SetState::kGood && s.kind == SetKind::kFull;
}
bool IsChainMember(const CatalogSet& s) {
  return s.has_manifest() && (s.kind == SetKind::kDiff || s.kind == SetKind::kLog);
}

// One database's sets (indexes into the catalog).
void PlanDatabase(const RepoCatalog& catalog, const std::vector<size_t>& sets,
                  const PrunePolicy& policy, std::map<size_t, std::string>* keep,
                  std::map<size_t, std::string>* remove) {
  const auto& all = catalog.sets;
  auto kept = [&](size_t i) { return keep->count(i) != 0; };

  // 1. Roots: the newest good fulls, and recent sets.
  std::vector<size_t> fulls;
  for (size_t i : sets) {
    if (IsGoodFull(all[i])) fulls.push_back(i);
  }
  std::sort(fulls.begin(), fulls.end(), [&](size_t a, size_t b) {
    if (all[a].time_unix_ms != all[b].time_unix_ms)
      return all[a].time_unix_ms > all[b].time_unix_ms;
    return all[a].name > all[b].name;
  });
  for (size_t k = 0; k < fulls.size() && k < policy.keep_full; ++k) {
    keep->emplace(fulls[k],
                  "one of the newest " + std::to_string(policy.keep_full) + " good fulls");
  }
  if (policy.keep_days) {
    const int64_t cutoff = policy.now_unix_ms - int64_t{*policy.keep_days} * 86400 * 1000;
    for (size_t i : sets) {
      if (all[i].state != SetState::kGarbage && all[i].time_unix_ms >= cutoff) {
        keep->emplace(i, "newer than " + std::to_string(*policy.keep_days) + " days");
      }
    }
  }
  // 2. Dependencies, to a fixed point.
  auto find_full = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i : fulls) {
      if (all[i].name == name) return i;
    }
    return std::nullopt;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i : sets) {
      if (!kept(i)) continue;
      const CatalogSet& s = all[i];
      for (size_t j : sets) {
        if (kept(j)) continue;
        const CatalogSet& d = all[j];
        std::string why;
        if (IsGoodFull(s) && IsChainMember(d) && d.base == s.name) {
          why = "in the chain of kept full " + s.name;
        } else if (s.kind == SetKind::kLog && d.kind == SetKind::kLog && !s.base.empty() &&
                   d.base == s.base && d.log_position != 0 && d.log_position < s.log_position) {
          why = "earlier log needed by kept " + s.name;
        }
        if (!why.empty()) {
          keep->emplace(j, why);
          changed = true;
        }
      }
      if (IsChainMember(s) && !s.base.empty()) {
        if (std::optional<size_t> b = find_full(s.base); b && !kept(*b)) {
          keep->emplace(*b, "base of kept " + s.name);
          changed = true;
        }
      }
    }
  }

  int64_t oldest_kept_full = std::numeric_limits<int64_t>::min();
  bool any_full_kept = false;
  for (size_t i : fulls) {
    if (!kept(i)) continue;
    oldest_kept_full =
        any_full_kept ? std::min(oldest_kept_full, all[i].time_unix_ms) : all[i].time_unix_ms;
    any_full_kept = true;
  }

  // 3-6. Everything else.
  for (size_t i : sets) {
    if (kept(i)) continue;
    const CatalogSet& s = all[i];
    if (s.in_use) {
      keep->emplace(i, "a running backup holds its lock");
    } else if (s.state == SetState::kUnconfirmed) {
      // The server may have committed it: only its own history can let it go.
      const bool idle = policy.now_unix_ms - s.newest_mtime_ms >= policy.grace_ms;
      if (s.history == SetHistory::kNotRecorded && idle) {
        remove->emplace(i, "unconfirmed, and the server's backup history does not have it");
      } else if (s.history == SetHistory::kNotRecorded) {
        keep->emplace(i,
                      "unconfirmed, not in the server's backup history, but modified within "
                      "the grace period");
      } else if (s.history == SetHistory::kRecorded) {
        keep->emplace(i,
                      "unconfirmed, but the server's backup history records it: "
                      "`vdibackup reconcile` confirms it");
      } else {
        keep->emplace(i,
                      "unconfirmed, and the server's backup history could not be asked: "
                      "run `vdibackup reconcile`");
      }
    } else if (s.state == SetState::kGarbage) {
      if (policy.now_unix_ms - s.newest_mtime_ms < policy.grace_ms) {
        keep->emplace(i, "garbage, but modified within the grace period");
      } else {
        remove->emplace(i, "garbage: no manifest");
      }
    } else if (IsGoodFull(s)) {
      remove->emplace(i,
                      "older than the newest " + std::to_string(policy.keep_full) + " good fulls");
    } else if (s.state == SetState::kGood && IsChainMember(s) && !s.base.empty()) {
      remove->emplace(i, "based on removed full " + s.base);
    } else if (!any_full_kept || s.time_unix_ms >= oldest_kept_full) {
      keep->emplace(
          i, std::string(s.state == SetState::kGood ? "no base full" : SetStateName(s.state)) +
                 ", not older than the oldest kept full");
    } else {
      remove->emplace(
          i, std::string(s.state == SetState::kGood ? "no base full" : SetStateName(s.state)) +
                 ", older than the oldest kept full");
    }
  }
}

}  // namespace

PrunePlan PlanPrune(const RepoCatalog& catalog, const PrunePolicy& policy) {
  std::map<std::string, std::vector<size_t>> by_db;
  for (size_t i = 0; i < catalog.sets.size(); ++i) by_db[catalog.sets[i].database].push_back(i);
  std::map<size_t, std::string> keep, remove;
  for (const auto& [db, sets] : by_db) PlanDatabase(catalog, sets, policy, &keep, &remove);

  PrunePlan plan;
  for (auto& [i, why] : keep) plan.keep.push_back({i, std::move(why)});
  for (auto& [i, why] : remove) plan.remove.push_back({i, std::move(why)});
  // Dependents first, so an interrupted run never leaves a diff/log without its full; within
  // each group oldest first (catalog order).
  std::stable_sort(plan.remove.begin(), plan.remove.end(),
                   [&](const PruneItem& a, const PruneItem& b) {
                     return !IsGoodFull(catalog.sets[a.index]) && IsGoodFull(catalog.sets[b.index]);
                   });
  return plan;
}

}  // namespace vdibk::coordinator
