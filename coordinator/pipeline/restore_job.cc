// RestoreJob: the coordinator's restore flow (DESIGN.md §2 "Restore", vdi-protocol.md §7.3).
#include "coordinator/pipeline/restore_job.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>
#include <thread>

#include "coordinator/repo/repo_layout.h"
#include "coordinator/sql/statement_outcome.h"
#include "coordinator/sql/tsql_builder.h"
#include "coordinator/pipeline/vdi_call.h"
#include "shared/base/log.h"
#include "shared/base/scope_exit.h"
#include "vdi.h"
#include "vdierror.h"

namespace vdibk::coordinator {
namespace {

using std::chrono::milliseconds;

// True when the statement's output says the server found the backup stream damaged: 3183 (an
// error on a page, e.g. its checksum), 3189 (damage to the backup set), 3241/3242 (the media
// family is not well formed / not a valid backup set).
bool ServerFoundDamage(const std::string& output) {
  for (const char* msg : {"Msg 3183,", "Msg 3189,", "Msg 3241,", "Msg 3242,"}) {
    if (output.find(msg) != std::string::npos) return true;
  }
  return false;
}

// True when the statement's output has an error of the server's own making that the same
// statement would meet again, e.g. 3234 (a --move name that is not in the backup), 3159/3154
// (the target exists, no REPLACE), 1834/3142 (file collisions), a name the server refuses; not
// when its only errors are those of a stopped transfer: 3013 (terminating abnormally), 3201-3204
// (device open/write/read failed, operation aborted) and 3271 (a nonrecoverable I/O error).
bool ServerRefusedStatement(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    int number = 0;
    if (std::sscanf(line.c_str(), "Msg %d,", &number) != 1) continue;
    // The transfer stopped (3013 terminating, 3202-3204/3271 device I/O, 18210 a VDI device
    // failure such as a participant's death): a consequence, not the statement refused.
    if (number == 3013 || (number >= 3202 && number <= 3204) || number == 3271 ||
        number == 18210) {
      continue;
    }
    return true;  // 3201 too: ExplainDeviceOpenFailure makes it the configuration error it is
  }
  return false;
}

}  // namespace

std::string BuildVerifyOnlyStatement(const RestoreStatementSpec& spec) {
  std::string s = "RESTORE VERIFYONLY FROM ";
  for (size_t i = 0; i < spec.device_names.size(); ++i) {
    if (i) s += ", ";
    s += "VIRTUAL_DEVICE=" + QuoteString(spec.device_names[i]);
  }
  return s + " WITH BLOCKSIZE=" + std::to_string(spec.block_size) +
         ", MAXTRANSFERSIZE=" + std::to_string(spec.max_transfer_size);
}

RestoreJob::RestoreJob(RestoreSpec options, RestorePlan plan, SqlRunner& sql,
                       const std::atomic<bool>* stop, ProgressOutput* progress,
                       std::unique_ptr<VdiDeviceSet> set)
    : options_(std::move(options)),
      plan_(std::move(plan)),
      sql_runner_(sql),
      stop_(stop),
      vds_(set ? std::move(set) : MakeLibVdiDeviceSet()),
      progress_output_(progress) {}

RestoreJob::~RestoreJob() {
  if (pool_) pool_->End();
}

Result<RestoreReport> RestoreJob::Run() {
  const auto t0 = std::chrono::steady_clock::now();
  devices_count_ = static_cast<uint32_t>(plan_.stripe_files.size());
  workers_ = options_.workers == 0
                 ? WorkerPool::DefaultCount(devices_count_, std::thread::hardware_concurrency())
                 : std::min(options_.workers, devices_count_);
  max_transfer_size_ =
      options_.max_transfer_size != 0 ? options_.max_transfer_size : plan_.max_transfer_size;
  report_.database = options_.database;
  report_.target = options_.target;
  report_.set_dir = plan_.set_dir;
  report_.set_name = options_.set_name.empty() ? NewSetName() : options_.set_name;
  report_.backup_type = plan_.manifest.backup_type() == proto::BACKUP_TYPE_LOG    ? "log"
                        : plan_.manifest.backup_type() == proto::BACKUP_TYPE_DIFF ? "diff"
                                                                                  : "full";
  report_.devices = devices_count_;
  report_.workers = workers_;
  if (progress_output_) {  // one sink per set; the ETA from the set's raw size
    progress_ = progress_output_->Start(devices_count_);
    if (progress_) progress_->SetTotal(plan_.raw_bytes());
  }
  device_seq_.assign(devices_count_, 0);
  DispatchOptions dispatch;
  dispatch.set_name = report_.set_name;
  dispatch.devices = devices_count_;
  dispatch.stop = stop_;
  dispatch.server = server_;
  dispatcher_ = std::make_unique<DeviceDispatcher>(*this, *vds_, dispatch);
  Status st = [&]() -> Status {
    WorkerPoolOptions pool_options;
    pool_options.external_endpoint = options_.external.endpoint;
    VDIBK_ASSIGN_OR_RETURN(pool_, WorkerPool::Create(options_.worker_program, workers_,
                                                     *dispatcher_, stop_, pool_options));
    dispatcher_->SetWorkers(&pool_->hub());
    pool_->hub().Start();
    return dispatcher_->Run(sql_runner_);
  }();
  if (progress_) progress_->Stop();
  if (pool_) pool_->End();
  if (!st.ok()) return st;
  report_.raw_bytes = bytes_.load();
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report_;
}

