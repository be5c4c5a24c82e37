// ReconcileCatalog: settles unconfirmed sets (manifest PENDING: stripes durable, the server's
// verdict unknown) against the server's backup history: a set the history records is promoted
// COMPLETE; one it does not record is marked so (prune may then remove it after its grace
// period); none is removed here. Used by `vdibackup reconcile` and before `vdibackup prune`.
#ifndef VDIBK_COORDINATOR_REPO_RECONCILE_H_
#define VDIBK_COORDINATOR_REPO_RECONCILE_H_

#include <atomic>
#include <string>
#include <vector>

#include "coordinator/sql/history_lookup.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/status.h"

namespace vdibk::coordinator {

enum class ReconcileResult {
  kConfirmed,      // recorded by the server: promoted COMPLETE (or would be, dry run)
  kNotRecorded,    // the server answered and has no such backup
  kUnreachable,    // the server could not be asked
  kInUse,          // a running backup holds the set's lock: its own backup decides
  kPromoteFailed,  // recorded, but the manifest could not be rewritten
};
const char* ReconcileResultName(ReconcileResult r);  // "confirmed", "not-recorded", ...

struct ReconcileItem {
  size_t index = 0;  // into RepoCatalog::sets
  ReconcileResult result = ReconcileResult::kUnreachable;
  std::string detail;
  Status status;  // kPromoteFailed: why
};

struct ReconcileOptions {
  bool dry_run = false;  // ask, but promote nothing
  LookupPolicy policy;   // per set; until_recorded is ignored (one verdict per set)
  std::string set;       // only this set name (empty: every unconfirmed set)
};

// Asks the history of every unconfirmed set of `catalog` (scanned from `store`; catalog order) and
// promotes the recorded ones; their catalog entries are rescanned (kGood), those the server does
// not have get history kNotRecorded. After the first unreachable answer the remaining sets are not
// asked (one login timeout, not one per set). `stop` (may be null) ends it early.
std::vector<ReconcileItem> ReconcileCatalog(SqlRunner& sql, const RepoStore& store,
                                            RepoCatalog& catalog, const ReconcileOptions& options,
                                            const std::atomic<bool>* stop = nullptr);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_RECONCILE_H_
