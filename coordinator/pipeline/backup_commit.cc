// BackupJob: the end of the statement and the commit decision (reliability.md §1.9 step 4). A
// backup the server may have committed is never thrown away: once VDC_Complete was acknowledged,
// the set is promoted, kept unconfirmed, or removed only on the server's own word.
#include <thread>

#include "coordinator/sql/backup_history_row.h"
#include "coordinator/pipeline/backup_job.h"
#include "coordinator/sql/history_lookup.h"
#include "coordinator/repo/set_promotion.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

using std::chrono::milliseconds;
constexpr std::chrono::seconds kFailedStatementWait{30};
// The server reported failure: its history is asked briefly (a contradiction is rare but must
// not cost a committed backup).
constexpr milliseconds kFailedLookupBudget{10000};

}  // namespace

Status BackupJob::FinishStatement() {
  if (!acked()) return FinishUncommitted();
  return ConfirmCommitted(AwaitStatement());
}

// Nothing was committed (the server was never told the backup is complete): the set goes.
Status BackupJob::FinishUncommitted() {
  if (failed()) {
    // Give the statement a bounded time to report the failure, then stop its client.
    const auto deadline = std::chrono::steady_clock::now() + kFailedStatementWait;
    while (sql_ && !sql_->Poll() && std::chrono::steady_clock::now() < deadline &&
           !server_.Gone()) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    if (sql_ && !sql_->Poll()) sql_->Cancel();
    if (sql_) log::Info("T-SQL output:\n" + sql_->Output());
    return failure();
  }
  const StatementOutcome outcome = AwaitStatement();
  // A failure recorded while the statement ran (a worker's) is the cause; the statement's
  // error is its consequence.
  if (failed()) return FinishUncommitted();
  Status st;
  switch (outcome.verdict) {
    case StatementVerdict::kSucceeded:
      st = Status::Failed("the backup ended without finalizing stripes");
      break;
    case StatementVerdict::kFailed:
      st = Status::SqlError("BACKUP failed: " + outcome.detail);
      break;
    case StatementVerdict::kUnknown:
      st = Status::Aborted(
          "the BACKUP ended before the backup was complete, without a verdict "
          "from the server (" +
          outcome.detail + "): nothing was committed");
      break;
  }
  Fail(st);
  return st;
}

StatementOutcome BackupJob::AwaitStatement() {
  auto step = milliseconds(1);
  for (;;) {
    if (std::optional<ExitInfo> e = sql_->Poll()) {
      StatementOutcome o = ClassifyStatement(*e, sql_->Output());
      if (o.verdict != StatementVerdict::kSucceeded) log::Info("T-SQL output:\n" + sql_->Output());
      return o;
    }
    if (stop_ && stop_->load()) {
      return {StatementVerdict::kUnknown, "interrupted by a signal before the statement ended"};
    }
    if (server_.Gone()) {
      sql_->Cancel();
      return {StatementVerdict::kUnknown, server_.GoneMessage()};
    }
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, milliseconds(20));
  }
}

Status BackupJob::KeepUnconfirmed(ErrorCode code, const std::string& why) {
  keep_set_ = true;
  const std::string where = options_.repo.empty() ? "" : " --repo " + options_.repo;
  return Status(code, why + "; the set stays unconfirmed (manifest PENDING) at " + set_dir_ +
                          ": once SQL Server can be asked, run `vdibackup reconcile" + where +
                          " --database " + options_.database +
                          "` (prune removes it only if the server's history never shows it)");
}

