// VdiServerSession: opening and configuring the set, the buffer pool, in-flight commands, the
// device barrier and failure recording.
#include "emulator/engine/vdi_server_session.h"

#include <algorithm>

#include "emulator/base/sql_error.h"
#include "vdierror.h"

namespace vdibk::emulator {
namespace {

void OnComplete(VDS_Command* cmd) {
  auto* f = static_cast<InFlight*>(cmd->completionContext);
  f->done.store(1, std::memory_order_release);
  f->done.notify_all();
}

std::string Hex(int rc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(rc));
  return buf;
}

}  // namespace

std::string Win32Text(uint32_t code) {
  const char* text = "";
  switch (code) {
    case ERROR_SUCCESS:
      text = "The operation completed successfully.";
      break;
    case ERROR_HANDLE_EOF:
      text = "Reached the end of the file.";
      break;
    case ERROR_NOT_SUPPORTED:
      text = "The request is not supported.";
      break;
    case ERROR_DISK_FULL:
      text = "There is not enough space on the disk.";
      break;
    case ERROR_OPERATION_ABORTED:
      text =
          "The I/O operation has been aborted because of either a thread exit or an "
          "application request.";
      break;
    case ERROR_IO_DEVICE:
      text = "The request could not be performed because of an I/O device error.";
      break;
    case ERROR_NO_DATA_DETECTED:
      text = "No more data is on the tape.";
      break;
    case ERROR_END_OF_MEDIA:
      text = "The physical end of the tape has been reached.";
      break;
    case ERROR_FILEMARK_DETECTED:
      text = "A tape access reached a filemark.";
      break;
    default:
      text = "(unknown error)";
      break;
  }
  return std::to_string(code) + "(" + text + ")";
}

Result<std::unique_ptr<VdiServerSession>> VdiServerSession::Start(const VdiRunOptions& options,
                                                                  bool write_media) {
  if (options.devices.empty() || options.devices.size() > 64) {
    return SqlErrorStatus(
        3201, "Cannot open backup device: between 1 and 64 virtual devices are needed.");
  }
  std::unique_ptr<VdiServerSession> s(new VdiServerSession(options, write_media));
  Status st = s->Configure();
  if (!st.ok()) return st;
  s->agent_ = std::thread([p = s.get()] { p->set_.ExecuteCompletionAgent(); });
  return s;
}

Status VdiServerSession::Configure() {
  const std::string& set_name = options_.devices[0];
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.open_timeout_ms);
  int rc = set_.Open(set_name.c_str());
  while (rc == VD_E_INVALID && std::chrono::steady_clock::now() < deadline) {
    // The client normally creates the set before it sends the T-SQL; allow for a slow one.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    rc = set_.Open(set_name.c_str());
  }
  if (rc != NOERROR) {
    return SqlErrorStatus(3201,
                          "Cannot open backup device '" + set_name + "'. Operating system error " +
                              Hex(rc) +
                              "(the virtual device set does not exist or is not accessible).",
                          ErrorCode::kSqlError);
  }
  VDConfig client{};
  set_.GetConfiguration(&client);
  if (client.deviceCount != options_.devices.size()) {
    set_.SignalAbort();
    return SqlErrorStatus(
        3201, "Cannot open backup device '" + set_name + "'. The virtual device set has " +
                  std::to_string(client.deviceCount) + " devices but the statement names " +
                  std::to_string(options_.devices.size()) + ".");
  }
  uint32_t features = write_media_ ? VDF_WriteMedia : VDF_ReadMedia;
  features |= VDF_CompleteEnabled;  // kept only if the client asked for it
  rc = set_.BeginConfiguration(features, options_.block_size, 0, options_.max_transfer, 0);
  if (rc != NOERROR) {
    set_.SignalAbort();
    return SqlErrorStatus(
        3201, "Cannot open backup device '" + set_name + "'. Invalid configuration " + Hex(rc));
  }
  if (options_.faults.abort_configuring) {  // the client is waiting in GetConfiguration
    set_.SignalAbort();
    return SqlErrorStatus(18210, "BackupVirtualDeviceSet::Initialize: failure on backup device '" +
                                     set_name +
                                     "' (fault injection: the server aborted the set while " +
                                     "configuring it). Operating system error " +
                                     Win32Text(ERROR_OPERATION_ABORTED) + ".");
  }
  const uint32_t n = static_cast<uint32_t>(options_.devices.size());
  const uint32_t buffers = options_.buffer_count ? options_.buffer_count : 4 * n;
  rc = set_.RequestBuffers(options_.max_transfer, 0, buffers);
  for (uint32_t i = 0; rc == NOERROR && i < n; ++i) {
    vdi::ServerVirtualDevice* d = nullptr;
    rc = set_.OpenDevice(options_.devices[i].c_str(), &d);
    devices_.push_back(d);
  }
  if (rc == NOERROR) rc = set_.EndConfiguration();
  if (rc != NOERROR) {
    set_.SignalAbort();
    return SqlErrorStatus(18210, "BackupVirtualDeviceSet::Initialize: failure on backup device '" +
                                     set_name + "'. Operating system error " + Hex(rc) +
                                     " (not enough shared memory for " + std::to_string(buffers) +
                                     " buffers of " + std::to_string(options_.max_transfer) +
                                     " bytes).");
  }
  for (uint32_t i = 0; i < buffers; ++i) {
    uint8_t* b = nullptr;
    if (set_.AllocateBuffer(&b, options_.max_transfer, 0) == NOERROR) free_buffers_.push_back(b);
  }
  config_ = set_.PublishedConfiguration();
  return Status::Ok();
}

