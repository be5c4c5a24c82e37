// BackupJob: the coordinator's backup flow and commit protocol.
#include "coordinator/pipeline/backup_job.h"

#include <unistd.h>

#include <chrono>

#include "coordinator/sql/backup_history_row.h"
#include "coordinator/pipeline/backup_manifest.h"
#include "coordinator/repo/repo_layout.h"
#include "coordinator/repo/set_lock.h"
#include "coordinator/sql/tsql_builder.h"
#include "coordinator/pipeline/vdi_call.h"
#include "shared/base/log.h"
#include "shared/base/scope_exit.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "shared/transport/ipc_dir.h"
#include "vdi.h"
#include "vdierror.h"

namespace vdibk::coordinator {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kFinalizeTimeout{60000};
constexpr milliseconds kWorkerGrace{2000};

int64_t NowUnixMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "<UTC stamp>_<type>": the base name of the set directory; BackupTargets::Create claims it, or
// "<base>-02", ... when another backup of the same second has it (repo_layout.h).
std::string FreshSetDirName(const BackupSpec& o) {
  return SetDirName(std::chrono::system_clock::now(), BackupKindName(o.type));
}

transport::BackupType AssignBackupType(BackupKind kind) {
  switch (kind) {
    case BackupKind::kFull:
      return transport::BackupType::kFull;
    case BackupKind::kDiff:
      return transport::BackupType::kDiff;
    case BackupKind::kLog:
      return transport::BackupType::kLog;
  }
  return transport::BackupType::kFull;
}

}  // namespace

BackupJob::BackupJob(BackupSpec options, SqlRunner& sql, const std::atomic<bool>* stop,
                     ProgressOutput* progress, std::unique_ptr<VdiDeviceSet> set)
    : options_(std::move(options)),
      sql_runner_(sql),
      stop_(stop),
      progress_output_(progress),
      vds_(set ? std::move(set) : MakeLibVdiDeviceSet()) {}

BackupJob::~BackupJob() {
  if (pool_) pool_->End();  // joins the hub thread before the listener (this) goes
}

bool BackupJob::acked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_;
}

bool BackupJob::AcceptFailure(const Status& cause) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!acked_) return true;
  // Every stripe and the manifest are durable and the server was told so: aborting now could
  // only make the server throw away a good backup. The statement decides.
  report_.warnings.push_back("after the backup was handed to the server: " + cause.ToString());
  log::Warn("after the backup was handed to the server: " + cause.ToString());
  return false;
}

void BackupJob::OnFailed(const Status& cause) {
  (void)cause;
  { std::lock_guard<std::mutex> lock(mu_); }  // a waiter is either before its check or waiting
  cv_.notify_all();
  if (progress_) progress_->Failed();
  if (fanout_) fanout_->Cancel();
}

std::string BackupJob::WorkerFor(uint32_t device) const {
  return "w" + std::to_string(device % options_.workers);
}

