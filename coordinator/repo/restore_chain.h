// Restore chains: which backup sets `vdibackup restore --set latest [--until TIME]` restores,
// in order (the last full or differential with its full, then the log backups after it),
// decided from the manifests alone before anything reaches the server.
#ifndef VDIBK_COORDINATOR_REPO_RESTORE_CHAIN_H_
#define VDIBK_COORDINATOR_REPO_RESTORE_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/repo/repo_store.h"
#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// A complete backup set of the repository.
struct ChainSet {
  std::string name;      // the set name
  std::string location;  // RepoStore::SetLocation (REPO/<database>/<name>)
  proto::Manifest manifest;
};

// A set of the database that cannot take part in a chain although the server may have taken
// it: its manifest is PENDING (unconfirmed) or unreadable (corrupt). A chain that reaches past
// its time may be missing it.
struct ChainBlocker {
  std::string name;
  std::string location;      // RepoStore::SetLocation
  std::string state;         // "unconfirmed" or "corrupt"
  std::string kind;          // "full", "diff", "log" (manifest, else the name's suffix), "unknown"
  int64_t time_unix_ms = 0;  // manifest start, else the name's UTC stamp
  std::string problem;       // corrupt: why
};

// The COMPLETE sets of `database` in `store` (manifests only; stripes are checked later by
// LoadRestoreSet). Directories without a manifest (failed backups) are skipped; sets with a
// PENDING or unreadable manifest go to `*blockers` (may be null).
// Errors: kMissing (no backups of the database), kUsage (bad database name).
Result<std::vector<ChainSet>> ListChainSets(const RepoStore& store, const std::string& database,
                                            std::vector<ChainBlocker>* blockers = nullptr);
// ListChainSets of the local repository directory `repo` (LocalRepoStore).
Result<std::vector<ChainSet>> ListChainSets(const std::string& repo, const std::string& database,
                                            std::vector<ChainBlocker>* blockers = nullptr);

// The sets to restore, in order. Only sets started at or before `until_unix_ms` count.
//  1. The start is the newest full or differential backup. A differential needs its full: the
//     newest non-copy-only full, older than it, whose checkpoint_lsn equals the differential's
//     database_backup_lsn (a copy-only full is never a differential base, but it can be the
//     start when it is the newest). Then come [full, differential] or [full].
//  2. Then every non-copy-only log backup, in LSN order, from the one that covers the start's
//     last_lsn (first_lsn <= it < last_lsn): each next log begins where the previous ended.
//     Logs that end at or before that point are already covered and skipped. Copy-only logs
//     never join a chain (restore them with --set).
// Errors (kMissing, naming the sets): no full/differential, a differential whose full is not
// there, a gap before or between log backups, a log or start without LSNs (sets written before
// vdibackup recorded them can only be restored alone).
// With `gap` (not null), a gap between log backups ends the chain before it instead of failing,
// and *gap says what is missing (empty when there is no gap).
Result<std::vector<ChainSet>> PlanRestoreChain(std::vector<ChainSet> sets,
                                               std::optional<int64_t> until_unix_ms,
                                               std::string* gap = nullptr);

// The blockers a restore to the end of `chain` may be missing: those whose time is after the
// chain's first set (and at or before `until_unix_ms` when given), oldest first.
std::vector<ChainBlocker> BlockersAfter(const std::vector<ChainSet>& chain,
                                        const std::vector<ChainBlocker>& blockers,
                                        std::optional<int64_t> until_unix_ms);

// One line per blocker: "unconfirmed log backup 20240131T..._log (manifest PENDING: run
// `vdibackup reconcile`)" / "corrupt ... backup X (<problem>)".
std::string DescribeBlockers(const std::vector<ChainBlocker>& blockers);

// "full", "diff", "log" for a manifest's backup type.
const char* ChainSetTypeName(const proto::Manifest& m);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_RESTORE_CHAIN_H_
