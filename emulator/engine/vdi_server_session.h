// VdiServerSession: the plumbing shared by backup and restore runs: the opened and configured
// server set, the completion agent thread, the BUFFERCOUNT buffer pool, in-flight commands with
// completion waits, a device barrier, and the first-failure record. Internal to emulator/engine.
#ifndef VDIBK_EMULATOR_ENGINE_VDI_SERVER_SESSION_H_
#define VDIBK_EMULATOR_ENGINE_VDI_SERVER_SESSION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/engine/vdi_server_run.h"
#include "shared/base/result.h"
#include "vdi_server.h"

namespace vdibk::emulator {

// One command in flight; its completion routine flips `done` and wakes the waiter.
struct InFlight {
  VDS_Command cmd{};
  std::atomic<uint32_t> done{0};
  uint8_t* buffer = nullptr;
};

class VdiServerSession {
 public:
  // Opens the set (waiting up to open_timeout_ms for the client to create it), configures it for
  // `write_media` (backup) or reading (restore) and starts the completion agent.
  static Result<std::unique_ptr<VdiServerSession>> Start(const VdiRunOptions& options,
                                                         bool write_media);
  ~VdiServerSession();  // aborts if not finished, joins the agent, closes the set

  uint32_t device_count() const { return static_cast<uint32_t>(devices_.size()); }
  const VDConfig& config() const { return config_; }
  bool complete_enabled() const { return (config_.features & VDF_CompleteEnabled) != 0; }
  bool client_has(uint32_t feature_bits) const {
    return (config_.features & feature_bits) == feature_bits;
  }
  const std::string& device_name(uint32_t i) const { return options_.devices[i]; }
  const VdiRunOptions& options() const { return options_; }

  // A free shared buffer, or nullptr when none is free right now.
  uint8_t* TryAcquireBuffer();
  void ReleaseBuffer(uint8_t* buffer);

  // Sends a command on device `d`; the InFlight must stay alive until Wait returns. Returns the
  // SendCommand code; a rejected command's routine has already run (f->done is set). Rejections
  // other than VD_E_IO_ERROR (which restore expects after end of data) fail the run.
  // `position` is VDS_Command.inPosition (positioning commands, RandomAccess Reads/Writes).
  int Send(uint32_t d, InFlight* f, uint32_t code, uint8_t* buffer, uint32_t size,
           uint64_t position = 0);
  // Waits for `f` (bounded by the fault plan's timeout); false on timeout (failure recorded).
  bool Wait(uint32_t d, InFlight* f);

  // Every device thread calls this at the same points; false once the run failed.
  bool Barrier();
  // Records the first failure (a SqlError Status) and wakes everyone; `abort` also calls
  // SignalAbort so the client sees VD_E_ABORT.
  void Fail(Status status, bool abort);
  // The server gives the operation up for a reason of its own (a fault, a failed read of the
  // database): a BACKUP whose client offered VDF_Discard ends each device with VDC_Discard
  // instead of an abort (EndDevice); anything else is aborted as by Fail(status, true).
  void Abandon(Status status) { Fail(std::move(status), !discard_on_failure()); }
  // True when a device thread must end with VDC_Discard (EndDevice): the BACKUP failed while the
  // set is still alive and the client offered VDF_Discard (vdi-protocol.md §7.2).
  bool DiscardDue() { return discard_on_failure() && failed_.load() && !set_.IsAborted(); }
  void NoteDiscarded() { discarded_.fetch_add(1); }
  uint32_t discarded() const { return discarded_.load(); }
  // True once the run failed, or the set was aborted (by the client, or a participant's death:
  // then the abort is recorded as the failure).
  bool failed();
  Status failure() const;
  void CloseDevice(uint32_t d) { devices_[d]->CloseDevice(); }
  bool InIoError(uint32_t d) const { return devices_[d]->InIoError(); }
  void AddBytes(uint64_t n) {
    bytes_.fetch_add(n);
    if (options_.progress) options_.progress->Add(n);
  }
  uint64_t bytes() const { return bytes_.load(); }
  // Joins the agent and reports why the set was aborted (the agent's view), "" if it was not.
  std::string Finish();
  // WITH SNAPSHOT backup: set by the device thread once thawed.
  void set_frozen_seconds(double s) { frozen_seconds_ = s; }
  double frozen_seconds() const { return frozen_seconds_; }

 private:
  explicit VdiServerSession(VdiRunOptions options, bool write_media)
      : options_(std::move(options)), write_media_(write_media) {}
  Status Configure();
  bool discard_on_failure() const { return write_media_ && client_has(VDF_Discard); }

  VdiRunOptions options_;
  bool write_media_;  // BACKUP (VDF_WriteMedia); else RESTORE
  vdi::ServerVirtualDeviceSet set_;
  std::vector<vdi::ServerVirtualDevice*> devices_;
  VDConfig config_{};
  std::thread agent_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint8_t*> free_buffers_;
  uint32_t barrier_count_ = 0;
  uint64_t barrier_generation_ = 0;
  std::atomic<bool> failed_{false};
  Status failure_;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint32_t> discarded_{0};
  bool finished_ = false;
  double frozen_seconds_ = -1;
};

// "Operating system error 995(...)" style text for a Win32 completion code.
std::string Win32Text(uint32_t code);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_VDI_SERVER_SESSION_H_
