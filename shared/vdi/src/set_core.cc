// SetCore implementation: control segment life cycle, liveness slots, aborts and bounded waits.
#include "set_core.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "dead_set.h"
#include "futex.h"
#include "participant_lock.h"
#include "shm_names.h"
#include "vdierror.h"

namespace vdibk::vdi {
namespace {

// Busy-wait before sleeping keeps round trips off the futex path when the peer answers at once.
// Default 10 us; VDIBACKUP_VDI_SPIN_US overrides it (0 = sleep at once, e.g. on one core).
int64_t SpinMicros() {
  static const int64_t spin = [] {
    const char* env = std::getenv("VDIBACKUP_VDI_SPIN_US");
    return env && *env ? std::strtoll(env, nullptr, 10) : int64_t{10};
  }();
  return spin;
}

uint32_t RandomTag() {
  std::random_device rd;
  uint32_t t = rd();
  return t == 0 ? 1 : t;
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

const char* RoleName(uint32_t slot) {
  if (slot == kPrimarySlot) return "primary client";
  if (slot == kServerSlot) return "server";
  return "secondary client";
}

}  // namespace

uint32_t ObjectMode() {
  const char* env = std::getenv("VDIBACKUP_SHM_MODE");
  if (env && *env) {
    char* end = nullptr;
    unsigned long v = std::strtoul(env, &end, 8);
    if (end && *end == '\0' && v <= 0777) return static_cast<uint32_t>(v);
  }
  return 0660;
}

SetCore::~SetCore() {
  if (attached_) Leave(false);
}

int SetCore::CreateAsPrimary(const std::string& set_name, const VDConfig& cfg) {
  set_name_ = set_name;
  const std::string ctl = ControlShmName(set_name);
  // Two tries: the name may be taken by a stale set of a dead creator, removed in between.
  for (int attempt = 0; attempt < 2 && !control_.mapped(); ++attempt) {
    int err = 0;
    int rc = control_.Create(ctl, sizeof(ControlBlock), ObjectMode(), 4096, &err);
    if (rc == NOERROR) break;
    if (err != EEXIST) return err == EACCES || err == EPERM ? VD_E_SECURITY : VD_E_MEMORY;
    // The name exists: a live set (any participant still holds its lock) or a stale leftover,
    // which goes (waiting for a concurrent orphan sweep judging it, if any).
    DeadSetResult dead = RemoveDeadSet(EncodeSetName(set_name), std::chrono::seconds(0), true);
    if (dead.outcome != DeadSetOutcome::kRemoved && dead.outcome != DeadSetOutcome::kGone) {
      return VD_E_PROTOCOL;
    }
  }
  if (!control_.mapped()) return VD_E_PROTOCOL;
  // Hold our liveness lock before anything else can look at the segment.
  if (!LockParticipant(control_.fd(), kPrimarySlot)) {
    control_.Reset();
    Segment::Unlink(ctl);
    return VD_E_UNEXPECTED;
  }
  cb_ = reinterpret_cast<ControlBlock*>(control_.base());
  cb_->layout_version = kLayoutVersion;
  cb_->header_size = sizeof(ControlBlock);
  cb_->total_size = control_.size();
  cb_->set_tag = RandomTag();
  cb_->device_count = cfg.deviceCount;
  cb_->set_name_len = static_cast<uint32_t>(set_name.size());
  std::memcpy(cb_->set_name, set_name.data(), set_name.size());
  cb_->client_config = cfg;
  cb_->participants[kPrimarySlot].pid = getpid();
  cb_->participants[kPrimarySlot].state.store(kPartActive);
  cb_->phase.store(kPhaseCreated);
  // The magic is written last (a release store): openers reject a segment not initialised yet.
  reinterpret_cast<std::atomic<uint64_t>*>(&cb_->magic)
      ->store(kControlMagic, std::memory_order_release);
  slot_ = kPrimarySlot;
  attached_ = true;
  last_probe_ = std::chrono::steady_clock::now();
  return NOERROR;
}

int SetCore::Attach(const std::string& set_name, int* err) {
  set_name_ = set_name;
  int rc = control_.Open(ControlShmName(set_name), 4096, err);
  if (rc != NOERROR) return VD_E_INVALID;
  if (control_.size() < sizeof(ControlBlock)) {
    *err = EINVAL;
    control_.Reset();
    return VD_E_INVALID;
  }
  cb_ = reinterpret_cast<ControlBlock*>(control_.base());
  uint64_t magic = reinterpret_cast<std::atomic<uint64_t>*>(&cb_->magic)->load();
  if (magic != kControlMagic || cb_->layout_version != kLayoutVersion ||
      cb_->header_size != sizeof(ControlBlock) || cb_->device_count == 0 ||
      cb_->device_count > kMaxDevices || cb_->set_name_len != set_name.size() ||
      std::memcmp(cb_->set_name, set_name.data(), set_name.size()) != 0) {
    *err = EPROTO;
    cb_ = nullptr;
    control_.Reset();
    return VD_E_INVALID;
  }
  last_probe_ = std::chrono::steady_clock::now();
  return NOERROR;
}

bool SetCore::ClaimSlot(uint32_t slot) {
  uint32_t expected = kPartFree;
  if (!cb_->participants[slot].state.compare_exchange_strong(expected, kPartClaiming)) return false;
  if (!LockParticipant(control_.fd(), slot)) {
    cb_->participants[slot].state.store(kPartFree);
    return false;
  }
  cb_->participants[slot].pid = getpid();
  cb_->participants[slot].state.store(kPartActive);
  slot_ = slot;
  attached_ = true;
  return true;
}

int SetCore::OpenAsServer(const std::string& set_name, int* err) {
  int rc = Attach(set_name, err);
  if (rc != NOERROR) return rc;
  if (Aborted()) return VD_E_ABORT;
  if (!ClaimSlot(kServerSlot)) return VD_E_PROTOCOL;
  uint32_t expected = kPhaseCreated;
  cb_->phase.compare_exchange_strong(expected, kPhaseServerOpen);
  Notify(cb_->phase_wake, cb_->phase_waiters);
  return NOERROR;
}

int SetCore::OpenAsSecondary(const std::string& set_name, int* err) {
  int rc = Attach(set_name, err);
  if (rc != NOERROR) return VD_E_PROTOCOL;  // "not created"
  if (Aborted()) return VD_E_ABORT;
  if (cb_->phase.load() < kPhaseClientConfigured) return VD_E_PROTOCOL;  // "not ready"
  for (uint32_t s = kServerSlot + 1; s < kMaxParticipants; ++s) {
    if (ClaimSlot(s)) {
      int merr = 0;
      EnsureSegmentsMapped(&merr);
      return Aborted() ? VD_E_ABORT : NOERROR;
    }
  }
  return VD_E_MEMORY;
}

void SetCore::Leave(bool remove_all) {
  if (!attached_) return;
  attached_ = false;
  cb_->participants[slot_].state.store(kPartClosed);
  UnlockParticipant(control_.fd(), slot_);
  WakeAll();
  bool others_alive = false;
  for (uint32_t s = 0; s < kMaxParticipants && !others_alive; ++s) {
    if (s == slot_) continue;
    if (cb_->participants[s].state.load() == kPartActive && ParticipantLockHeld(control_.fd(), s)) {
      others_alive = true;
    }
  }
  if (remove_all || !others_alive) RemoveAllObjects();
}

void SetCore::RemoveAllObjects() {
  if (!cb_) return;
  uint32_t n = cb_->segment_count.load();
  for (uint32_t k = 0; k < n && k < kMaxSegments; ++k) {
    Segment::Unlink(BufferShmName(set_name_, cb_->set_tag, k));
  }
  if (control_.NameStillOurs()) Segment::Unlink(control_.name());
}

void SetCore::TriggerAbort(AbortCause cause, uint32_t actor) {
  uint32_t expected = 0;
  if (cb_->abort.compare_exchange_strong(expected, 1 + static_cast<uint32_t>(cause))) {
    cb_->abort_actor.store(actor);
  }
  WakeAll();
}

std::string SetCore::AbortReason() const {
  uint32_t a = cb_->abort.load();
  if (a == 0) return "";
  uint32_t actor = cb_->abort_actor.load();
  switch (static_cast<AbortCause>(a - 1)) {
    case kAbortClientSignal:
      return "the client called SignalAbort";
    case kAbortServerSignal:
      return "the server called SignalAbort";
    case kAbortPeerDied:
      return std::string("a participant process died (") + RoleName(actor) + ", slot " +
             std::to_string(actor) + ")";
    case kAbortServerTimeout:
      return "server timeout: no command completed within 2 x serverTimeOut";
    case kAbortClosedEarly:
      return std::string("the ") + RoleName(actor) + " closed the set while it was in use";
    case kAbortBufferMapFailed:
      return std::string("the ") + RoleName(actor) + " could not open the buffer memory";
  }
  return "aborted";
}

void SetCore::WakeAll() {
  if (!cb_) return;
  cb_->phase_wake.fetch_add(1);
  FutexWakeAll(&cb_->phase_wake);
  cb_->agent_wake.fetch_add(1);
  FutexWakeAll(&cb_->agent_wake);
  for (uint32_t i = 0; i < cb_->device_count && i < kMaxDevices; ++i) {
    cb_->devices[i].client_wake.fetch_add(1);
    FutexWakeAll(&cb_->devices[i].client_wake);
  }
}

bool SetCore::ProbePeers() {
  std::lock_guard lock(probe_mu_);
  last_probe_ = std::chrono::steady_clock::now();
  bool died = false;
  for (uint32_t s = 0; s < kMaxParticipants; ++s) {
    if (s == slot_) continue;
    if (cb_->participants[s].state.load() != kPartActive) continue;
    if (ParticipantLockHeld(control_.fd(), s)) continue;
    // Leave() marks Closed before unlocking, so only a dead process fails this exchange.
    uint32_t expected = kPartActive;
    if (cb_->participants[s].state.compare_exchange_strong(expected, kPartDead)) {
      died = true;
      TriggerAbort(kAbortPeerDied, s);
    }
  }
  return died;
}

WaitResult SetCore::WaitUntil(std::atomic<uint32_t>& word, std::atomic<uint32_t>& waiters,
                              int64_t timeout_ms, const std::function<bool()>& pred) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const bool forever = timeout_ms < 0;
  const auto deadline = start + std::chrono::milliseconds(forever ? 0 : timeout_ms);
  // Short busy phase first: the peer is usually about to answer.
  for (int i = 0;; ++i) {
    if (Aborted()) return WaitResult::kAborted;
    if (pred()) return WaitResult::kReady;
    if ((i & 7) == 7 && Clock::now() - start > std::chrono::microseconds(SpinMicros())) break;
    CpuRelax();
  }
  for (;;) {
    waiters.fetch_add(1);
    uint32_t seen = word.load();
    WaitResult result;
    bool done = true;
    auto now = Clock::now();
    if (Aborted()) {
      result = WaitResult::kAborted;
    } else if (pred()) {
      result = WaitResult::kReady;
    } else if (!forever && now >= deadline) {
      result = WaitResult::kTimeout;
    } else {
      done = false;
      int64_t slice = kProbeIntervalUs;
      if (!forever) {
        slice = std::min<int64_t>(
            slice,
            std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count() + 1);
      }
      FutexWait(&word, seen, slice);
    }
    waiters.fetch_sub(1);
    if (done) return result;
    if (Clock::now() - last_probe_ > std::chrono::microseconds(kProbeIntervalUs)) ProbePeers();
  }
}

int SetCore::CreateBufferSegment(uint32_t index, uint64_t size, uint32_t alignment, int* err) {
  std::lock_guard lock(seg_mu_);
  int rc = segments_[index].Create(BufferShmName(set_name_, cb_->set_tag, index), size,
                                   ObjectMode(), alignment, err);
  if (rc != NOERROR) return rc;
  cb_->segments[index].size = size;
  cb_->segments[index].valid = 1;
  seg_base_[index].store(segments_[index].base(), std::memory_order_release);
  return NOERROR;
}

int SetCore::EnsureSegmentsMapped(int* err) {
  uint32_t n = cb_->segment_count.load(std::memory_order_acquire);
  for (uint32_t k = 0; k < n && k < kMaxSegments; ++k) {
    if (SegmentBase(k)) continue;
    std::lock_guard lock(seg_mu_);
    if (SegmentBase(k)) continue;
    const std::string name = BufferShmName(set_name_, cb_->set_tag, k);
    int rc = segments_[k].Open(name, 65536, err);
    if (rc != NOERROR) {
      std::fprintf(stderr,
                   "libsqlvdi: %s: cannot open the buffer memory %s: %s. The client and the "
                   "server must share /dev/shm (same IPC namespace and mount) and have access "
                   "to each other's objects (user/group, mode %03o).\n",
                   set_name_.c_str(), ShmPath(name).c_str(), std::strerror(*err), ObjectMode());
      TriggerAbort(kAbortBufferMapFailed, slot_);
      return VD_E_ABORT;
    }
    seg_base_[k].store(segments_[k].base(), std::memory_order_release);
  }
  return NOERROR;
}

uint8_t* SetCore::BufferData(uint32_t index) {
  if (index >= cb_->buffer_count.load(std::memory_order_acquire)) return nullptr;
  const BufferDesc& d = cb_->buffers[index];
  if (d.segment >= kMaxSegments) return nullptr;
  uint8_t* base = SegmentBase(d.segment);
  if (!base) {
    int err = 0;
    if (EnsureSegmentsMapped(&err) != NOERROR) return nullptr;
    base = SegmentBase(d.segment);
    if (!base) return nullptr;
  }
  return base + d.data_offset;
}

bool SetCore::FindBuffer(const uint8_t* addr, uint32_t* index) {
  for (uint32_t k = 0; k < kMaxSegments; ++k) {
    uint8_t* base = SegmentBase(k);
    if (!base) continue;
    if (addr < base || addr >= base + cb_->segments[k].size) continue;
    const uint64_t off = static_cast<uint64_t>(addr - base);
    // Buffers of a segment are laid out in increasing offset order: binary search.
    uint32_t n = cb_->buffer_count.load(std::memory_order_acquire);
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
      uint32_t mid = (lo + hi) / 2;
      const BufferDesc& d = cb_->buffers[mid];
      if (d.segment < k || (d.segment == k && d.data_offset < off)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo < n && cb_->buffers[lo].segment == k && cb_->buffers[lo].data_offset == off) {
      *index = lo;
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace vdibk::vdi
