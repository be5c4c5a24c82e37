// ClientVirtualDeviceSet: the primary and secondary client of a set (Create / OpenInSecondary,
// GetConfiguration, OpenDevice, buffer handles, SignalAbort, Close) with the state table of the
// VDI specification (docs/vdi.md "Client states").
#include <cstring>
#include <set>

#include "client_impl.h"
#include "futex.h"
#include "vdierror.h"

using vdibk::vdi::SetCore;
using vdibk::vdi::WaitResult;
namespace v = vdibk::vdi;

namespace {

// Set names attached by client objects of this process ("already opened here").
std::mutex g_registry_mu;
std::set<std::string>& Registry() {
  static auto* names = new std::set<std::string>();
  return *names;
}
bool RegistryAdd(const std::string& name) {
  std::lock_guard lock(g_registry_mu);
  return Registry().insert(name).second;
}
void RegistryRemove(const std::string& name) {
  std::lock_guard lock(g_registry_mu);
  Registry().erase(name);
}

bool IsPowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

constexpr uint32_t kClientFeatureBits =
    VDF_Removable | VDF_Rewind | VDF_Position | VDF_SkipBlocks | VDF_ReversePosition | VDF_Discard |
    VDF_FileMarks | VDF_RandomAccess | VDF_SnapshotPrepare | VDF_EnumFrozenFiles | VDF_VSSWriter |
    VDF_RequestComplete | VDF_LatchStats;

// Only the pipe / tape / disk combinations are supported (plus the orthogonal option bits).
bool ValidConfig(const VDConfig& c) {
  if (c.deviceCount < 1 || c.deviceCount > v::kMaxDevices) return false;
  if (c.features & ~kClientFeatureBits) return false;
  if (c.alignment != 0 && (!IsPowerOfTwo(c.alignment) || c.alignment > 65536)) return false;
  if (c.prefixZoneSize > 65536) return false;
  const uint32_t mode = c.features & (VDF_LikeTape | VDF_RandomAccess);
  return mode == VDF_LikePipe || mode == VDF_Removable || mode == VDF_LikeTape ||
         mode == VDF_LikeDisk || mode == (VDF_LikeDisk | VDF_Removable);
}

bool ValidName(const char* name) {
  if (!name) return false;
  size_t n = std::strlen(name);
  return n > 0 && n <= v::kSetNameMax && std::strchr(name, '\\') == nullptr;
}

}  // namespace

// ---- public class: forwards to the implementation -------------------------------------------

ClientVirtualDeviceSet::ClientVirtualDeviceSet() : cvds(new CVDS()) {}
ClientVirtualDeviceSet::~ClientVirtualDeviceSet() { delete cvds; }
int ClientVirtualDeviceSet::Create(char* name, VDConfig* cfg) { return cvds->Create(name, cfg); }
int ClientVirtualDeviceSet::GetConfiguration(time_t timeout, VDConfig* cfg) {
  return cvds->GetConfiguration(static_cast<int64_t>(timeout), cfg);
}
int ClientVirtualDeviceSet::OpenDevice(char* name, ClientVirtualDevice** ppVirtualDevice) {
  return cvds->OpenDevice(name, ppVirtualDevice);
}
int ClientVirtualDeviceSet::Close() { return cvds->Close(); }
int ClientVirtualDeviceSet::SignalAbort() { return cvds->SignalAbort(); }
int ClientVirtualDeviceSet::OpenInSecondary(char* setName) {
  return cvds->OpenInSecondary(setName);
}
int ClientVirtualDeviceSet::GetBufferHandle(uint8_t* pBuffer, unsigned int* pBufferHandle) {
  return cvds->GetBufferHandle(pBuffer, pBufferHandle);
}
int ClientVirtualDeviceSet::MapBufferHandle(int dwBuffer, uint8_t** ppBuffer) {
  return cvds->MapBufferHandle(dwBuffer, ppBuffer);
}
// Undocumented in the SDK; kept for link compatibility. Device closure is tracked by GetCommand.
void ClientVirtualDeviceSet::RegisterDeviceClosed() {}

// ---- implementation --------------------------------------------------------------------------

CVDS::~CVDS() {
  if (core_) Close();
}

