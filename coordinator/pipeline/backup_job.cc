// BackupJob: the coordinator's backup flow and commit protocol.
#include "coordinator/pipeline/backup_job.h"

#include <unistd.h>

#include <chrono>

#include "coordinator/sql/backup_history_row.h"
#include "coordinator/pipeline/backup_manifest.h"
#include "coordinator/sql/database_size.h"
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
constexpr milliseconds kAbortCauseWait{1000};

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

}  // namespace

BackupJob::BackupJob(BackupSpec options, SqlRunner& sql, const std::atomic<bool>* stop)
    : options_(std::move(options)), sql_runner_(sql), stop_(stop) {}

BackupJob::~BackupJob() {
  if (pool_) pool_->End();  // joins the hub thread before the listener (this) goes
}

bool BackupJob::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

Status BackupJob::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

bool BackupJob::acked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_;
}

void BackupJob::Fail(const Status& cause) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_) return;
    if (acked_) {
      // Every stripe and the manifest are durable and the server was told so: aborting now
      // could only make the server throw away a good backup. The statement decides.
      report_.warnings.push_back("after the backup was handed to the server: " + cause.ToString());
      log::Warn("after the backup was handed to the server: " + cause.ToString());
      return;
    }
    failed_ = true;
    failure_ = cause;
  }
  cv_.notify_all();
  if (display_) display_->Stop();
  log::Error("backup failing: " + cause.ToString());
  if (vds_created_.load()) vds_->SignalAbort();
  if (fanout_) fanout_->Cancel();
  if (hub_) hub_->AbortAll(cause);
}

void BackupJob::OnFailure(const Status& cause) { Fail(cause); }

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
  std::optional<SetDirLock> set_lock;
  if (!set_dir_.empty()) {
    Result<SetDirLock> lock = SetDirLock::Acquire(set_dir_);
    if (!lock.ok()) {
      targets_->RemoveAll();
      return lock.status();
    }
    set_lock.emplace(std::move(lock).value());
  }
  report_.targets = targets_->roots();
  report_.discarded = targets_->discard();
  progress_ =
      std::make_unique<ProgressTracker>(transport::SteadyClock::Instance(), options_.devices);
  const bool show = options_.progress && !options_.json && ProgressDisplay::StderrIsTerminal();
  if (show || options_.progress_fd >= 0) {
    // The ETA needs the database size; without it the display shows no ETA.
    if (std::optional<uint64_t> size = QueryDatabaseSize(sql_runner_, options_.database)) {
      progress_->SetTotal(*size);
    }
  }
  if (show) display_ = std::make_unique<ProgressDisplay>(*progress_);
  if (options_.progress_fd >= 0) {  // --progress-fd: JSON lines for the agent
    progress_stream_ = std::make_unique<ProgressJsonStream>(*progress_, options_.progress_fd);
  }
  Status st = RunPipeline();
  if (display_) display_->Stop();
  if (progress_stream_) progress_stream_->Stop();
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