uint32_t RestoreJob::RequestedFeatures() const { return VDF_RequestComplete; }

std::string RestoreJob::StatementName() const {
  return options_.verify_only ? "RESTORE VERIFYONLY" : "RESTORE";
}

std::string RestoreJob::Statement(const std::vector<std::string>& device_names) {
  RestoreStatementSpec spec;
  spec.database = options_.target;
  spec.device_names = device_names;
  spec.block_size = plan_.block_size;
  spec.max_transfer_size = max_transfer_size_;
  spec.moves = options_.moves;
  spec.replace = options_.replace;
  spec.norecovery = options_.norecovery;
  spec.log = plan_.manifest.backup_type() == proto::BACKUP_TYPE_LOG;
  return options_.verify_only ? BuildVerifyOnlyStatement(spec) : BuildRestoreStatement(spec);
}

void RestoreJob::OnConfigured(const VDConfig& cfg) {
  // Requests never exceed what the server announced (nor what we asked for).
  max_transfer_size_ = std::max<uint32_t>(max_transfer_size_, cfg.maxTransferSize);
  log::Info("VDI set configured: block size " + std::to_string(cfg.blockSize) + ", max transfer " +
            std::to_string(cfg.maxTransferSize));
}

// Every device is closed: the server asks nothing more of the workers. They exit while it
// commits (the restored files' fsync), instead of after the statement.
Status RestoreJob::AfterDevices() {
  pool_->hub().ShutdownAll();
  return Status::Ok();
}

Status RestoreJob::Finish(SqlExecution& sql, bool failed) {
  sql_ = &sql;
  return FinishSql(failed);
}

Status RestoreJob::AssignWorkers() {
  WorkerHub& hub = pool_->hub();
  VDIBK_RETURN_IF_ERROR(hub.WaitForHellos(
      pool_->external() ? milliseconds(options_.external.wait_ms) : kWorkerHelloTimeout));
  const proto::Manifest& m = plan_.manifest;
  for (uint32_t w = 0; w < workers_; ++w) {
    transport::Assign a;
    a.set_name = report_.set_name;
    a.backup_set_id = m.set_id();
    a.database = m.database();
    // The manifest stores control.proto's BackupType and Compression: the same numbers.
    a.backup_type = static_cast<transport::BackupType>(m.backup_type());
    a.direction = transport::Direction::kRestore;
    a.target_kind = transport::TargetKind::kDirectory;
    a.target_dir = plan_.set_dir;
    a.compression = static_cast<transport::Compression>(m.compression());
    a.device_count = devices_count_;
    a.max_transfer_size = max_transfer_size_;
    for (uint32_t d = w; d < devices_count_; d += workers_) {
      // The stripe's directory: the set dir or the stripe's --target dir.
      a.devices.push_back({d, DeviceName(report_.set_name, d), plan_.stripe_files[d],
                           plan_.stripe_dirs[d]});
    }
    hub.Post(WorkerPool::WorkerId(w), std::move(a));
  }
  return hub.WaitForReady(kWorkerReadyTimeout);
}

// Device thread: Read -> the device's worker; ClearError, Flush -> success.
Status RestoreJob::OnCommand(uint32_t d, VDC_Command* cmd, bool* completed) {
  if (cmd->commandCode == VDC_ClearError || cmd->commandCode == VDC_Flush) {
    dispatcher_->Complete(d, cmd, ERROR_SUCCESS);
    return Status::Ok();
  }
  if (cmd->commandCode != VDC_Read) {
    dispatcher_->Complete(d, cmd, ERROR_NOT_SUPPORTED);
    return Status::Ok();
  }
  Result<uint32_t> handle = dispatcher_->BufferHandle(d, cmd);
  if (!handle.ok()) {
    dispatcher_->Complete(d, cmd, ERROR_INVALID_HANDLE);
    *completed = true;
    return handle.status();
  }
  Outstanding req;
  req.worker = WorkerPool::WorkerId(d % workers_);
  req.device = d;
  req.command = cmd;
  req.kind = RequestKind::kRead;
  req.handle = *handle;
  req.size = static_cast<uint32_t>(cmd->size);
  req.seq = ++device_seq_[d];
  transport::ReadRequest r{{d, req.seq}, req.handle, req.size, cmd->position};
  // Without waking the hub: the dispatcher flushes when the device has no command at hand.
  return dispatcher_->Issue(req, std::move(r), /*wake=*/false);
}

