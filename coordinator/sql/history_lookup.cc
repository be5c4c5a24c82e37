// LookUpBackup: the history lookup with bounded, jittered exponential backoff.
#include "coordinator/sql/history_lookup.h"

#include <algorithm>
#include <random>
#include <thread>

#include "coordinator/sql/tsql_builder.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

HistoryAnswer AskOnce(SqlRunner& sql, const BackupKey& key) {
  HistoryAnswer a;
  HistoryQueryResult q = RunHistoryQuery(sql, BuildBackupLookupQuery(key.database, key.name));
  if (q.verdict != StatementVerdict::kSucceeded) {
    a.verdict = HistoryVerdict::kUnreachable;
    a.detail = std::string(q.verdict == StatementVerdict::kFailed
                               ? "the server refused the history query: "
                               : "no answer to the history query: ") +
               q.detail;
    return a;
  }
  Result<BackupHistoryRow> row = MatchBackupHistoryRow(q.rows, key.name, key.kind, key.copy_only);
  if (!row.ok()) {
    a.verdict = HistoryVerdict::kNotRecorded;
    a.detail = row.status().message();
    return a;
  }
  a.verdict = HistoryVerdict::kRecorded;
  a.row = std::move(row).value();
  a.detail = "msdb.dbo.backupset row " + std::to_string(a.row.backup_set_id);
  return a;
}

// Sleeps `d` in slices, returning early (false) when told to stop.
bool Pause(milliseconds d, const std::atomic<bool>* stop, const std::function<bool()>& gone) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if ((stop && stop->load()) || (gone && gone())) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(50), until - Clock::now()));
  }
  return true;
}

}  // namespace

const char* HistoryVerdictName(HistoryVerdict v) {
  switch (v) {
    case HistoryVerdict::kRecorded:
      return "recorded";
    case HistoryVerdict::kNotRecorded:
      return "not recorded";
    case HistoryVerdict::kUnreachable:
      return "unreachable";
  }
  return "unreachable";
}

HistoryAnswer LookUpBackup(SqlRunner& sql, const BackupKey& key, const LookupPolicy& policy,
                           const std::atomic<bool>* stop, const std::function<bool()>& gone) {
  const auto deadline = Clock::now() + policy.budget;
  std::minstd_rand jitter(std::random_device{}());
  milliseconds backoff = policy.first_backoff;
  HistoryAnswer answer;
  for (int attempt = 1;; ++attempt) {
    answer = AskOnce(sql, key);
    answer.attempts = attempt;
    const bool retry = answer.verdict == HistoryVerdict::kUnreachable ||
                       (answer.verdict == HistoryVerdict::kNotRecorded && policy.until_recorded);
    if (!retry || Clock::now() >= deadline) return answer;
    // Full jitter between half the backoff and the backoff, never past the deadline.
    const auto half = backoff.count() / 2;
    milliseconds wait(half + static_cast<int64_t>(jitter() % static_cast<unsigned>(half + 1)));
    wait = std::min(wait, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
    log::Info("backup history of '" + key.name + "': " + answer.detail + "; asking again in " +
              std::to_string(wait.count()) + " ms");
    if (!Pause(wait, stop, gone)) return answer;
    backoff = std::min(policy.max_backoff, backoff * 2);
  }
}

}  // namespace vdibk::coordinator
