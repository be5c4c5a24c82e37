// ServerVirtualDeviceSet: server states, configuration negotiation (docs/vdi.md "What the client
// observes"), the shared buffer pool, device opening, abort and close.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "futex.h"
#include "server_impl.h"
#include "vdierror.h"

namespace vdibk::vdi {
namespace {

bool IsPowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }
uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

ServerSetImpl::~ServerSetImpl() {
  if (core_) Close();
}

int ServerSetImpl::Open(const char* name) {
  std::lock_guard lock(mu_);
  if (state_ != State::kDne) return VD_E_PROTOCOL;
  if (!name || !*name) return VD_E_INVALID;
  auto core = std::make_unique<SetCore>();
  int err = 0;
  int rc = core->OpenAsServer(name, &err);
  if (rc != NOERROR) return rc;
  core_ = std::move(core);
  devices_.clear();
  segments_ = 0;
  requests_.clear();
  state_ = State::kConnected;
  return NOERROR;
}

int ServerSetImpl::GetConfiguration(VDConfig* cfg) {
  std::lock_guard lock(mu_);
  if (state_ == State::kDne) return VD_E_PROTOCOL;
  if (!cfg) return VD_E_INVALID;
  *cfg = core_->cb()->client_config;
  return NOERROR;
}

int ServerSetImpl::BeginConfiguration(uint32_t features, uint32_t block_size, uint32_t alignment,
                                      uint32_t max_transfer, uint32_t /*timeout_ms*/) {
  std::lock_guard lock(mu_);
  if (state_ != State::kConnected) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  if (!IsPowerOfTwo(block_size) || block_size < 512 || block_size > 65536) return VD_E_INVALID;
  if (alignment == 0) alignment = block_size;
  if (!IsPowerOfTwo(alignment) || alignment < block_size || alignment > 65536) return VD_E_INVALID;
  if (max_transfer == 0 || max_transfer % 65536 != 0 || max_transfer > 4u * 1024 * 1024) {
    return VD_E_INVALID;
  }
  if ((features & (VDF_WriteMedia | VDF_ReadMedia)) == 0) return VD_E_INVALID;
  ControlBlock* cb = core_->cb();
  VDConfig cfg = cb->client_config;
  cfg.features |= features & (VDF_WriteMedia | VDF_ReadMedia);
  if ((features & VDF_CompleteEnabled) && (cfg.features & VDF_RequestComplete)) {
    cfg.features |= VDF_CompleteEnabled;
  }
  cfg.blockSize = block_size;
  cfg.maxIODepth = 4;
  cfg.maxTransferSize = max_transfer;
  cfg.bufferAreaSize = max_transfer * 4 * cfg.deviceCount;
  cb->server_config = cfg;
  cb->buffer_alignment = std::max(alignment, cfg.alignment);
  cb->phase.store(kPhaseConfigurable);
  state_ = State::kConfigurable;
  return NOERROR;
}

int ServerSetImpl::AllocateSegment(const std::vector<Request>& requests) {
  ControlBlock* cb = core_->cb();
  if (segments_ >= kMaxSegments) return VD_E_MEMORY;
  const uint32_t first = cb->buffer_count.load();
  uint64_t total = 0;
  for (const Request& r : requests) total += r.count;
  if (first + total > kMaxBuffers) return VD_E_MEMORY;
  const uint64_t prefix = cb->client_config.prefixZoneSize;
  uint64_t cursor = 0;
  uint32_t n = first;
  for (const Request& r : requests) {
    const uint64_t a = std::max<uint64_t>(cb->buffer_alignment, r.alignment);
    for (uint32_t i = 0; i < r.count; ++i, ++n) {
      const uint64_t off = AlignUp(cursor + prefix, a);
      BufferDesc& d = cb->buffers[n];
      d.segment = segments_;
      d.size = r.size;
      d.data_offset = off;
      d.state.store(kBufFree);
      d.issue.store(0);
      cursor = off + r.size;
    }
  }
  int err = 0;
  int rc = core_->CreateBufferSegment(segments_, std::max<uint64_t>(AlignUp(cursor, 4096), 4096),
                                      65536, &err);
  if (rc != NOERROR) return VD_E_MEMORY;
  ++segments_;
  cb->segment_count.store(segments_, std::memory_order_release);
  cb->buffer_count.store(n, std::memory_order_release);
  return NOERROR;
}

int ServerSetImpl::RequestBuffers(uint32_t size, uint32_t alignment, uint32_t count) {
  std::lock_guard lock(mu_);
  if (state_ == State::kDne || state_ == State::kConnected) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  if (size == 0 || count == 0 || count > kMaxBuffers) return VD_E_INVALID;
  if (alignment != 0 && (!IsPowerOfTwo(alignment) || alignment > 65536)) return VD_E_INVALID;
  if (state_ == State::kConfigurable) {
    requests_.push_back({size, alignment, count});
    return NOERROR;
  }
  return AllocateSegment({{size, alignment, count}});
}

int ServerSetImpl::EndConfiguration() {
  std::lock_guard lock(mu_);
  if (state_ != State::kConfigurable) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  if (!requests_.empty()) {
    int rc = AllocateSegment(requests_);
    requests_.clear();
    if (rc != NOERROR) return rc;  // stays Configurable with no buffers
  }
  ControlBlock* cb = core_->cb();
  cb->phase.store(kPhaseConfigured, std::memory_order_seq_cst);
  Notify(cb->phase_wake, cb->phase_waiters);
  state_ = State::kInitializing;
  return NOERROR;
}

int ServerSetImpl::OpenDevice(const char* name, ServerVirtualDevice** dev) {
  if (dev) *dev = nullptr;
  if (!name || !dev) return VD_E_INVALID;
  std::lock_guard lock(mu_);
  if (state_ == State::kDne || state_ == State::kConnected) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  ControlBlock* cb = core_->cb();
  const auto n = static_cast<uint32_t>(devices_.size());
  if (n >= cb->device_count) return VD_E_OPEN;
  const size_t len = std::strlen(name);
  if (len == 0 || len >= kNameMax) return VD_E_INVALID;
  if (n == 0 && (len != cb->set_name_len || std::memcmp(name, cb->set_name, len) != 0)) {
    return VD_E_INVALID;  // the first device is the set itself
  }
  for (const auto& d : devices_) {
    if (d->name() == name) return VD_E_INVALID;
  }
  DeviceShared& shared = cb->devices[n];
  std::memset(shared.name, 0, kNameMax);
  std::memcpy(shared.name, name, len);
  shared.server_state.store(kDevOpen, std::memory_order_seq_cst);
  cb->devices_opened_by_server.fetch_add(1);
  Notify(cb->phase_wake, cb->phase_waiters);
  devices_.push_back(std::make_unique<ServerDeviceImpl>(this, n, name));
  device_objects_.push_back(
      std::unique_ptr<ServerVirtualDevice>(new ServerVirtualDevice(devices_.back().get())));
  *dev = device_objects_.back().get();
  if (n + 1 == cb->device_count && state_ == State::kInitializing) state_ = State::kActive;
  return NOERROR;
}

int ServerSetImpl::ExecuteCompletionAgent() {
  SetCore* core;
  std::vector<ServerDeviceImpl*> devices;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kDne || state_ == State::kConnected || state_ == State::kConfigurable) {
      return VD_E_PROTOCOL;
    }
    core = core_.get();
  }
  ControlBlock* cb = core->cb();
  const uint32_t timeout_ms = cb->client_config.serverTimeOut;
  auto last_progress_time = std::chrono::steady_clock::now();
  uint64_t last_progress = progress_.load();
  for (;;) {
    {
      std::lock_guard lock(mu_);
      devices.clear();
      for (auto& d : devices_) devices.push_back(d.get());
    }
    auto work = [&] {
      for (uint32_t i = 0; i < devices.size(); ++i) {
        if (core->device(i)->done_mask.load() != 0) return true;
        // Commands queued behind an error are flushed here if the client does not fetch them;
        // delivered ones wait for the client (no busy loop while it holds them).
        if (devices[i]->HasQueuedBehindError()) return true;
      }
      bool all_done = devices.size() == cb->device_count;
      for (ServerDeviceImpl* d : devices) all_done &= d->closed() && d->outstanding() == 0;
      return all_done;
    };
    WaitResult wr =
        core->WaitUntil(cb->agent_wake, cb->agent_waiters, timeout_ms ? timeout_ms : 1000, work);
    if (wr == WaitResult::kAborted) {
      for (ServerDeviceImpl* d : devices) d->FailAllOutstanding(ERROR_OPERATION_ABORTED);
      return VD_E_ABORT;
    }
    for (ServerDeviceImpl* d : devices) d->DrainCompletions();
    bool all_done = devices.size() == cb->device_count;
    uint32_t outstanding = 0;
    for (ServerDeviceImpl* d : devices) {
      all_done &= d->closed() && d->outstanding() == 0;
      outstanding += d->outstanding();
    }
    if (all_done) {
      std::lock_guard lock(mu_);
      state_ = State::kTerminated;
      return NOERROR;
    }
    // serverTimeOut watchdog: requests pending and none completing for two intervals.
    const auto now = std::chrono::steady_clock::now();
    const uint64_t progress = progress_.load();
    if (progress != last_progress || outstanding == 0) {
      last_progress = progress;
      last_progress_time = now;
    } else if (timeout_ms != 0 &&
               now - last_progress_time > std::chrono::milliseconds(2ull * timeout_ms)) {
      core->TriggerAbort(kAbortServerTimeout, kServerSlot);
    }
  }
}