Status BackupJob::RunPipeline() {
  VDIBK_RETURN_IF_ERROR(StartWorkers());

  vds_ = std::make_unique<ClientVirtualDeviceSet>();
  VDConfig cfg{};
  cfg.deviceCount = options_.devices;
  cfg.features = VDF_RequestComplete | VDF_Discard;
  discard_ = std::make_unique<BackupDiscard>(options_.devices, [this] { targets_->RemoveAll(); });
  std::vector<char> name = CString(set_name_);
  int hr = vds_->Create(name.data(), &cfg);
  if (hr != NOERROR) {
    return Status::Configuration("cannot create VDI set '" + set_name_ + "': " + HrHex(hr));
  }
  vds_created_.store(true);
  ScopeExit close_set([&] { vds_->Close(); });

  BackupStatementSpec spec;
  spec.database = options_.database;
  for (uint32_t i = 0; i < options_.devices; ++i) {
    spec.device_names.push_back(DeviceName(set_name_, i));
  }
  spec.buffer_count = options_.buffer_count;
  spec.max_transfer_size = options_.max_transfer_size;
  spec.block_size = options_.block_size;
  spec.checksum = options_.checksum;
  spec.kind = options_.type;
  spec.copy_only = options_.copy_only;
  spec.name = BackupSetHistoryName(set_id_);  // finds the backup's history row afterwards
  const std::string statement = BuildBackupStatement(spec);
  log::Info("running: " + statement);
  VDIBK_ASSIGN_OR_RETURN(sql_, sql_runner_.Start(statement));

  Status st = WaitForConfiguration();
  if (st.ok()) st = AssignDevices();
  if (st.ok()) st = OpenDevices();
  if (!st.ok()) Fail(st);
  if (st.ok()) {
    std::vector<std::thread> threads;
    for (uint32_t d = 0; d < options_.devices; ++d) {
      threads.emplace_back([this, d] { DeviceLoop(d); });
    }
    for (std::thread& t : threads) t.join();
    if (!failed() && (features_ & VDF_CompleteEnabled) == 0) {
      if (Status f = FinalizeWithoutComplete(); !f.ok()) Fail(f);
    }
  }
  close_set.Dismiss();
  vds_->Close();
  return FinishStatement();
}

Status BackupJob::StartWorkers() {
  WorkerPoolOptions pool_options;
  pool_options.external_endpoint = options_.external.endpoint;
  VDIBK_ASSIGN_OR_RETURN(pool_, WorkerPool::Create(options_.worker_program, options_.workers, *this,
                                                   stop_, pool_options));
  hub_ = &pool_->hub();
  if (pool_->external()) {
    log::Info("waiting for " + std::to_string(options_.workers) + " external workers (w0..w" +
              std::to_string(options_.workers - 1) + ") at " + pool_->endpoint());
  }
  hub_->Start();
  return Status::Ok();
}

Status BackupJob::WaitForConfiguration() {
  VDConfig cfg{};
  for (;;) {
    int hr = vds_->GetConfiguration(1000, &cfg);
    if (hr == NOERROR) break;
    if (failed()) return failure();
    if (stop_ && stop_->load()) return Status::Aborted("interrupted by a signal");
    if (server_.Gone()) return Status::Aborted(server_.GoneMessage());
    if (hr != VD_E_TIMEOUT) {
      return Status(CodeForHr(hr), "GetConfiguration failed: " + HrHex(hr));
    }
    if (std::optional<ExitInfo> e = sql_->Poll()) {
      // The statement ended before the server opened the set: report its messages.
      return Status::SqlError("the BACKUP statement failed before it reached VDI (" +
                              e->ToString() + "): " + SummarizeSqlErrors(sql_->Output()));
    }
  }
  features_ = cfg.features;
  report_.vdi_features = cfg.features;
  log::Info("VDI set configured: features " + HrHex(static_cast<int>(cfg.features)) +
            ", max transfer " + std::to_string(cfg.maxTransferSize));
  return Status::Ok();
}

