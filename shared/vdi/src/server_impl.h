// The implementation behind ServerVirtualDeviceSet / ServerVirtualDevice: server states,
// configuration and buffer pool, per-device command sending, and the completion agent.
#ifndef VDIBK_SHARED_VDI_SRC_SERVER_IMPL_H_
#define VDIBK_SHARED_VDI_SRC_SERVER_IMPL_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "layout.h"
#include "set_core.h"
#include "vdi_server.h"

namespace vdibk::vdi {

class ServerSetImpl;

class ServerDeviceImpl {
 public:
  ServerDeviceImpl(ServerSetImpl* set, uint32_t index, std::string name);
  int SendCommand(VDS_Command* cmd);
  int CloseDevice();
  const std::string& name() const { return name_; }
  bool InIoError() const;
  // Completion-agent side: runs callbacks of every finished slot. Returns how many completed.
  int DrainCompletions();
  // Completes every outstanding command with `code` (abort / close). Returns how many.
  int FailAllOutstanding(uint32_t code);
  // True in the IO-ERROR state while a command other than ClearError is still queued (not
  // fetched): the agent must flush it (rule 3). Delivered commands wait for the client.
  bool HasQueuedBehindError();
  uint32_t outstanding() const { return outstanding_.load(); }
  bool closed() const { return closed_.load(); }

 private:
  // Completes `cmd` on the calling thread (rejections and agent completions).
  static void Finish(VDS_Command* cmd, uint32_t code, uint64_t bytes, int64_t out_position);

  ServerSetImpl* set_;
  uint32_t index_;
  std::string name_;
  std::mutex mu_;  // guards pending_, seq_ and slot allocation (process-local)
  VDS_Command* pending_[kSlotsPerDevice] = {};
  uint32_t seq_ = 0;
  std::atomic<uint32_t> outstanding_{0};
  std::atomic<bool> closed_{false};  // written under mu_, read by the agent without it
};

class ServerSetImpl {
 public:
  enum class State { kDne, kConnected, kConfigurable, kInitializing, kActive, kTerminated };
  ~ServerSetImpl();

  int Open(const char* name);
  int GetConfiguration(VDConfig* cfg);
  int BeginConfiguration(uint32_t features, uint32_t block_size, uint32_t alignment,
                         uint32_t max_transfer, uint32_t timeout_ms);
  int RequestBuffers(uint32_t size, uint32_t alignment, uint32_t count);
  int EndConfiguration();
  int OpenDevice(const char* name, ServerVirtualDevice** dev);
  int ExecuteCompletionAgent();
  int AllocateBuffer(uint8_t** buf, uint32_t size, uint32_t alignment);
  int FreeBuffer(uint8_t* buf, uint32_t size);
  bool IsSharedBuffer(const uint8_t* buf) const;
  int SignalAbort();
  int Close();
  bool IsAborted() const;
  std::string AbortReason() const;
  VDConfig PublishedConfiguration() const;

  SetCore* core() { return core_.get(); }
  // Buffer index whose data starts at `buf`, or kNoBuffer.
  uint32_t BufferIndexOf(const uint8_t* buf) const;
  void NoteProgress() { progress_.fetch_add(1); }

 private:
  struct Request {
    uint32_t size, alignment, count;
  };
  int AllocateSegment(const std::vector<Request>& requests);

  std::unique_ptr<SetCore> core_;
  mutable std::mutex mu_;
  State state_ = State::kDne;
  std::vector<Request> requests_;
  uint32_t segments_ = 0;
  std::vector<std::unique_ptr<ServerDeviceImpl>> devices_;
  std::vector<std::unique_ptr<ServerVirtualDevice>> device_objects_;
  std::atomic<uint64_t> progress_{0};
};

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_SERVER_IMPL_H_