void RestoreJob::OnReply(const Outstanding& req, const transport::Reply& reply) {
  auto* cmd = static_cast<VDC_Command*>(req.command);
  if (reply.status != 0) {
    // Record the cause first so that the server's reaction (closing/aborting the other devices)
    // cannot replace it, then fail the command and abort the set.
    Status cause(
        ErrorCodeFromWire(reply.status),
        "worker " + req.worker + ", device " + std::to_string(req.device) + ": " + reply.message);
    dispatcher_->Record(cause);
    uint32_t cc = reply.completion_code != 0 ? reply.completion_code : ERROR_IO_DEVICE;
    dispatcher_->Complete(req.device, cmd, static_cast<int>(cc));
    Fail(cause);
    return;
  }
  bytes_ += reply.bytes;
  const bool eof = reply.bytes < req.size;
  if (progress_) {
    progress_->AddBytes(req.device, reply.bytes);
    progress_->SetState(req.device, eof ? DeviceState::kDone : DeviceState::kWriting);
  }
  dispatcher_->Complete(req.device, cmd, eof ? ERROR_HANDLE_EOF : ERROR_SUCCESS, reply.bytes);
}

Status RestoreJob::FinishSql(bool failed_already) {
  if (failed_already) {
    // Give the statement a bounded time to report the failure, then stop its client.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sql_ && !sql_->Poll() && std::chrono::steady_clock::now() < deadline &&
           !server_.Gone()) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    std::optional<ExitInfo> exit = sql_ ? sql_->Poll() : std::nullopt;
    if (sql_ && !exit) sql_->Cancel();
    if (sql_) log::Info("T-SQL output:\n" + sql_->Output());
    if (dispatcher_->server_aborted_first() && exit && !exit->ok() &&
        failure().code() != ErrorCode::kIntegrity) {
      // The server stopped reading first: a damaged stream is exit 3; an error of the
      // statement itself (a bad --move, an existing database without --replace) is exit 7, as
      // it would fail again; any other abort stays exit 5 (it may be the server noticing our
      // stalled worker before we did). The message is the server's reason, not its
      // consequence on our side.
      const std::string output = sql_->Output();
      const std::string what =
          "the server aborted the " +
          std::string(options_.verify_only ? "RESTORE VERIFYONLY" : "RESTORE") + " (" +
          exit->ToString() + "): " + SummarizeSqlErrors(output);
      if (ServerFoundDamage(output)) return Status::Integrity(what);
      if (ServerRefusedStatement(output)) return Status::SqlError(what);
      return Status::Aborted(what);
    }
    return failure();
  }
  ExitInfo exit = sql_->Wait();
  if (!exit.ok()) {
    // A failure recorded while the statement ran (a worker's) is the cause; the statement's
    // error is its consequence.
    if (failed()) return FinishSql(true);
    // The server's own error is exit 7; no verdict at all (the connection lost, sqlcmd killed)
    // is exit 5: the restore may or may not have been put in place, and a retry is the answer.
    const StatementOutcome o = ClassifyStatement(exit, sql_->Output());
    const std::string what = std::string(options_.verify_only ? "RESTORE VERIFYONLY" : "RESTORE");
    Status st =
        o.verdict == StatementVerdict::kFailed
            ? Status::SqlError(what + " failed (" + exit.ToString() + "): " + o.detail)
            : Status::Aborted(what + " ended without a verdict from the server (" + o.detail + ")");
    Fail(st);
    return st;
  }
  pool_->hub().ShutdownAll();
  if (!pool_->hub().WaitForExits(std::chrono::seconds(10))) log::Warn("workers slow to exit");
  return Status::Ok();
}

Result<std::vector<RestoreReport>> RunRestoreChain(const RestoreSpec& options,
                                                   std::vector<RestorePlan> plans, SqlRunner& sql,
                                                   const std::atomic<bool>* stop,
                                                   ServerWatch server, ProgressOutput* progress) {
  std::vector<RestoreReport> reports;
  const size_t n = plans.size();
  for (size_t i = 0; i < n; ++i) {
    RestoreSpec o = options;
    o.norecovery = i + 1 < n || options.norecovery;
    if (i > 0) {  // the files were placed (and replaced) by the first restore
      o.moves.clear();
      o.replace = false;
    }
    const std::string set_dir = plans[i].set_dir;
    log::Info("restoring set " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " +
              set_dir + (o.norecovery ? " WITH NORECOVERY" : " WITH RECOVERY"));
    RestoreJob job(std::move(o), std::move(plans[i]), sql, stop, progress);
    job.WatchServer(server);
    Result<RestoreReport> r = job.Run();
    if (!r.ok()) {
      std::string where =
          "set " + std::to_string(i + 1) + " of " + std::to_string(n) + " (" + set_dir + ")";
      if (i > 0) where += "; database '" + options.target + "' is left RESTORING";
      return r.status().WithContext(where);
    }
    reports.push_back(std::move(r).value());
  }
  return reports;
}

}  // namespace vdibk::coordinator