std::shared_ptr<SetCore> CVDS::Core() {
  std::lock_guard lock(mu_);
  return core_;
}

int CVDS::Create(const char* name, VDConfig* cfg) {
  std::lock_guard lock(mu_);
  if (state_ != State::kDne) return VD_E_PROTOCOL;
  if (!cfg) return VD_E_INVALID;
  if (!ValidName(name)) return VD_E_INVALID;
  if (!ValidConfig(*cfg)) return VD_E_NOTSUPPORTED;
  std::string set_name(name);
  if (!RegistryAdd(set_name)) return VD_E_PROTOCOL;
  auto core = std::make_shared<SetCore>();
  int rc = core->CreateAsPrimary(set_name, *cfg);
  if (rc != NOERROR) {
    RegistryRemove(set_name);
    return rc;
  }
  core_ = std::move(core);
  name_ = set_name;
  secondary_ = false;
  SetState(State::kConfigurable);
  return NOERROR;
}

int CVDS::OpenInSecondary(const char* name) {
  std::lock_guard lock(mu_);
  if (state_ != State::kDne) return VD_E_PROTOCOL;
  if (!ValidName(name)) return VD_E_PROTOCOL;
  std::string set_name(name);
  if (!RegistryAdd(set_name)) return VD_E_PROTOCOL;
  auto core = std::make_shared<SetCore>();
  int err = 0;
  int rc = core->OpenAsSecondary(set_name, &err);
  if (rc != NOERROR) {
    RegistryRemove(set_name);
    return rc;
  }
  core_ = std::move(core);
  name_ = set_name;
  secondary_ = true;
  SetState(State::kInitializing);
  return NOERROR;
}

int CVDS::GetConfiguration(int64_t timeout_ms, VDConfig* cfg) {
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  if (!cfg) return VD_E_INVALID;
  v::ControlBlock* cb = core->cb();
  WaitResult wr = core->WaitUntil(cb->phase_wake, cb->phase_waiters, timeout_ms,
                                  [cb] { return cb->phase.load() >= v::kPhaseConfigured; });
  if (wr == WaitResult::kAborted) return VD_E_ABORT;
  if (wr == WaitResult::kTimeout) return VD_E_TIMEOUT;
  int err = 0;
  if (core->EnsureSegmentsMapped(&err) != NOERROR) return VD_E_ABORT;
  *cfg = cb->server_config;
  std::lock_guard lock(mu_);
  if (!secondary_ && state_ == State::kConfigurable) {
    uint32_t expected = v::kPhaseConfigured;
    cb->phase.compare_exchange_strong(expected, v::kPhaseClientConfigured);
    v::Notify(cb->phase_wake, cb->phase_waiters);
    SetState(State::kInitializing);
  }
  return NOERROR;
}

int CVDS::OpenDevice(const char* name, ClientVirtualDevice** dev) {
  if (dev) *dev = nullptr;
  if (!dev || !name) return VD_E_INVALID;
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  if (core->Aborted()) return VD_E_ABORT;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kConfigurable || state_ == State::kTerminated) return VD_E_PROTOCOL;
  }
  v::ControlBlock* cb = core->cb();
  const uint32_t count = cb->device_count;
  if (cb->devices_opened_by_client.load() >= count) return VD_E_OPEN;
  // The server names its devices when it opens them; wait (bounded) until it has named ours.
  uint32_t index = count;
  auto find = [&] {
    for (uint32_t i = 0; i < count; ++i) {
      if (core->device(i)->server_state.load() != v::kDevUnused &&
          std::strncmp(core->device(i)->name, name, v::kNameMax) == 0) {
        index = i;
        return true;
      }
    }
    return cb->devices_opened_by_server.load() >= count;
  };
  WaitResult wr = core->WaitUntil(cb->phase_wake, cb->phase_waiters, 60'000, find);
  if (wr == WaitResult::kAborted) return VD_E_ABORT;
  if (index == count) return VD_E_INVALID;
  uint32_t expected = 0;
  if (!core->device(index)->client_owner.compare_exchange_strong(expected, core->slot() + 1)) {
    return VD_E_PROTOCOL;  // this device is already open
  }
  uint32_t opened = cb->devices_opened_by_client.fetch_add(1) + 1;
  v::Notify(cb->phase_wake, cb->phase_waiters);
  auto object = std::make_unique<ClientVirtualDevice>();
  auto* impl = new CVD(this, core, index);
  object->cvd = impl;
  std::lock_guard lock(mu_);
  if (opened >= count) SetState(State::kActive);
  devices_.push_back(impl);
  *dev = object.get();
  device_objects_.push_back(std::move(object));
  return NOERROR;
}

