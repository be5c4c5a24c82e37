// BackupJob: one `vdibackup backup` run: set dir, workers, the BACKUP statement, what each VDI
// command becomes (Write/Flush/Complete, fan-out), the commit protocol (reliability.md §1.9).
// A JobStrategy: the DeviceDispatcher runs the VDI set, the device threads and abort handling.
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_JOB_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_JOB_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/pipeline/backup_discard.h"
#include "coordinator/pipeline/backup_spec.h"
#include "coordinator/pipeline/backup_report.h"
#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/pipeline/device_dispatcher.h"
#include "coordinator/pipeline/fanout_sequencer.h"
#include "coordinator/pipeline/job_strategy.h"
#include "coordinator/pipeline/vdi_device_set.h"
#include "coordinator/progress/progress_sink.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "coordinator/sql/statement_outcome.h"
#include "coordinator/pipeline/worker_hub.h"
#include "coordinator/pipeline/worker_pool.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// Single use: construct, Run() once on the calling thread (it starts the hub and device threads
// and joins them before returning). `sql`, `stop` and `progress` must outlive the job. The
// job's live figures go to a sink from `progress` (null: none); `set` (default: the libsqlvdi
// set) is the VDI seam.
class BackupJob final : public JobStrategy {
 public:
  BackupJob(BackupSpec options, SqlRunner& sql, const std::atomic<bool>* stop,
            ProgressOutput* progress = nullptr, std::unique_ptr<VdiDeviceSet> set = nullptr);
  ~BackupJob() override;
  BackupJob(const BackupJob&) = delete;
  BackupJob& operator=(const BackupJob&) = delete;

  // The report of a good backup (manifest COMPLETE; report.warnings non-empty when it was
  // confirmed from the server's backup history after the statement's outcome was unknown: exit
  // 1), or the first failure, whose code is the exit code: kSqlError (the statement failed; its
  // messages in the text), kAborted (worker death/silence/violation, signal, VDI abort, SQL
  // Server's process ended), kTargetIo, kConfiguration, kFailed.
  // Before the server was told the backup is complete (VDC_Complete acknowledged, or the stripes
  // finalized without Complete), a failure removes every set directory (repo and --target ones).
  // Afterwards the set is never removed unless the server reported the statement failed and its
  // history has no row for it: a set the server may have committed stays PENDING (unconfirmed,
  // kFailed/kAborted/kSqlError naming `vdibackup reconcile`) — see backup_commit.cc.
  Result<BackupReport> Run();

  // Watch SQL Server's process (the preflight's pid): its death fails the job at once with
  // "SQL Server process ended". Call before Run.
  void WatchServer(ServerWatch watch) { server_ = watch; }

  // JobStrategy (see job_strategy.h for the threads).
  uint32_t RequestedFeatures() const override;
  std::string Statement(const std::vector<std::string>& device_names) override;
  std::string StatementName() const override { return "BACKUP"; }
  void OnConfigured(const VDConfig& cfg) override;
  Status AssignWorkers() override;
  void OnDeviceOpen(uint32_t device) override;
  Status OnCommand(uint32_t device, VDC_Command* cmd, bool* completed) override;
  void OnReply(const Outstanding& req, const transport::Reply& reply) override;
  Status AfterDevices() override;
  bool AcceptFailure(const Status& cause) override;
  void OnFailed(const Status& cause) override;
  Status Finish(SqlExecution& sql, bool failed) override;

 private:
  Status StartWorkers();
  Status FinalizeWithoutComplete();
  // backup_commit.cc: the statement's end and the commit decision.
  Status FinishStatement();
  Status FinishUncommitted();
  StatementOutcome AwaitStatement();
  Status ConfirmCommitted(const StatementOutcome& outcome);
  Status KeepUnconfirmed(ErrorCode code, const std::string& why);
  void Fail(const Status& cause) { dispatcher_->Fail(cause); }
  bool failed() const { return dispatcher_->failed(); }
  bool acked() const;
  Status failure() const { return dispatcher_->failure(); }
  std::string WorkerFor(uint32_t device) const;
  void OnComplete(const Outstanding& req, const transport::Reply& reply);
  // Fan-out (backup_fanout.cc; more workers than devices): the workers that encode `device`'s
  // buffers (its owner first); fan-out is on for a device with more than one.
  std::vector<std::string> EncodersFor(uint32_t device) const;
  bool Fanout(uint32_t device) const { return encoders_[device].size() > 1; }
  // Device thread: hands a VDC_Write to the next encoder of the device.
  Status IssueEncode(uint32_t device, uint64_t seq, uint32_t handle, void* command);
  // Device thread: before Flush/Complete, every earlier write must be adopted. False: failed.
  bool DrainFanout(uint32_t device);
  // Hub thread: an Encode, Place or Adopt reply (status ok).
  void OnFanoutReply(const Outstanding& req, const transport::Reply& reply);
  Status IssueSteps(const std::vector<FanoutStep>& steps);

  BackupSpec options_;
  SqlRunner& sql_runner_;
  const std::atomic<bool>* stop_;
  std::string set_name_;
  std::array<uint8_t, 16> set_id_{};
  std::string set_dir_;
  std::optional<BackupTargets> targets_;  // set dirs on every target (none for --target null)
  ProgressOutput* progress_output_;
  std::unique_ptr<ProgressSink> progress_;  // from progress_output_, or a NullProgressSink
  BackupReport report_;
  std::unique_ptr<VdiDeviceSet> vds_;
  std::unique_ptr<DeviceDispatcher> dispatcher_;  // created by Run
  std::unique_ptr<WorkerPool> pool_;  // the hub and the workers
  WorkerHub* hub_ = nullptr;          // pool_->hub() once the pool exists
  SqlExecution* sql_ = nullptr;       // the statement (owned by the dispatcher), from Finish on
  uint32_t features_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bool> device_done_;  // Complete reply recorded per device
  // VDC_Complete commands {device, command} waiting for the manifest.
  std::vector<std::pair<uint32_t, void*>> complete_commands_;
  std::vector<uint64_t> device_seq_;         // last command_seq per device (written by its thread)
  std::unique_ptr<FanoutSequencer> fanout_;  // workers > devices only
  std::vector<uint64_t> next_encoder_;       // round robin per device (written by its thread)
  std::vector<std::vector<std::string>> encoders_;  // EncodersFor(d), fixed for the job
  bool manifest_written_ = false;
  // The server was told the backup is complete (PENDING manifest durable, VDC_Complete
  // acknowledged): from here on the server may commit it, so the set is never thrown away
  // without the server's word, and late failures (a worker gone after its last reply) are
  // warnings that do not abort the set.
  bool acked_ = false;
  bool keep_set_ = false;  // the set stays, PENDING: the server may have committed it
  ServerWatch server_;
  std::unique_ptr<BackupDiscard> discard_;  // VDC_Discard: removes the abandoned set
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_JOB_H_