int ServerSetImpl::AllocateBuffer(uint8_t** buf, uint32_t size, uint32_t alignment) {
  if (!buf) return VD_E_INVALID;
  *buf = nullptr;
  std::lock_guard lock(mu_);
  if (state_ == State::kDne || state_ == State::kConnected) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  if (size == 0 || (alignment != 0 && (!IsPowerOfTwo(alignment) || alignment > 65536))) {
    return VD_E_INVALID;
  }
  ControlBlock* cb = core_->cb();
  const uint32_t n = cb->buffer_count.load();
  for (uint32_t i = 0; i < n; ++i) {
    BufferDesc& d = cb->buffers[i];
    if (d.size < size || (alignment && d.data_offset % alignment != 0)) continue;
    uint32_t expected = kBufFree;
    if (!d.state.compare_exchange_strong(expected, kBufAllocated)) continue;
    *buf = core_->BufferData(i);
    return NOERROR;
  }
  return VD_E_MEMORY;
}

int ServerSetImpl::FreeBuffer(uint8_t* buf, uint32_t /*size*/) {
  std::lock_guard lock(mu_);
  if (!core_) return VD_E_PROTOCOL;
  if (core_->Aborted()) return VD_E_ABORT;
  uint32_t index = 0;
  if (!buf || !core_->FindBuffer(buf, &index)) return VD_E_INVALID;
  uint32_t expected = kBufAllocated;
  if (!core_->cb()->buffers[index].state.compare_exchange_strong(expected, kBufFree)) {
    return VD_E_INVALID;  // not allocated, or still part of a command
  }
  return NOERROR;
}

