// RestoreJob: one `vdibackup restore` run as the VDI primary client: VDI set with one device per
// stripe, the RESTORE statement, workers serving Read requests from stripes, EOF and abort.
#ifndef VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_
#define VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/progress/progress_display.h"
#include "coordinator/progress/progress_display_json.h"
#include "coordinator/progress/progress_tracker.h"
#include "coordinator/pipeline/restore_spec.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "coordinator/sql/tsql_builder.h"
#include "coordinator/pipeline/worker_pool.h"
#include "shared/base/result.h"

class ClientVirtualDeviceSet;
class ClientVirtualDevice;

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
class RestoreJob final : public HubListener {
 public:
  RestoreJob(RestoreSpec options, RestorePlan plan, SqlRunner& sql,
             const std::atomic<bool>* stop);
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

  // HubListener (hub thread).
  void OnReply(const Outstanding& req, const proto::Reply& reply) override;
  void OnFailure(const Status& cause) override;

 private:
  Status RunPipeline();
  Status WaitForConfiguration();
  Status AssignDevices();
  Status OpenDevices();
  void DeviceLoop(uint32_t device);
  Status FinishSql(bool failed);
  bool Record(const Status& cause);  // first failure wins; true if this was it
  bool ServerAbortedSet();           // the set is aborted and we did not abort it
  void Fail(const Status& cause);    // Record + SignalAbort + Abort to the workers
  bool failed() const;
  Status failure() const;

  RestoreSpec options_;
  RestorePlan plan_;
  SqlRunner& sql_runner_;
  const std::atomic<bool>* stop_;
  uint32_t devices_count_ = 0;
  uint32_t workers_ = 0;
  uint32_t max_transfer_size_ = 0;
  RestoreReport report_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<ClientVirtualDeviceSet> vds_;
  std::atomic<bool> vds_created_{false};
  std::atomic<bool> aborted_{false};
  // When the first failure was recorded, the server had aborted the set already.
  std::atomic<bool> server_aborted_first_{false};
  std::vector<ClientVirtualDevice*> devices_;
  std::unique_ptr<SqlExecution> sql_;
  std::atomic<uint64_t> bytes_{0};
  std::unique_ptr<ProgressTracker> progress_;  // with a display or --progress-fd
  std::unique_ptr<ProgressDisplay> display_;   // only on a terminal, without --json/--no-progress
  std::unique_ptr<ProgressJsonStream> progress_stream_;

  mutable std::mutex mu_;
  Status failure_;
  bool failed_ = false;
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
                                                   ServerWatch server = {});

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_RESTORE_JOB_H_
