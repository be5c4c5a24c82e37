// SetCore: one process's attachment to a virtual device set, shared by the client (primary and
// secondary) and server implementations: the control segment, this participant's liveness slot,
// lazily mapped buffer segments, abort signalling and bounded waits that watch peer liveness.
// Thread-safe. Waits never block longer than kProbeIntervalUs without re-checking liveness.
#ifndef VDIBK_SHARED_VDI_SRC_SET_CORE_H_
#define VDIBK_SHARED_VDI_SRC_SET_CORE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "layout.h"
#include "segment.h"

namespace vdibk::vdi {

constexpr int64_t kProbeIntervalUs = 100'000;  // liveness check period while waiting

enum class WaitResult { kReady, kAborted, kTimeout };

class SetCore {
 public:
  SetCore() = default;
  ~SetCore();  // Leave(false) if still attached
  SetCore(const SetCore&) = delete;
  SetCore& operator=(const SetCore&) = delete;

  // Primary: creates the control segment (cleaning up a stale one of a dead creator) and
  // registers as the primary. VD_E_PROTOCOL if a live set has the name.
  int CreateAsPrimary(const std::string& set_name, const VDConfig& cfg);
  // Server / secondary: opens the control segment and claims the server slot or a free
  // secondary slot. VD_E_INVALID if there is no such set (errno in *err).
  int OpenAsServer(const std::string& set_name, int* err);
  int OpenAsSecondary(const std::string& set_name, int* err);

  // Leaves the set: marks this participant closed and releases its lock. If no other live
  // participant remains, removes every shared-memory object of the set.
  void Leave(bool remove_all_if_last);

  ControlBlock* cb() const { return cb_; }
  DeviceShared* device(uint32_t i) const { return &cb_->devices[i]; }
  uint32_t slot() const { return slot_; }
  const std::string& set_name() const { return set_name_; }

  bool Aborted() const { return cb_->abort.load(std::memory_order_seq_cst) != 0; }
  // First abort wins (its cause is kept). Wakes every waiter of the set.
  void TriggerAbort(AbortCause cause, uint32_t actor);
  std::string AbortReason() const;
  void WakeAll();

  // Waits until pred() is true (kReady), the set aborts (kAborted) or timeout_ms passes
  // (negative = forever). Probes peer liveness every kProbeIntervalUs; a dead peer aborts the set.
  WaitResult WaitUntil(std::atomic<uint32_t>& word, std::atomic<uint32_t>& waiters,
                       int64_t timeout_ms, const std::function<bool()>& pred);
  // Checks every Active participant; marks dead ones and aborts the set. True if any died.
  bool ProbePeers();

  // Buffer segments. The server creates them; everyone maps them on demand.
  int CreateBufferSegment(uint32_t index, uint64_t size, uint32_t alignment, int* err);
  int EnsureSegmentsMapped(int* err);  // maps every published segment not mapped yet
  uint8_t* SegmentBase(uint32_t index) const {
    return seg_base_[index].load(std::memory_order_acquire);
  }
  // Address of buffer `index`'s data in this process (mapping as needed); nullptr if unmappable.
  uint8_t* BufferData(uint32_t index);
  // Buffer index whose data starts exactly at `addr`; false if none.
  bool FindBuffer(const uint8_t* addr, uint32_t* index);
  // Removes every object of the set from /dev/shm (used on Close of the last participant).
  void RemoveAllObjects();

 private:
  int Attach(const std::string& set_name, int* err);
  bool ClaimSlot(uint32_t slot);

  std::string set_name_;
  Segment control_;
  ControlBlock* cb_ = nullptr;
  uint32_t slot_ = kMaxParticipants;
  bool attached_ = false;
  std::mutex seg_mu_;
  Segment segments_[kMaxSegments];
  std::atomic<uint8_t*> seg_base_[kMaxSegments] = {};
  std::chrono::steady_clock::time_point last_probe_{};
  std::mutex probe_mu_;
};

// The mode of every object we create: owner and group read-write (the mssql user/group setup),
// overridable with VDIBACKUP_SHM_MODE (octal) for other setups.
uint32_t ObjectMode();

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_SET_CORE_H_