void CVDS::NoteDeviceClosed() {
  std::lock_guard lock(mu_);
  if (!core_ || secondary_) return;
  v::ControlBlock* cb = core_->cb();
  for (uint32_t i = 0; i < cb->device_count; ++i) {
    if (core_->device(i)->server_state.load() != v::kDevClosed) return;
  }
  for (CVD* d : devices_) {
    if (!d->closed_seen() || core_->device(d->index())->delivered.load() != 0) return;
  }
  SetState(State::kTerminated);
}

int CVDS::SignalAbort() {
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  core->TriggerAbort(v::kAbortClientSignal, core->slot());
  return NOERROR;
}

int CVDS::Close() {
  std::lock_guard lock(mu_);
  if (!core_) return VD_E_PROTOCOL;
  int rc = NOERROR;
  if (!core_->Aborted()) {
    // A device is still open until it saw VD_E_CLOSE and has no command left to complete.
    bool device_open = false;
    for (CVD* d : devices_) {
      device_open |= !d->closed_seen() || core_->device(d->index())->delivered.load() != 0;
    }
    bool all_closed_by_server = true;
    for (uint32_t i = 0; i < core_->cb()->device_count; ++i) {
      all_closed_by_server &= core_->device(i)->server_state.load() == v::kDevClosed;
    }
    if (device_open) {
      core_->TriggerAbort(v::kAbortClosedEarly, core_->slot());
      rc = VD_E_OPEN;
    } else if (!secondary_ && !all_closed_by_server) {
      // The primary leaving a live set: the server must not wait for it.
      core_->TriggerAbort(v::kAbortClosedEarly, core_->slot());
    }
  }
  for (CVD* d : devices_) d->Invalidate();
  devices_.clear();
  core_->Leave(/*remove_all=*/!secondary_);
  core_.reset();
  RegistryRemove(name_);
  SetState(State::kDne);
  return rc;
}

int CVDS::GetBufferHandle(uint8_t* buffer, unsigned int* handle) {
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  if (!buffer || !handle) return VD_E_INVALID;
  uint32_t index = 0;
  if (!core->FindBuffer(buffer, &index)) return VD_E_INVALID;
  const v::BufferDesc& d = core->cb()->buffers[index];
  if (d.state.load() != v::kBufInCommand) return VD_E_INVALID;
  *handle = v::MakeHandle(core->cb()->set_tag, index, d.issue.load());
  return NOERROR;
}

int CVDS::MapBufferHandle(int handle, uint8_t** buffer) {
  std::shared_ptr<SetCore> core = Core();
  if (!core) return VD_E_PROTOCOL;
  if (!buffer) return VD_E_INVALID;
  *buffer = nullptr;
  if (handle < 0) return VD_E_INVALID;
  const auto h = static_cast<uint32_t>(handle);
  const uint32_t index = h & 0xFFFu;
  const uint32_t issue = (h >> 12) & 0xFFFu;
  const uint32_t tag = (h >> 24) & 0x7Fu;
  v::ControlBlock* cb = core->cb();
  if (tag != (cb->set_tag & 0x7Fu)) return VD_E_INVALID;
  if (index >= cb->buffer_count.load(std::memory_order_acquire)) return VD_E_INVALID;
  const v::BufferDesc& d = cb->buffers[index];
  if (d.state.load() != v::kBufInCommand || (d.issue.load() & 0xFFFu) != issue) {
    return VD_E_INVALID;  // stale: the buffer is not (or no longer) part of that command
  }
  uint8_t* p = core->BufferData(index);
  if (!p) return core->Aborted() ? VD_E_ABORT : VD_E_INVALID;
  *buffer = p;
  return NOERROR;
}
