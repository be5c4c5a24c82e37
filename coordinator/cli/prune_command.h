// `vdibackup prune`: applies the retention rules of PlanPrune to the repository. Each removal
// hides the set first (RepoStore::HideSet: a local set directory is renamed ".pruning-<set>"),
// then deletes it; a later run finishes any leftover hidden set. Prints every decision (or,
// --dry-run, what it would remove). A set's stripe directories on other --target roots (the
// manifest's stripe locations) go with it and are listed under it; nothing outside them is touched
// (prune_targets.h).
#ifndef VDIBK_COORDINATOR_CLI_PRUNE_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_PRUNE_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/cli/prune_options.h"
#include "coordinator/repo/local_repo_store.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/status.h"

namespace vdibk::coordinator {

inline constexpr const char* kPruningPrefix = kHiddenSetPrefix;

// Runs prune at time `now_unix_ms`, appending one line per decision to `*report`. Stops at the
// first failed removal (dependents go first, so a base full is never removed before its chain).
// Errors: kConfiguration/kUsage (repo, database), kTargetIo (rename/remove failed).
// Unconfirmed sets are first settled through `sql` (reconcile.h; not asked when null or when
// there are none): the recorded ones are promoted (--dry-run: reported), and only those the
// server's history does not have may be removed (PlanPrune rule 5a).
Status RunPrune(const PruneOptions& options, int64_t now_unix_ms, std::string* report,
                SqlRunner* sql = nullptr);
// RunPrune on an opened repository (`options.repo` is not read).
Status RunPrune(const RepoStore& store, const PruneOptions& options, int64_t now_unix_ms,
                std::string* report, SqlRunner* sql = nullptr);

// `args` are the arguments after "prune". Returns the exit code.
int RunPruneCommand(const std::vector<std::string>& args, const std::string& bin_dir);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_PRUNE_COMMAND_H_
