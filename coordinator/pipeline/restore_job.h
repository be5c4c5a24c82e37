// RestoreJob: one `vdibackup restore` run: one VDI device per stripe, the RESTORE (or RESTORE
// VERIFYONLY) statement, workers serving Read requests from stripes, EOF, and the statement's
// verdict. A JobStrategy: the DeviceDispatcher runs the VDI set and the device threads.
#ifndef VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_
#define VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/pipeline/device_dispatcher.h"
#include "coordinator/pipeline/job_strategy.h"
#include "coordinator/pipeline/vdi_device_set.h"
#include "coordinator/progress/progress_sink.h"
#include "coordinator/pipeline/restore_spec.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "coordinator/sql/tsql_builder.h"
#include "coordinator/pipeline/worker_pool.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct RestoreReport {
  std::string database;  // the backed-up database
  std::string target;    // the restored database
  std::string set_dir;
  std::string set_name;     // VDI set name
  std::string backup_type;  // "full", "diff", "log"
  uint32_t devices = 0;
  uint32_t workers = 0;
  uint64_t raw_bytes = 0;  // bytes handed to the server
  double seconds = 0;
};

// RESTORE VERIFYONLY FROM VIRTUAL_DEVICE=N'set', ... WITH BLOCKSIZE=..., MAXTRANSFERSIZE=...
// (only the device and transfer fields of `spec` are used).
std::string BuildVerifyOnlyStatement(const RestoreStatementSpec& spec);

// Single use: construct with a verified plan (LoadRestoreSet), Run() once. With
// options.verify_only the statement is RESTORE VERIFYONLY (BuildVerifyOnlyStatement): the same
// devices, workers and supervision, and the server writes nothing.
class RestoreJob final : public JobStrategy {
 public:
  // Live figures go to a sink from `progress` (null: none), one per job.
  RestoreJob(RestoreSpec options, RestorePlan plan, SqlRunner& sql, const std::atomic<bool>* stop,
             ProgressOutput* progress = nullptr, std::unique_ptr<VdiDeviceSet> set = nullptr);
  ~RestoreJob() override;
  RestoreJob(const RestoreJob&) = delete;
  RestoreJob& operator=(const RestoreJob&) = delete;

  // Success only if the statement succeeded. Errors (their code is the exit code): kIntegrity
  // (a stripe failed its checksums in a worker, or the server aborted the set reporting damage
  // in what it read: Msg 3183/3189/3241/3242), kAborted (worker death/silence, signal, a
  // server abort whose only errors are a stopped transfer's: Msg 3013, 3202-3204, 3271; when
  // the server aborted first, the message is its reason), kSqlError (the statement failed, or
  // the server aborted the set after an error of the statement itself, e.g. Msg 3234 or 3159),
  // kConfiguration, kFailed.
  Result<RestoreReport> Run();

  // Watch SQL Server's process: its death fails the restore at once with "SQL Server process
  // ended" (kAborted). Call before Run.
  void WatchServer(ServerWatch watch) { server_ = watch; }

  // JobStrategy (see job_strategy.h for the threads).
  uint32_t RequestedFeatures() const override;
  std::string Statement(const std::vector<std::string>& device_names) override;
  std::string StatementName() const override;
  void OnConfigured(const VDConfig& cfg) override;
  Status AssignWorkers() override;
  Status OnCommand(uint32_t device, VDC_Command* cmd, bool* completed) override;
  void OnReply(const Outstanding& req, const transport::Reply& reply) override;
  Status AfterDevices() override;
  Status Finish(SqlExecution& sql, bool failed) override;

 private:
  Status FinishSql(bool failed);
  void Fail(const Status& cause) { dispatcher_->Fail(cause); }
  bool failed() const { return dispatcher_->failed(); }
  Status failure() const { return dispatcher_->failure(); }

  RestoreSpec options_;
  RestorePlan plan_;
  SqlRunner& sql_runner_;
  const std::atomic<bool>* stop_;
  uint32_t devices_count_ = 0;
  uint32_t workers_ = 0;
  uint32_t max_transfer_size_ = 0;
  RestoreReport report_;
  std::unique_ptr<VdiDeviceSet> vds_;
  std::unique_ptr<DeviceDispatcher> dispatcher_;  // created by Run
  std::unique_ptr<WorkerPool> pool_;
  SqlExecution* sql_ = nullptr;  // the statement (owned by the dispatcher), from Finish on
  std::vector<uint64_t> device_seq_;  // last command_seq per device (written by its thread)
  std::atomic<uint64_t> bytes_{0};
  ProgressOutput* progress_output_;
  std::unique_ptr<ProgressSink> progress_;  // from progress_output_ (null: none)
  ServerWatch server_;
};

// Restores verified plans one after another (a restore chain: full, [differential], logs...),
// each as its own RestoreJob: WITH NORECOVERY for all but the last, which gets RECOVERY unless
// options.norecovery; --move and --replace go with the first only. Stops at the first failure,
// whose status names the set and says that the database is left RESTORING if an earlier set
// was restored. One report per restored set.
Result<std::vector<RestoreReport>> RunRestoreChain(const RestoreSpec& options,
                                                   std::vector<RestorePlan> plans, SqlRunner& sql,
                                                   const std::atomic<bool>* stop,
                                                   ServerWatch server = {},
                                                   ProgressOutput* progress = nullptr);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_
