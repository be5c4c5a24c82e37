// BackupsBeyondChain / DescribeHistoryRows.
#include "coordinator/repo/chain_history.h"

#include "coordinator/repo/repo_catalog.h"  // CompareLsn
#include "coordinator/repo/set_promotion.h"

namespace vdibk::coordinator {
namespace {

const char* RowType(char t) {
  switch (t) {
    case 'D':
      return "full";
    case 'I':
      return "diff";
    case 'L':
      return "log";
  }
  return "unknown";
}

}  // namespace

std::vector<BackupHistoryRow> BackupsBeyondChain(const std::vector<ChainSet>& chain,
                                                 const std::vector<ChainSet>& repo_sets,
                                                 const std::vector<BackupHistoryRow>& rows,
                                                 std::optional<int64_t> until_unix_ms) {
  std::vector<BackupHistoryRow> out;
  if (chain.empty() || chain.back().manifest.last_lsn().empty()) return out;
  const std::string& end = chain.back().manifest.last_lsn();
  for (const BackupHistoryRow& r : rows) {
    if (r.copy_only || r.last_lsn.empty() || CompareLsn(r.last_lsn, end) <= 0) continue;
    if (r.type != 'D' && r.type != 'I' && r.type != 'L') continue;
    const ChainSet* ours = nullptr;
    for (const ChainSet& s : repo_sets) {
      if (!r.name.empty() && HistoryNameOf(s.manifest) == r.name) ours = &s;
    }
    const int64_t started = ours ? ours->manifest.started_unix_ms() : r.start_unix_ms;
    if (until_unix_ms && started > *until_unix_ms) continue;
    out.push_back(r);
  }
  return out;
}

std::string DescribeHistoryRows(const std::vector<BackupHistoryRow>& rows) {
  std::string out;
  for (const BackupHistoryRow& r : rows) {
    out += (out.empty() ? "" : "; ") + std::string(RowType(r.type)) + " backup '" +
           (r.name.empty() ? "(no name)" : r.name) + "' (backup_set_id " +
           std::to_string(r.backup_set_id) + ", LSN " + r.first_lsn + ".." + r.last_lsn +
           (r.start_date.empty() ? "" : ", started " + r.start_date) + ")";
  }
  return out;
}

}  // namespace vdibk::coordinator