Status BackupJob::AssignDevices() {
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
    proto::Envelope env;
    proto::Assign* a = env.mutable_assign();
    a->set_set_name(set_name_);
    a->set_backup_set_id(std::string(set_id_.begin(), set_id_.end()));
    a->set_database(options_.database);
    a->set_backup_type(ManifestBackupType(options_.type));
    a->set_direction(proto::DIRECTION_BACKUP);
    a->set_target_kind(targets_->discard() ? proto::TARGET_KIND_NULL
                                           : proto::TARGET_KIND_DIRECTORY);
    a->set_target_dir(set_dir_);
    a->set_compression(options_.compression == CompressionKind::kNone ? proto::COMPRESSION_NONE
                                                                      : proto::COMPRESSION_LZ4);
    a->set_compression_level(options_.lz4_level);
    a->set_device_count(options_.devices);
    a->set_max_transfer_size(options_.max_transfer_size);
    for (uint32_t d = w; d < options_.devices; d += options_.workers) {
      proto::DeviceAssignment* da = a->add_devices();
      da->set_device_index(d);
      da->set_device_name(DeviceName(set_name_, d));
      da->set_stripe_file(StripeFileName(d, options_.devices));
      da->set_target_dir(targets_->StripeDir(d));  // stripe d on target d mod T
      DeviceReport& r = report_.devices[d];
      r.location = targets_->Location(d);
      r.stripe_dir = targets_->StripeDir(d);
      r.index = d;
      r.device_name = da->device_name();
      r.stripe_file = da->stripe_file();
      r.worker = "w" + std::to_string(w);
    }
    // Fan-out: a worker beyond the devices encodes for device w mod devices (its owner's stripe).
    if (w >= options_.devices) {
      const uint32_t d = w % options_.devices;
      proto::DeviceAssignment* da = a->add_devices();
      da->set_device_index(d);
      da->set_device_name(DeviceName(set_name_, d));
      da->set_stripe_file(StripeFileName(d, options_.devices));
      da->set_target_dir(targets_->StripeDir(d));
      da->set_role(proto::DEVICE_ROLE_ENCODER);
    }
    hub_->Post("w" + std::to_string(w), std::move(env));
  }
  return hub_->WaitForReady(kWorkerReadyTimeout);
}

Status BackupJob::OpenDevices() {
  devices_.assign(options_.devices, nullptr);
  for (uint32_t d = 0; d < options_.devices; ++d) {
    std::vector<char> name = CString(DeviceName(set_name_, d));
    int hr = vds_->OpenDevice(name.data(), &devices_[d]);
    if (hr != NOERROR) {
      return Status(CodeForHr(hr),
                    "OpenDevice('" + std::string(name.data()) + "') failed: " + HrHex(hr));
    }
    progress_->SetState(d, DeviceState::kOpen);
  }
  return Status::Ok();
}

void BackupJob::DeviceLoop(uint32_t d) {
  ClientVirtualDevice* vd = devices_[d];
  const std::string worker = WorkerFor(d);
  uint64_t& seq = device_seq_[d];
  for (;;) {
    VDC_Command* cmd = nullptr;
    int hr = vd->GetCommand(-1, &cmd);
    if (hr == VD_E_CLOSE) return;
    if (hr != NOERROR) {
      if (hr == VD_E_ABORT) {
        // The server aborts the set when it sees a participant die; the hub names the worker
        // and the cause once it reaps it: prefer that over the generic VDI abort.
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, kAbortCauseWait, [&] { return failed_; });
      }
      if (!failed() && hr == VD_E_ABORT && server_.Gone())
        Fail(Status::Aborted(server_.GoneMessage()));
      if (!failed()) {
        Fail(Status(CodeForHr(hr), "device " + std::to_string(d) +
                                       ": GetCommand failed: " + HrHex(hr) +
                                       (hr == VD_E_ABORT ? " (the VDI set was aborted)" : "")));
      }
      return;
    }
    Outstanding req;
    req.worker = worker;
    req.device = d;
    req.command = cmd;
    proto::Envelope env;
    proto::RequestHeader* h = nullptr;
    switch (cmd->commandCode) {
      case VDC_Write: {
        unsigned int handle = 0;
        hr = vds_->GetBufferHandle(cmd->buffer, &handle);
        if (hr != NOERROR) {
          vd->CompleteCommand(cmd, ERROR_INVALID_HANDLE, 0, 0);
          Fail(Status::Failed("device " + std::to_string(d) +
                              ": GetBufferHandle failed: " + HrHex(hr)));
          return;
        }
        progress_->SetState(d, DeviceState::kWriting);
        if (Fanout(d)) {
          if (Status st = IssueEncode(d, ++seq, handle, cmd); !st.ok()) {
            vd->CompleteCommand(cmd, ERROR_OPERATION_ABORTED, 0, 0);
            Fail(st);
            return;
          }
          continue;
        }
        req.kind = RequestKind::kWrite;
        req.handle = handle;
        req.size = static_cast<uint32_t>(cmd->size);
        proto::WriteRequest* w = env.mutable_write();
        w->set_buffer_handle(handle);
        w->set_size(req.size);
        w->set_position(cmd->position);
        h = w->mutable_header();
        break;
      }
      case VDC_Flush:
        if (!DrainFanout(d)) {
          vd->CompleteCommand(cmd, ERROR_OPERATION_ABORTED, 0, 0);
          return;
        }
        req.kind = RequestKind::kFlush;
        h = env.mutable_flush()->mutable_header();
        break;
      case VDC_Complete:
        if (!DrainFanout(d)) {
          vd->CompleteCommand(cmd, ERROR_OPERATION_ABORTED, 0, 0);
          return;
        }
        req.kind = RequestKind::kComplete;
        progress_->SetState(d, DeviceState::kFinalizing);
        h = env.mutable_complete()->mutable_header();
        break;
      case VDC_ClearError:
        vd->CompleteCommand(cmd, ERROR_SUCCESS, 0, 0);
        continue;
      case VDC_Discard:  // the server abandons the set: drop what it wrote (backup_discard.h)
        discard_->OnDiscard(d);
        vd->CompleteCommand(cmd, ERROR_SUCCESS, 0, 0);
        continue;
      default:
        vd->CompleteCommand(cmd, ERROR_NOT_SUPPORTED, 0, 0);
        continue;
    }
    req.seq = ++seq;
    h->set_device(d);
    h->set_command_seq(req.seq);
    if (Status st = hub_->Issue(req, std::move(env)); !st.ok()) {
      vd->CompleteCommand(cmd, ERROR_OPERATION_ABORTED, 0, 0);
      Fail(st);
      return;
    }
  }
}