Result<BackupReport> BackupJob::Run() {
  const auto t0 = std::chrono::steady_clock::now();
  report_.database = options_.database;
  report_.started_unix_ms = NowUnixMs();
  set_name_ = options_.set_name.empty() ? NewSetName() : options_.set_name;
  report_.set_name = set_name_;
  set_id_ = NewSetId();
  device_done_.assign(options_.devices, false);
  device_seq_.assign(options_.devices, 0);
  next_encoder_.assign(options_.devices, 0);
  encoders_.clear();
  for (uint32_t d = 0; d < options_.devices; ++d) encoders_.push_back(EncodersFor(d));
  if (options_.workers > options_.devices) {
    fanout_ = std::make_unique<FanoutSequencer>(options_.devices);
  }
  report_.devices.resize(options_.devices);
  {
    // The set directory in the repo and on every --target (nothing for --target null).
    VDIBK_ASSIGN_OR_RETURN(BackupTargets targets,
                           BackupTargets::Create(options_, FreshSetDirName(options_)));
    targets_.emplace(std::move(targets));
  }
  set_dir_ = targets_->set_dir();
  report_.set_dir = set_dir_;
  // Held until Run returns: `vdibackup prune` never removes the set dir of a running backup.
  std::unique_ptr<SetLease> set_lock;
  if (!set_dir_.empty()) {
    Result<std::unique_ptr<SetLease>> lock = targets_->AcquireLease();
    if (!lock.ok()) {
      targets_->RemoveAll();
      return lock.status();
    }
    set_lock = std::move(lock).value();
  }
  report_.targets = targets_->roots();
  report_.discarded = targets_->discard();
  progress_ = progress_output_ ? progress_output_->Start(options_.devices)
                              : std::make_unique<NullProgressSink>();
  DispatchOptions dispatch;
  dispatch.set_name = set_name_;
  dispatch.devices = options_.devices;
  dispatch.stop = stop_;
  dispatch.server = server_;
  dispatcher_ = std::make_unique<DeviceDispatcher>(*this, *vds_, dispatch);
  Status st = StartWorkers();
  if (st.ok()) {
    discard_ = std::make_unique<BackupDiscard>(options_.devices, [this] { targets_->RemoveAll(); });
    st = dispatcher_->Run(sql_runner_);
  }
  progress_->Stop();
  if (pool_) pool_->End(kWorkerGrace);
  if (!st.ok()) {
    // Every target's set directory, stripes and all; but a set the server may have committed
    // stays, PENDING, for `vdibackup reconcile`.
    if (!keep_set_) targets_->RemoveAll();
    return st;
  }
  report_.finished_unix_ms = NowUnixMs();
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report_;
}

uint32_t BackupJob::RequestedFeatures() const { return VDF_RequestComplete | VDF_Discard; }

std::string BackupJob::Statement(const std::vector<std::string>& device_names) {
  BackupStatementSpec spec;
  spec.database = options_.database;
  spec.device_names = device_names;
  spec.buffer_count = options_.buffer_count;
  spec.max_transfer_size = options_.max_transfer_size;
  spec.block_size = options_.block_size;
  spec.checksum = options_.checksum;
  spec.kind = options_.type;
  spec.copy_only = options_.copy_only;
  spec.name = BackupSetHistoryName(set_id_);  // finds the backup's history row afterwards
  return BuildBackupStatement(spec);
}

Status BackupJob::AfterDevices() {
  if ((features_ & VDF_CompleteEnabled) != 0) return Status::Ok();
  return FinalizeWithoutComplete();
}

Status BackupJob::Finish(SqlExecution& sql, bool failed) {
  (void)failed;  // failed() asks the dispatcher
  sql_ = &sql;
  return FinishStatement();
}

Status BackupJob::StartWorkers() {
  WorkerPoolOptions pool_options;
  pool_options.external_endpoint = options_.external.endpoint;
  VDIBK_ASSIGN_OR_RETURN(pool_, WorkerPool::Create(options_.worker_program, options_.workers,
                                                   *dispatcher_, stop_, pool_options));
  hub_ = &pool_->hub();
  dispatcher_->SetWorkers(hub_);
  if (pool_->external()) {
    log::Info("waiting for " + std::to_string(options_.workers) + " external workers (w0..w" +
              std::to_string(options_.workers - 1) + ") at " + pool_->endpoint());
  }
  hub_->Start();
  return Status::Ok();
}

void BackupJob::OnConfigured(const VDConfig& cfg) {
  features_ = cfg.features;
  report_.vdi_features = cfg.features;
  log::Info("VDI set configured: features " + HrHex(static_cast<int>(cfg.features)) +
            ", max transfer " + std::to_string(cfg.maxTransferSize));
}

