// The implementation objects behind ClientVirtualDeviceSet (CVDS) and ClientVirtualDevice (CVD).
// The public classes hold one pointer to these (the Linux SDK layout); all state lives here.
#ifndef VDIBK_SHARED_VDI_SRC_CLIENT_IMPL_H_
#define VDIBK_SHARED_VDI_SRC_CLIENT_IMPL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "layout.h"
#include "set_core.h"
#include "vdi.h"

class CVDS;

// One opened device in this process. GetCommand is serialized per device; CompleteCommand may be
// called from any thread, for any delivered command, in any order.
class CVD {
 public:
  CVD(CVDS* set, std::shared_ptr<vdibk::vdi::SetCore> core, uint32_t index);
  int GetCommand(int64_t timeout_ms, VDC_Command** cmd);
  int CompleteCommand(VDC_Command* cmd, int code, unsigned long bytes, int64_t position);
  // Detaches from the set (Close): later calls return VD_E_PROTOCOL.
  void Invalidate();
  bool closed_seen() const { return closed_seen_.load(); }
  uint32_t index() const { return index_; }

 private:
  std::shared_ptr<vdibk::vdi::SetCore> Core();
  int TakeNext(vdibk::vdi::SetCore& core, VDC_Command** out, bool* got);

  CVDS* set_;
  uint32_t index_;
  std::mutex core_mu_;
  std::shared_ptr<vdibk::vdi::SetCore> core_;
  std::mutex get_mu_;
  std::atomic<bool> closed_seen_{false};
  VDC_Command cmds_[vdibk::vdi::kSlotsPerDevice] = {};
  std::atomic<uint32_t> delivered_seq_[vdibk::vdi::kSlotsPerDevice] = {};
};

class CVDS {
 public:
  CVDS() = default;
  ~CVDS();
  int Create(const char* name, VDConfig* cfg);
  int GetConfiguration(int64_t timeout_ms, VDConfig* cfg);
  int OpenDevice(const char* name, ClientVirtualDevice** dev);
  int Close();
  int SignalAbort();
  int OpenInSecondary(const char* name);
  int GetBufferHandle(uint8_t* buffer, unsigned int* handle);
  int MapBufferHandle(int handle, uint8_t** buffer);
  // Called by a device when GetCommand returned VD_E_CLOSE, and by a device that saw VD_E_CLOSE
  // when it completes a command: the set is Normally Terminated once the server closed every
  // device and every device of this object saw VD_E_CLOSE with no command left uncompleted.
  void NoteDeviceClosed();
  // True in the Normally Terminated state (GetCommand / CompleteCommand answer VD_E_PROTOCOL).
  bool Terminated() const { return terminated_.load(); }

 private:
  enum class State { kDne, kConfigurable, kInitializing, kActive, kTerminated };
  std::shared_ptr<vdibk::vdi::SetCore> Core();
  void SetState(State s) {  // under mu_
    state_ = s;
    terminated_.store(s == State::kTerminated);
  }

  std::mutex mu_;
  State state_ = State::kDne;
  std::atomic<bool> terminated_{false};  // state_ == kTerminated, read without mu_
  bool secondary_ = false;
  std::string name_;
  std::shared_ptr<vdibk::vdi::SetCore> core_;
  std::vector<std::unique_ptr<ClientVirtualDevice>> device_objects_;  // live until destruction
  std::vector<CVD*> devices_;  // opened by this object, in this attachment
};

#endif  // VDIBK_SHARED_VDI_SRC_CLIENT_IMPL_H_
