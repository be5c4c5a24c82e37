// Restore chains: which backup sets `vdibackup restore --set latest [--until TIME]` restores,
// in order (the last full or differential with its full, then the log backups after it),
// decided from the manifests alone before anything reaches the server.
#ifndef VDIBK_COORDINATOR_RESTORE_CHAIN_H_
#define VDIBK_COORDINATOR_RESTORE_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// A complete backup set of the repository.
struct ChainSet {
  std::string name;  // the set directory name
  std::string dir;   // REPO/<database>/<name>
  proto::Manifest manifest;
};

// The COMPLETE sets of `database` in `repo` (manifests only; stripes are checked later by
// LoadRestoreSet). Directories without a manifest or with a PENDING one are skipped; so is a
// corrupt manifest, with a warning (a chain that needed it then has a gap and says so).
// Errors: kMissing (no backups of the database), kUsage (bad database name).
Result<std::vector<ChainSet>> ListChainSets(const std::string& repo, const std::string& database);

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
Result<std::vector<ChainSet>> PlanRestoreChain(std::vector<ChainSet> sets,
                                               std::optional<int64_t> until_unix_ms);

// "full", "diff", "log" for a manifest's backup type.
const char* ChainSetTypeName(const proto::Manifest& m);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_RESTORE_CHAIN_H_