VdiServerSession::~VdiServerSession() {
  if (!finished_) {
    set_.SignalAbort();
    Finish();
  }
  set_.Close();
}

std::string VdiServerSession::Finish() {
  if (agent_.joinable()) agent_.join();
  finished_ = true;
  return set_.IsAborted() ? set_.AbortReason() : "";
}

uint8_t* VdiServerSession::TryAcquireBuffer() {
  std::lock_guard lock(mu_);
  if (free_buffers_.empty()) return nullptr;
  uint8_t* b = free_buffers_.back();
  free_buffers_.pop_back();
  return b;
}

void VdiServerSession::ReleaseBuffer(uint8_t* buffer) {
  if (!buffer) return;
  std::lock_guard lock(mu_);
  free_buffers_.push_back(buffer);
}

int VdiServerSession::Send(uint32_t d, InFlight* f, uint32_t code, uint8_t* buffer, uint32_t size,
                           uint64_t position) {
  f->done.store(0);
  f->buffer = buffer;
  f->cmd = VDS_Command{};
  f->cmd.commandCode = code;
  f->cmd.buffer = buffer;
  f->cmd.size = size;
  f->cmd.inPosition = position;
  f->cmd.completionRoutine = reinterpret_cast<void*>(&OnComplete);
  f->cmd.completionContext = f;
  int rc = devices_[d]->SendCommand(&f->cmd);
  if (rc != NOERROR && rc != vdi::VD_E_IO_ERROR && !failed()) {
    Fail(SqlErrorStatus(18210, "BackupVirtualDeviceFile::SendCommand: failure on backup device '" +
                                   device_name(d) + "'. Operating system error " +
                                   Win32Text(f->cmd.completionCode) + "."),
         false);
  }
  return rc;
}

bool VdiServerSession::Wait(uint32_t d, InFlight* f) {
  const uint32_t timeout_ms = options_.faults.timeout_ms;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (f->done.load(std::memory_order_acquire) == 0) {
    if (timeout_ms == 0) {
      f->done.wait(0);
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      Fail(
          SqlErrorStatus(
              18210, "BackupVirtualDeviceFile::WaitForCompletion: timeout on backup device '" +
                         device_name(d) + "' after " + std::to_string(timeout_ms) +
                         " ms. Operating system error " + Win32Text(ERROR_OPERATION_ABORTED) + "."),
          true);
      // The abort completes the command through the agent; wait for it so `f` may be reused.
      f->done.wait(0);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

bool VdiServerSession::failed() {
  if (failed_.load()) return true;
  if (!set_.IsAborted()) return false;
  Fail(SqlErrorStatus(18210,
                      "BackupVirtualDeviceSet::SynchronizeDevices: failure on backup device '" +
                          options_.devices[0] + "': " + set_.AbortReason() +
                          ". Operating system error " + Win32Text(ERROR_OPERATION_ABORTED) + "."),
       false);
  return true;
}

bool VdiServerSession::Barrier() {
  if (failed()) return false;
  std::unique_lock lock(mu_);
  const uint64_t gen = barrier_generation_;
  if (++barrier_count_ == device_count()) {
    barrier_count_ = 0;
    ++barrier_generation_;
    cv_.notify_all();
    return true;
  }
  // Woken by the last device or by Fail(); the periodic check notices a client abort.
  while (barrier_generation_ == gen && !failed_.load()) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (barrier_generation_ == gen && !failed_.load() && set_.IsAborted()) {
      lock.unlock();
      failed();
      lock.lock();
    }
  }
  return !failed_.load();
}

void VdiServerSession::Fail(Status status, bool abort) {
  {
    std::lock_guard lock(mu_);
    if (!failed_.load()) {
      failure_ = std::move(status);
      failed_.store(true);
    }
    cv_.notify_all();
  }
  if (abort) set_.SignalAbort();
}

Status VdiServerSession::failure() const {
  std::lock_guard lock(const_cast<std::mutex&>(mu_));
  return failure_;
}

}  // namespace vdibk::emulator