void BackupJob::OnReply(const Outstanding& req, const proto::Reply& reply) {
  ClientVirtualDevice* vd = devices_[req.device];
  auto* cmd = static_cast<VDC_Command*>(req.command);
  if (reply.status() != 0) {
    ErrorCode code = ErrorCodeFromWire(reply.status());
    if (cmd) {
      uint32_t cc = reply.completion_code() != 0 ? reply.completion_code() : ERROR_IO_DEVICE;
      vd->CompleteCommand(cmd, static_cast<int>(cc), 0, 0);
    }
    Fail(Status(code, "worker " + req.worker + ", device " + std::to_string(req.device) + ": " +
                          reply.message()));
    return;
  }
  switch (req.kind) {
    case RequestKind::kWrite:
      progress_->AddBytes(req.device, reply.bytes());
      vd->CompleteCommand(cmd, ERROR_SUCCESS, static_cast<unsigned long>(reply.bytes()), 0);
      return;
    case RequestKind::kFlush:
      vd->CompleteCommand(cmd, ERROR_SUCCESS, 0, 0);
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
void BackupJob::OnComplete(const Outstanding& req, const proto::Reply& reply) {
  std::vector<std::pair<uint32_t, void*>> to_complete;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DeviceReport& r = report_.devices[req.device];
    r.raw_bytes = reply.bytes();
    r.compressed_bytes = reply.compressed_bytes();
    r.raw_digest = reply.digest();
    r.file_digest = reply.file_digest();
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
    acked_ = !failed_;
  }
  for (auto [device, c] : to_complete) {
    devices_[device]->CompleteCommand(static_cast<VDC_Command*>(c),
                                      st.ok() ? ERROR_SUCCESS : ERROR_IO_DEVICE, 0, 0);
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
    proto::Envelope env;
    proto::RequestHeader* h = env.mutable_complete()->mutable_header();
    h->set_device(d);
    h->set_command_seq(req.seq);
    VDIBK_RETURN_IF_ERROR(hub_->Issue(req, std::move(env)));
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, kFinalizeTimeout, [&] { return failed_ || manifest_written_; })) {
    return Status::Aborted("workers did not finalize the stripes in time");
  }
  return failed_ ? failure_ : Status::Ok();
}

}  // namespace vdibk::coordinator
