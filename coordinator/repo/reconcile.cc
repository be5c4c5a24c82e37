// ReconcileCatalog: one history lookup per unconfirmed set, promotion of the recorded ones.
#include "coordinator/repo/reconcile.h"

#include "coordinator/repo/set_promotion.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {

const char* ReconcileResultName(ReconcileResult r) {
  switch (r) {
    case ReconcileResult::kConfirmed:
      return "confirmed";
    case ReconcileResult::kNotRecorded:
      return "not-recorded";
    case ReconcileResult::kUnreachable:
      return "unreachable";
    case ReconcileResult::kInUse:
      return "in-use";
    case ReconcileResult::kPromoteFailed:
      return "promote-failed";
  }
  return "unreachable";
}

std::vector<ReconcileItem> ReconcileCatalog(SqlRunner& sql, const RepoStore& store,
                                            RepoCatalog& catalog, const ReconcileOptions& options,
                                            const std::atomic<bool>* stop) {
  std::vector<ReconcileItem> out;
  std::string unreachable;  // set after the first unreachable answer
  LookupPolicy policy = options.policy;
  policy.until_recorded = false;
  for (size_t i = 0; i < catalog.sets.size(); ++i) {
    CatalogSet& s = catalog.sets[i];
    if (s.state != SetState::kUnconfirmed) continue;
    if (!options.set.empty() && s.name != options.set) continue;
    ReconcileItem item;
    item.index = i;
    if (s.in_use) {
      item.result = ReconcileResult::kInUse;
      item.detail = "a running backup holds its lock";
      out.push_back(std::move(item));
      continue;
    }
    if (!unreachable.empty() || (stop && stop->load())) {
      item.result = ReconcileResult::kUnreachable;
      item.detail = unreachable.empty() ? "interrupted" : unreachable;
      out.push_back(std::move(item));
      continue;
    }
    const BackupKey key{s.database, HistoryNameOf(s.manifest), BackupKindOf(s.manifest),
                        s.manifest.copy_only()};
    HistoryAnswer a = LookUpBackup(sql, key, policy, stop);
    item.detail = a.detail;
    switch (a.verdict) {
      case HistoryVerdict::kUnreachable:
        item.result = ReconcileResult::kUnreachable;
        unreachable = "not asked: the server did not answer for an earlier set (" + a.detail + ")";
        break;
      case HistoryVerdict::kNotRecorded:
        item.result = ReconcileResult::kNotRecorded;
        s.history = SetHistory::kNotRecorded;
        break;
      case HistoryVerdict::kRecorded:
        s.history = SetHistory::kRecorded;
        item.result = ReconcileResult::kConfirmed;
        if (options.dry_run) break;
        item.status = PromoteSet(store, s.database, s.name, a.row, "reconcile");
        if (!item.status.ok()) {
          item.result = ReconcileResult::kPromoteFailed;
          break;
        }
        log::Info("confirmed " + s.database + "/" + s.name + " from " + a.detail);
        {
          const SetHistory history = s.history;
          const std::string base = s.base;
          s = ScanSet(store, s.database, s.name);
          s.history = history;
          s.base = base;
        }
        break;
    }
    out.push_back(std::move(item));
  }
  // Promoted fulls can be bases of other sets now.
  LinkChains(&catalog.sets);
  return out;
}

}  // namespace vdibk::coordinator