bool ServerSetImpl::IsSharedBuffer(const uint8_t* buf) const {
  std::lock_guard lock(mu_);
  uint32_t index = 0;
  return core_ && buf && core_->FindBuffer(buf, &index);
}

int ServerSetImpl::SignalAbort() {
  std::lock_guard lock(mu_);
  if (!core_) return VD_E_PROTOCOL;
  core_->TriggerAbort(kAbortServerSignal, kServerSlot);
  return NOERROR;
}

int ServerSetImpl::Close() {
  std::lock_guard lock(mu_);
  if (!core_) return VD_E_PROTOCOL;
  int rc = NOERROR;
  bool devices_open = false;
  for (auto& d : devices_) devices_open |= !d->closed();
  const bool finished = devices_.size() == core_->cb()->device_count && !devices_open;
  if (!core_->Aborted() && !finished) {
    core_->TriggerAbort(kAbortClosedEarly, kServerSlot);
    if (devices_open) rc = VD_E_PROTOCOL;
  }
  for (auto& d : devices_) d->FailAllOutstanding(ERROR_OPERATION_ABORTED);
  core_->Leave(/*remove_all=*/false);
  state_ = State::kDne;
  core_.reset();  // device objects stay valid and answer VD_E_PROTOCOL from now on
  return rc;
}

