// BackupsBeyondChain: the backups the server's history (msdb.dbo.backupset) records for a
// database that a restore to the end of a chain would not reach — what the repository is
// missing, named so that a restore never quietly stops short of the server's latest backup.
#ifndef VDIBK_COORDINATOR_REPO_CHAIN_HISTORY_H_
#define VDIBK_COORDINATOR_REPO_CHAIN_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/sql/backup_history_row.h"
#include "coordinator/repo/restore_chain.h"

namespace vdibk::coordinator {

// The rows past the chain's end: not copy-only, last_lsn beyond the chain's last set's last_lsn,
// and wanted by `until_unix_ms`: a row of a set in the repository (`repo_sets`, by its history
// NAME) counts when that set started at or before it; any other row when the server started it
// at or before it. Empty when the chain's last set has no LSNs (nothing to compare).
std::vector<BackupHistoryRow> BackupsBeyondChain(const std::vector<ChainSet>& chain,
                                                 const std::vector<ChainSet>& repo_sets,
                                                 const std::vector<BackupHistoryRow>& rows,
                                                 std::optional<int64_t> until_unix_ms);

// "log backup 'vdibackup 0a..' (backup_set_id 7, LSN 120..170, started 2024-01-31 23:59:59.000)"
// per row, joined with "; ".
std::string DescribeHistoryRows(const std::vector<BackupHistoryRow>& rows);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_CHAIN_HISTORY_H_