Status BackupJob::AssignWorkers() {
  if (Status st = hub_->WaitForHellos(pool_->external()
                                          ? std::chrono::milliseconds(options_.external.wait_ms)
                                          : kWorkerHelloTimeout);
      !st.ok()) {
    if (!pool_->external()) return st;
    return st.WithContext("external workers: start `vdibackup-worker --connect " +
                          pool_->endpoint() + " --id wK` for K = 0.." +
                          std::to_string(options_.workers - 1));
  }
  for (uint32_t w = 0; w < options_.workers; ++w) {
    transport::Assign a;
    a.set_name = set_name_;
    a.backup_set_id = std::string(set_id_.begin(), set_id_.end());
    a.database = options_.database;
    a.backup_type = AssignBackupType(options_.type);
    a.direction = transport::Direction::kBackup;
    a.target_kind =
        targets_->discard() ? transport::TargetKind::kNull : transport::TargetKind::kDirectory;
    a.target_dir = set_dir_;
    a.compression = options_.compression == CompressionKind::kNone ? transport::Compression::kNone
                                                                   : transport::Compression::kLz4;
    a.compression_level = options_.lz4_level;
    a.device_count = options_.devices;
    a.max_transfer_size = options_.max_transfer_size;
    for (uint32_t d = w; d < options_.devices; d += options_.workers) {
      transport::DeviceAssignment& da = a.devices.emplace_back();
      da.device_index = d;
      da.device_name = DeviceName(set_name_, d);
      da.stripe_file = StripeFileName(d, options_.devices);
      da.target_dir = targets_->StripeDir(d);  // stripe d on target d mod T
      DeviceReport& r = report_.devices[d];
      r.location = targets_->Location(d);
      r.stripe_dir = targets_->StripeDir(d);
      r.index = d;
      r.device_name = da.device_name;
      r.stripe_file = da.stripe_file;
      r.worker = "w" + std::to_string(w);
    }
    // Fan-out: a worker beyond the devices encodes for device w mod devices (its owner's stripe).
    if (w >= options_.devices) {
      const uint32_t d = w % options_.devices;
      a.devices.push_back({d, DeviceName(set_name_, d), StripeFileName(d, options_.devices),
                           targets_->StripeDir(d), transport::DeviceRole::kEncoder});
    }
    hub_->Post("w" + std::to_string(w), std::move(a));
  }
  return hub_->WaitForReady(kWorkerReadyTimeout);
}

void BackupJob::OnDeviceOpen(uint32_t device) {
  progress_->SetState(device, DeviceState::kOpen);
}

// Device thread: what one VDI command becomes.
Status BackupJob::OnCommand(uint32_t d, VDC_Command* cmd, bool* completed) {
  uint64_t& seq = device_seq_[d];
  Outstanding req;
  req.worker = WorkerFor(d);
  req.device = d;
  req.command = cmd;
  transport::Body body;
  transport::RequestHeader* h = nullptr;  // of the request in `body`
  switch (cmd->commandCode) {
    case VDC_Write: {
      Result<uint32_t> handle = dispatcher_->BufferHandle(d, cmd);
      if (!handle.ok()) {
        dispatcher_->Complete(d, cmd, ERROR_INVALID_HANDLE);
        *completed = true;
        return handle.status();
      }
      progress_->SetState(d, DeviceState::kWriting);
      if (Fanout(d)) return IssueEncode(d, ++seq, *handle, cmd);
      req.kind = RequestKind::kWrite;
      req.handle = *handle;
      req.size = static_cast<uint32_t>(cmd->size);
      auto& w = body.emplace<transport::WriteRequest>();
      w.buffer_handle = req.handle;
      w.size = req.size;
      w.position = cmd->position;
      h = &w.header;
      break;
    }
    case VDC_Flush:
      if (!DrainFanout(d)) return failure();
      req.kind = RequestKind::kFlush;
      h = &body.emplace<transport::FlushRequest>().header;
      break;
    case VDC_Complete:
      if (!DrainFanout(d)) return failure();
      req.kind = RequestKind::kComplete;
      progress_->SetState(d, DeviceState::kFinalizing);
      h = &body.emplace<transport::CompleteRequest>().header;
      break;
    case VDC_ClearError:
      dispatcher_->Complete(d, cmd, ERROR_SUCCESS);
      return Status::Ok();
    case VDC_Discard:  // the server abandons the set: drop what it wrote (backup_discard.h)
      discard_->OnDiscard(d);
      dispatcher_->Complete(d, cmd, ERROR_SUCCESS);
      return Status::Ok();
    default:
      dispatcher_->Complete(d, cmd, ERROR_NOT_SUPPORTED);
      return Status::Ok();
  }
  req.seq = ++seq;
  h->device = d;
  h->command_seq = req.seq;
  // Without waking the hub: the dispatcher flushes when the device has no command at hand.
  return dispatcher_->Issue(req, std::move(body), /*wake=*/false);
}

