// ServerVirtualDevice: SendCommand into the device ring (IO-ERROR and queue-full rules),
// CloseDevice, and the completion-agent side that runs completion routines exactly once per
// command.
#include <cerrno>

#include "futex.h"
#include "server_impl.h"
#include "vdierror.h"

namespace vdibk::vdi {

ServerDeviceImpl::ServerDeviceImpl(ServerSetImpl* set, uint32_t index, std::string name)
    : set_(set), index_(index), name_(std::move(name)) {}

void ServerDeviceImpl::Finish(VDS_Command* cmd, uint32_t code, uint64_t bytes,
                              int64_t out_position) {
  cmd->completionCode = code;
  cmd->bytesTransferred = static_cast<uint32_t>(bytes);
  cmd->outPosition = static_cast<uint64_t>(out_position);
  if (cmd->completionRoutine) reinterpret_cast<CompletionRoutine>(cmd->completionRoutine)(cmd);
}

bool ServerDeviceImpl::InIoError() const {
  SetCore* core = set_->core();
  return core && core->device(index_)->io_error.load() != 0;
}

int ServerDeviceImpl::SendCommand(VDS_Command* cmd) {
  if (!cmd) return VD_E_INVALID;
  SetCore* core = set_->core();
  if (!core) {
    Finish(cmd, ERROR_INVALID_HANDLE, 0, 0);
    return VD_E_PROTOCOL;
  }
  if (core->Aborted()) {
    Finish(cmd, ERROR_OPERATION_ABORTED, 0, 0);
    return VD_E_ABORT;
  }
  DeviceShared& dev = *core->device(index_);
  ControlBlock* cb = core->cb();
  const uint32_t code = cmd->commandCode;
  if (dev.io_error.load() != 0 && code != VDC_ClearError) {
    Finish(cmd, ERROR_IO_DEVICE, 0, 0);  // rule 2: rejected at once while in IO-ERROR
    return VD_E_IO_ERROR;
  }
  uint32_t buffer_index = kNoBuffer;
  if (code == VDC_Read || code == VDC_Write) {
    uint32_t idx = 0;
    if (!cmd->buffer || !core->FindBuffer(cmd->buffer, &idx) || cmd->size == 0 ||
        cmd->size > cb->buffers[idx].size || cb->buffers[idx].state.load() != kBufAllocated) {
      Finish(cmd, ERROR_INVALID_PARAMETER, 0, 0);
      return VD_E_INVALID;
    }
    buffer_index = idx;
  }
  std::unique_lock lock(mu_);
  if (closed_) {
    lock.unlock();
    Finish(cmd, ERROR_INVALID_HANDLE, 0, 0);
    return VD_E_PROTOCOL;
  }
  const uint32_t tail = dev.ring_tail.load(std::memory_order_relaxed);
  uint32_t slot = kSlotsPerDevice;
  if (tail - dev.ring_head.load() < kSlotsPerDevice) {
    for (uint32_t s = 0; s < kSlotsPerDevice; ++s) {
      if (!pending_[s] && SlotWordState(dev.slots[s].word.load()) == kSlotFree) {
        slot = s;
        break;
      }
    }
  }
  if (slot == kSlotsPerDevice) {
    lock.unlock();
    Finish(cmd, ERROR_NO_SYSTEM_RESOURCES, 0, 0);
    return VD_E_BUSY;
  }
  seq_ = (seq_ + 1) & kSeqMask;
  if (seq_ == 0) seq_ = 1;
  CommandSlot& s = dev.slots[slot];
  s.command_code = code;
  s.size = cmd->size;
  s.position = static_cast<int64_t>(cmd->inPosition);
  s.buffer_index = buffer_index;
  s.completion_code = 0;
  s.bytes_transferred = 0;
  s.out_position = 0;
  if (buffer_index != kNoBuffer) {
    cb->buffers[buffer_index].issue.fetch_add(1);
    cb->buffers[buffer_index].state.store(kBufInCommand);
  }
  pending_[slot] = cmd;
  outstanding_.fetch_add(1);
  s.word.store(SlotWord(seq_, kSlotQueued), std::memory_order_release);
  dev.ring[tail % kSlotsPerDevice].store((uint64_t{seq_} << 32) | slot, std::memory_order_release);
  dev.ring_tail.store(tail + 1, std::memory_order_seq_cst);
  lock.unlock();
  Notify(dev.client_wake, dev.client_waiters);
  return NOERROR;
}

int ServerDeviceImpl::CloseDevice() {
  SetCore* core = set_->core();
  if (!core) return VD_E_PROTOCOL;
  if (core->Aborted()) return VD_E_ABORT;
  {
    std::lock_guard lock(mu_);
    if (closed_) return VD_E_CLOSE;
    closed_ = true;
  }
  DeviceShared& dev = *core->device(index_);
  dev.server_state.store(kDevClosed);
  Notify(dev.client_wake, dev.client_waiters);
  Notify(core->cb()->agent_wake, core->cb()->agent_waiters);
  return NOERROR;
}

int ServerDeviceImpl::DrainCompletions() {
  SetCore* core = set_->core();
  DeviceShared& dev = *core->device(index_);
  ControlBlock* cb = core->cb();
  struct Done {
    VDS_Command* cmd;
    uint32_t code;
    uint64_t bytes;
    int64_t pos;
  };
  Done done[kSlotsPerDevice];
  int n = 0;
  uint64_t mask = dev.done_mask.exchange(0);
  const bool io_error = dev.io_error.load() != 0;
  {
    std::lock_guard lock(mu_);
    for (uint32_t s = 0; s < kSlotsPerDevice; ++s) {
      CommandSlot& slot = dev.slots[s];
      uint32_t w = slot.word.load(std::memory_order_acquire);
      uint32_t st = SlotWordState(w);
      // Rule 3: commands still queued behind an error never reach the client.
      if (io_error && st == kSlotQueued && slot.command_code != VDC_ClearError &&
          slot.word.compare_exchange_strong(w, SlotWord(SlotWordSeq(w), kSlotFlushed))) {
        st = kSlotFlushed;
      } else if (!(mask & (uint64_t{1} << s))) {
        continue;
      }
      if (!pending_[s] || (st != kSlotDone && st != kSlotFlushed)) continue;
      Done& d = done[n++];
      d.cmd = pending_[s];
      d.code = st == kSlotDone ? slot.completion_code : ERROR_IO_DEVICE;
      d.bytes = st == kSlotDone ? slot.bytes_transferred : 0;
      d.pos = st == kSlotDone ? slot.out_position : 0;
      if (slot.buffer_index != kNoBuffer) cb->buffers[slot.buffer_index].state.store(kBufAllocated);
      pending_[s] = nullptr;
      slot.word.store(SlotWord(SlotWordSeq(w), kSlotFree), std::memory_order_release);
      outstanding_.fetch_sub(1);
    }
  }
  for (int i = 0; i < n; ++i) Finish(done[i].cmd, done[i].code, done[i].bytes, done[i].pos);
  if (n > 0) set_->NoteProgress();
  return n;
}

bool ServerDeviceImpl::HasQueuedBehindError() {
  SetCore* core = set_->core();
  if (!core || outstanding_.load() == 0) return false;
  const DeviceShared& dev = *core->device(index_);
  if (dev.io_error.load() == 0) return false;
  std::lock_guard lock(mu_);  // command_code is written under mu_ by SendCommand
  for (uint32_t s = 0; s < kSlotsPerDevice; ++s) {
    const CommandSlot& slot = dev.slots[s];
    if (pending_[s] && SlotWordState(slot.word.load()) == kSlotQueued &&
        slot.command_code != VDC_ClearError) {
      return true;
    }
  }
  return false;
}

int ServerDeviceImpl::FailAllOutstanding(uint32_t code) {
  SetCore* core = set_->core();
  if (!core) return 0;
  DeviceShared& dev = *core->device(index_);
  ControlBlock* cb = core->cb();
  VDS_Command* failed[kSlotsPerDevice];
  int n = 0;
  {
    std::lock_guard lock(mu_);
    for (uint32_t s = 0; s < kSlotsPerDevice; ++s) {
      if (!pending_[s]) continue;
      CommandSlot& slot = dev.slots[s];
      failed[n++] = pending_[s];
      if (slot.buffer_index != kNoBuffer) cb->buffers[slot.buffer_index].state.store(kBufAllocated);
      pending_[s] = nullptr;
      uint32_t w = slot.word.load();
      slot.word.store(SlotWord(SlotWordSeq(w), kSlotFree));
      outstanding_.fetch_sub(1);
    }
  }
  for (int i = 0; i < n; ++i) Finish(failed[i], code, 0, 0);
  return n;
}

// ---- public class --------------------------------------------------------------------------

int ServerVirtualDevice::SendCommand(VDS_Command* cmd) { return impl_->SendCommand(cmd); }
int ServerVirtualDevice::CloseDevice() { return impl_->CloseDevice(); }
const char* ServerVirtualDevice::Name() const { return impl_->name().c_str(); }
bool ServerVirtualDevice::InIoError() const { return impl_->InIoError(); }

}  // namespace vdibk::vdi