Status BackupJob::ConfirmCommitted(const StatementOutcome& outcome) {
  const bool succeeded = outcome.verdict == StatementVerdict::kSucceeded;
  if (targets_->discard()) {  // --target null keeps nothing: the statement's word is all
    if (succeeded) {
      // The workers end as after a kept set: told to shut down, not terminated by a signal
      // (which each would log as an abort of a backup that succeeded).
      hub_->ShutdownAll();
      if (!hub_->WaitForExits(std::chrono::seconds(10))) log::Warn("workers slow to exit");
      return Status::Ok();
    }
    return outcome.verdict == StatementVerdict::kFailed
               ? Status::SqlError("BACKUP failed: " + outcome.detail)
               : Status::Aborted("the BACKUP's outcome is unknown: " + outcome.detail);
  }
  BackupKey key{options_.database, BackupSetHistoryName(set_id_), options_.type,
                options_.copy_only};
  LookupPolicy policy;
  policy.budget = std::chrono::seconds(options_.confirm_timeout_s);
  if (outcome.verdict == StatementVerdict::kFailed) {
    policy.budget = std::min(policy.budget, kFailedLookupBudget);
  } else if (outcome.verdict == StatementVerdict::kUnknown) {
    policy.until_recorded = true;  // the server's commit may still be running
    log::Warn("the BACKUP's outcome is unknown after the backup was handed to the server (" +
              outcome.detail + "): asking the server's backup history for '" + key.name + "'");
  }
  HistoryAnswer answer =
      LookUpBackup(sql_runner_, key, policy, stop_, [this] { return server_.Gone(); });
  switch (answer.verdict) {
    case HistoryVerdict::kRecorded: {
      const std::string by = succeeded ? "statement"
                                       : std::string("history after a ") +
                                             StatementVerdictName(outcome.verdict) + " statement";
      if (Status st = PromoteSet(*targets_->store(), options_.database, targets_->set_name(),
                                 answer.row, by);
          !st.ok()) {
        return KeepUnconfirmed(ErrorCode::kFailed,
                               "SQL Server recorded the backup (" + answer.detail +
                                   ") but its manifest could not be promoted: " + st.ToString());
      }
      if (!succeeded) {
        const std::string w = std::string("the BACKUP statement's outcome was ") +
                              StatementVerdictName(outcome.verdict) + " (" + outcome.detail +
                              ") but the server's backup history records it (" + answer.detail +
                              "): the set is complete";
        log::Warn(w);
        std::lock_guard<std::mutex> lock(mu_);
        report_.warnings.push_back(w);
      }
      hub_->ShutdownAll();
      if (!hub_->WaitForExits(std::chrono::seconds(10))) log::Warn("workers slow to exit");
      return Status::Ok();
    }
    case HistoryVerdict::kNotRecorded:
      if (outcome.verdict == StatementVerdict::kFailed) {
        // The server's own word, confirmed by its history: nothing was committed.
        return Status::SqlError("BACKUP failed: " + outcome.detail);
      }
      if (succeeded) {
        return KeepUnconfirmed(ErrorCode::kSqlError,
                               "the BACKUP succeeded but its backup history row could not be "
                               "matched: " +
                                   answer.detail);
      }
      return KeepUnconfirmed(ErrorCode::kFailed,
                             "the BACKUP's outcome is unknown (" + outcome.detail +
                                 ") and the server's backup history has no row for it after " +
                                 std::to_string(answer.attempts) + " lookups (" + answer.detail +
                                 ")");
    case HistoryVerdict::kUnreachable:
      break;
  }
  if (outcome.verdict == StatementVerdict::kFailed) {
    return Status::SqlError("BACKUP failed: " + outcome.detail);
  }
  if (server_.Gone()) {
    return KeepUnconfirmed(
        ErrorCode::kAborted,
        server_.GoneMessage() + " after the backup was handed to it (" + outcome.detail + ")");
  }
  if (stop_ && stop_->load()) {
    return KeepUnconfirmed(ErrorCode::kAborted,
                           "interrupted by a signal after the backup was handed to the server");
  }
  return KeepUnconfirmed(
      ErrorCode::kFailed,
      std::string("the BACKUP's outcome is ") + StatementVerdictName(outcome.verdict) +
          (succeeded ? "" : " (" + outcome.detail + ")") +
          " and the server's backup history could not be read: " + answer.detail);
}

}  // namespace vdibk::coordinator