void BackupJob::OnReply(const Outstanding& req, const transport::Reply& reply) {
  auto* cmd = static_cast<VDC_Command*>(req.command);
  if (reply.status != 0) {
    ErrorCode code = ErrorCodeFromWire(reply.status);
    if (cmd) {
      uint32_t cc = reply.completion_code != 0 ? reply.completion_code : ERROR_IO_DEVICE;
      dispatcher_->Complete(req.device, cmd, static_cast<int>(cc));
    }
    Fail(Status(code, "worker " + req.worker + ", device " + std::to_string(req.device) + ": " +
                          reply.message));
    return;
  }
  switch (req.kind) {
    case RequestKind::kWrite:
      progress_->AddBytes(req.device, reply.bytes);
      dispatcher_->Complete(req.device, cmd, ERROR_SUCCESS, reply.bytes);
      return;
    case RequestKind::kFlush:
      dispatcher_->Complete(req.device, cmd, ERROR_SUCCESS);
      return;
    case RequestKind::kComplete:
      OnComplete(req, reply);
      return;
    case RequestKind::kEncode:
    case RequestKind::kPlace:
    case RequestKind::kAdopt:
      OnFanoutReply(req, reply);
      return;
    case RequestKind::kRead:  // never issued by a backup
      Fail(Status::Failed("read reply during a backup"));
      return;
  }
}

// A stripe is finalized. When all are, the manifest is written (PENDING) and only then are the
// VDC_Complete commands completed with success (reliability.md §1.9 step 3).
void BackupJob::OnComplete(const Outstanding& req, const transport::Reply& reply) {
  std::vector<std::pair<uint32_t, void*>> to_complete;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DeviceReport& r = report_.devices[req.device];
    r.raw_bytes = reply.bytes;
    r.compressed_bytes = reply.compressed_bytes;
    r.raw_digest = reply.digest;
    r.file_digest = reply.file_digest;
    device_done_[req.device] = true;
    progress_->SetState(req.device, DeviceState::kDone);
    if (req.command) complete_commands_.emplace_back(req.device, req.command);
    for (bool done : device_done_) {
      if (!done) return;
    }
    to_complete.swap(complete_commands_);
  }
  report_.finished_unix_ms = NowUnixMs();
  stripe::DirectoryTarget target(set_dir_);
  // --target null keeps nothing: no manifest, the finalized (counted) stripes are the end.
  Status st = targets_->discard()
                  ? Status::Ok()
                  : stripe::WriteManifest(target, stripe::kManifestFileName,
                                          BuildManifest(options_, report_, set_id_));
  if (st.ok()) {
    // From the first success completion on, the server may commit the backup.
    std::lock_guard<std::mutex> lock(mu_);
    manifest_written_ = true;
    acked_ = !dispatcher_->failed();
  }
  for (auto [device, c] : to_complete) {
    dispatcher_->Complete(device, static_cast<VDC_Command*>(c),
                          st.ok() ? ERROR_SUCCESS : ERROR_IO_DEVICE);
  }
  if (!st.ok()) {
    Fail(st.WithContext("manifest"));
    return;
  }
  cv_.notify_all();
}

// Without VDF_CompleteEnabled the end of data is only known at VD_E_CLOSE: every stripe was made
// durable by the last Flush; now finalize them and write the manifest.
Status BackupJob::FinalizeWithoutComplete() {
  log::Warn("the server did not grant VDF_CompleteEnabled: finalizing stripes after VD_E_CLOSE");
  for (uint32_t d = 0; d < options_.devices; ++d) {
    if (!DrainFanout(d)) return failure();
    Outstanding req;
    req.worker = WorkerFor(d);
    req.device = d;
    req.kind = RequestKind::kComplete;
    progress_->SetState(d, DeviceState::kFinalizing);
    req.seq = ++device_seq_[d];
    VDIBK_RETURN_IF_ERROR(dispatcher_->Issue(req, transport::CompleteRequest{{d, req.seq}}));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kFinalizeTimeout,
                      [&] { return manifest_written_ || dispatcher_->failed(); })) {
      return Status::Aborted("workers did not finalize the stripes in time");
    }
  }
  return failed() ? failure() : Status::Ok();
}

}  // namespace vdibk::coordinator
