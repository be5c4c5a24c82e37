// ClientVirtualDevice: GetCommand (FIFO delivery from the device ring) and CompleteCommand (any
// order, any thread), including the IO-ERROR rules: after an error completion, queued commands
// other than ClearError are flushed with ERROR_IO_DEVICE and ClearError waits for the outstanding.
#include <cerrno>

#include "client_impl.h"
#include "futex.h"
#include "vdierror.h"

using vdibk::vdi::CommandSlot;
using vdibk::vdi::DeviceShared;
using vdibk::vdi::kSlotsPerDevice;
using vdibk::vdi::SetCore;
using vdibk::vdi::SlotWord;
using vdibk::vdi::WaitResult;
namespace v = vdibk::vdi;

ClientVirtualDevice::ClientVirtualDevice() : cvd(nullptr) {}
ClientVirtualDevice::~ClientVirtualDevice() { delete cvd; }

int ClientVirtualDevice::GetCommand(time_t timeOut, VDC_Command** ppCmd) {
  if (!cvd) return VD_E_PROTOCOL;
  return cvd->GetCommand(static_cast<int64_t>(timeOut), ppCmd);
}

int ClientVirtualDevice::CompleteCommand(VDC_Command* pCmd, int completionCode,
                                         unsigned long bytesTransferred, int64_t position) {
  if (!cvd) return VD_E_PROTOCOL;
  return cvd->CompleteCommand(pCmd, completionCode, bytesTransferred, position);
}

CVD::CVD(CVDS* set, std::shared_ptr<SetCore> core, uint32_t index)
    : set_(set), index_(index), core_(std::move(core)) {}

std::shared_ptr<SetCore> CVD::Core() {
  std::lock_guard lock(core_mu_);
  return core_;
}

void CVD::Invalidate() {
  std::lock_guard lock(core_mu_);
  core_.reset();
}

int CVD::TakeNext(SetCore& core, VDC_Command** out, bool* got) {
  *got = false;
  DeviceShared& dev = *core.device(index_);
  // Read "closed" before the tail: a device closed after its last push shows every command.
  const bool closed = dev.server_state.load() == v::kDevClosed;
  uint32_t head = dev.ring_head.load(std::memory_order_relaxed);
  const uint32_t tail = dev.ring_tail.load(std::memory_order_acquire);
  while (head != tail) {
    const uint64_t entry = dev.ring[head % kSlotsPerDevice].load(std::memory_order_acquire);
    const uint32_t slot = static_cast<uint32_t>(entry & 0xFFFFFFFFu);
    const uint32_t seq = static_cast<uint32_t>(entry >> 32);
    CommandSlot& s = dev.slots[slot % kSlotsPerDevice];
    uint32_t w = s.word.load();
    if (w != SlotWord(seq, v::kSlotQueued)) {  // flushed by the server meanwhile
      dev.ring_head.store(++head);
      continue;
    }
    const uint32_t code = s.command_code;
    if (code == VDC_ClearError && dev.delivered.load() != 0) return NOERROR;  // rule 4: wait
    if (dev.io_error.load() != 0 && code != VDC_ClearError) {
      // Rule 3: the client never sees commands queued behind an error.
      if (s.word.compare_exchange_strong(w, SlotWord(seq, v::kSlotFlushed))) {
        dev.done_mask.fetch_or(uint64_t{1} << slot);
        v::Notify(core.cb()->agent_wake, core.cb()->agent_waiters);
      }
      dev.ring_head.store(++head);
      continue;
    }
    if (!s.word.compare_exchange_strong(w, SlotWord(seq, v::kSlotDelivered))) {
      dev.ring_head.store(++head);
      continue;
    }
    dev.ring_head.store(++head);
    dev.delivered.fetch_add(1);
    VDC_Command& c = cmds_[slot];
    c.commandCode = static_cast<int32_t>(code);
    c.size = static_cast<int32_t>(s.size);
    c.position = s.position;
    c.buffer = nullptr;
    if (s.buffer_index != v::kNoBuffer) {
      c.buffer = core.BufferData(s.buffer_index);
      if (c.buffer == nullptr) return VD_E_ABORT;  // buffer memory unusable: the set is aborted
    }
    delivered_seq_[slot].store(seq);
    *out = &c;
    *got = true;
    return NOERROR;
  }
  if (closed) {
    closed_seen_.store(true);
    return VD_E_CLOSE;
  }
  return NOERROR;
}

int CVD::GetCommand(int64_t timeout_ms, VDC_Command** out) {
  if (!out) return VD_E_INVALID;
  *out = nullptr;
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  std::lock_guard lock(get_mu_);
  if (core->Aborted()) return VD_E_ABORT;
  if (set_->Terminated()) return VD_E_PROTOCOL;  // every device ended: none is live any more
  if (closed_seen_.load()) return VD_E_CLOSE;    // this device ended, others still run
  DeviceShared& dev = *core->device(index_);
  int rc = NOERROR;
  bool got = false;
  WaitResult wr = core->WaitUntil(dev.client_wake, dev.client_waiters, timeout_ms, [&] {
    rc = TakeNext(*core, out, &got);
    return got || rc != NOERROR;
  });
  if (wr == WaitResult::kAborted) {
    *out = nullptr;
    return VD_E_ABORT;
  }
  if (wr == WaitResult::kTimeout) return VD_E_TIMEOUT;
  if (rc == VD_E_CLOSE) set_->NoteDeviceClosed();
  return rc;
}

int CVD::CompleteCommand(VDC_Command* cmd, int code, unsigned long bytes, int64_t position) {
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  if (core->Aborted()) return VD_E_ABORT;
  if (set_->Terminated()) return VD_E_PROTOCOL;
  if (cmd < cmds_ || cmd >= cmds_ + kSlotsPerDevice) return VD_E_INVALID;
  const auto slot = static_cast<uint32_t>(cmd - cmds_);
  if (&cmds_[slot] != cmd) return VD_E_INVALID;
  DeviceShared& dev = *core->device(index_);
  CommandSlot& s = dev.slots[slot];
  const uint32_t seq = delivered_seq_[slot].load();
  uint32_t w = s.word.load();
  if (w != SlotWord(seq, v::kSlotDelivered)) return VD_E_INVALID;
  s.completion_code = static_cast<uint32_t>(code);
  s.bytes_transferred = bytes;
  s.out_position = position;
  // IO-ERROR (rule 1) is entered before the completion is visible, so the server flushes the
  // queue when it processes this completion; a successful ClearError leaves the state.
  if (code != ERROR_SUCCESS && s.command_code != VDC_ClearError) dev.io_error.store(1);
  if (code == ERROR_SUCCESS && s.command_code == VDC_ClearError) dev.io_error.store(0);
  if (!s.word.compare_exchange_strong(w, SlotWord(seq, v::kSlotDone))) return VD_E_INVALID;
  dev.delivered.fetch_sub(1);
  dev.done_mask.fetch_or(uint64_t{1} << slot);
  v::Notify(core->cb()->agent_wake, core->cb()->agent_waiters);
  if (dev.io_error.load() != 0) v::Notify(dev.client_wake, dev.client_waiters);
  if (closed_seen_.load()) set_->NoteDeviceClosed();  // its last command: maybe Terminated now
  return NOERROR;
}