bool ServerSetImpl::IsAborted() const {
  std::lock_guard lock(mu_);
  return core_ ? core_->Aborted() : false;
}

std::string ServerSetImpl::AbortReason() const {
  std::lock_guard lock(mu_);
  return core_ ? core_->AbortReason() : "";
}

VDConfig ServerSetImpl::PublishedConfiguration() const {
  std::lock_guard lock(mu_);
  return core_ ? core_->cb()->server_config : VDConfig{};
}

// ---- public class --------------------------------------------------------------------------

ServerVirtualDeviceSet::ServerVirtualDeviceSet() : impl_(std::make_unique<ServerSetImpl>()) {}
ServerVirtualDeviceSet::~ServerVirtualDeviceSet() = default;
int ServerVirtualDeviceSet::Open(const char* name) { return impl_->Open(name); }
int ServerVirtualDeviceSet::GetConfiguration(VDConfig* cfg) { return impl_->GetConfiguration(cfg); }
int ServerVirtualDeviceSet::BeginConfiguration(uint32_t features, uint32_t blockSize,
                                               uint32_t alignment, uint32_t maxTransferSize,
                                               uint32_t timeoutMs) {
  return impl_->BeginConfiguration(features, blockSize, alignment, maxTransferSize, timeoutMs);
}
int ServerVirtualDeviceSet::RequestBuffers(uint32_t size, uint32_t alignment, uint32_t count) {
  return impl_->RequestBuffers(size, alignment, count);
}
int ServerVirtualDeviceSet::EndConfiguration() { return impl_->EndConfiguration(); }
int ServerVirtualDeviceSet::OpenDevice(const char* name, ServerVirtualDevice** dev) {
  return impl_->OpenDevice(name, dev);
}
int ServerVirtualDeviceSet::ExecuteCompletionAgent() { return impl_->ExecuteCompletionAgent(); }
int ServerVirtualDeviceSet::AllocateBuffer(uint8_t** buf, uint32_t size, uint32_t alignment) {
  return impl_->AllocateBuffer(buf, size, alignment);
}
int ServerVirtualDeviceSet::FreeBuffer(uint8_t* buf, uint32_t size) {
  return impl_->FreeBuffer(buf, size);
}
bool ServerVirtualDeviceSet::IsSharedBuffer(const uint8_t* buf) const {
  return impl_->IsSharedBuffer(buf);
}
int ServerVirtualDeviceSet::SignalAbort() { return impl_->SignalAbort(); }
int ServerVirtualDeviceSet::Close() { return impl_->Close(); }
bool ServerVirtualDeviceSet::IsAborted() const { return impl_->IsAborted(); }
std::string ServerVirtualDeviceSet::AbortReason() const { return impl_->AbortReason(); }
VDConfig ServerVirtualDeviceSet::PublishedConfiguration() const {
  return impl_->PublishedConfiguration();
}

}  // namespace vdibk::vdi
