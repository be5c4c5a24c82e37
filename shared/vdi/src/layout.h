// The shared-memory layout of a virtual device set (layout version 1): one control segment named
// from the set name, plus buffer segments created by the server. Only trivially copyable data,
// offsets and indices live here; every cross-process field is an atomic. See docs/vdi.md.
#ifndef VDIBK_SHARED_VDI_SRC_LAYOUT_H_
#define VDIBK_SHARED_VDI_SRC_LAYOUT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "vdi.h"

namespace vdibk::vdi {

constexpr uint64_t kControlMagic = 0x314C5254434B4256ull;  // "VBKCTRL1" little-endian
constexpr uint32_t kLayoutVersion = 1;
constexpr uint32_t kMaxDevices = 64;
constexpr uint32_t kSlotsPerDevice = 64;   // commands in flight per device (queue depth)
constexpr uint32_t kMaxParticipants = 66;  // primary, server, up to 64 secondaries
constexpr uint32_t kPrimarySlot = 0;
constexpr uint32_t kServerSlot = 1;
// The lock byte (participant_lock.h) a remover of a dead set holds (dead_set.h); no participant.
constexpr uint32_t kCleanerSlot = kMaxParticipants;
constexpr uint32_t kMaxBuffers = 4096;  // index fits the 12-bit handle field
constexpr uint32_t kMaxSegments = 8;
constexpr uint32_t kNameMax = 128;     // device names, including the terminating NUL
constexpr uint32_t kSetNameMax = 200;  // bytes of the set name (no NUL)
constexpr uint32_t kNoBuffer = 0xFFFFFFFFu;

// Set phases, monotonic (abort is a separate flag).
enum Phase : uint32_t {
  kPhaseCreated = 1,          // primary did Create
  kPhaseServerOpen = 2,       // server did Open
  kPhaseConfigurable = 3,     // server did BeginConfiguration
  kPhaseConfigured = 4,       // server did EndConfiguration: server_config is valid
  kPhaseClientConfigured = 5  // primary's GetConfiguration returned: secondaries may attach
};

// Participant slot states.
enum ParticipantState : uint32_t {
  kPartFree = 0,
  kPartClaiming = 1,  // being registered: its lock may not be held yet
  kPartActive = 2,    // registered and its liveness lock is held
  kPartClosed = 3,    // left normally
  kPartDead = 4       // found dead (lock released without Close)
};

// Command slot state word: low 8 bits state, high 24 bits the slot's sequence number (so a stale
// ring entry or a late completion can never match a reused slot).
enum SlotState : uint32_t {
  kSlotFree = 0,
  kSlotQueued = 1,     // sent by the server, not yet fetched
  kSlotDelivered = 2,  // returned by GetCommand
  kSlotDone = 3,       // completed by the client (completion fields are valid)
  kSlotFlushed = 4     // never delivered: completed with ERROR_IO_DEVICE (IO-ERROR rule 3)
};
inline uint32_t SlotWord(uint32_t seq, uint32_t state) { return (seq << 8) | state; }
inline uint32_t SlotWordState(uint32_t w) { return w & 0xFFu; }
inline uint32_t SlotWordSeq(uint32_t w) { return w >> 8; }
constexpr uint32_t kSeqMask = 0xFFFFFFu;

// Buffer descriptor states.
enum BufferState : uint32_t { kBufFree = 0, kBufAllocated = 1, kBufInCommand = 2 };

// Device server states.
enum DeviceServerState : uint32_t { kDevUnused = 0, kDevOpen = 1, kDevClosed = 2 };

struct Participant {
  std::atomic<uint32_t> state;
  int32_t pid;  // informational (pid namespaces may differ); liveness uses the lock
};

struct SegmentInfo {
  uint64_t size;   // bytes
  uint32_t valid;  // 1 once created (written before segment_count is published)
  uint32_t reserved;
};

struct BufferDesc {
  uint32_t segment;
  uint32_t size;         // usable data bytes
  uint64_t data_offset;  // from the segment start; prefix zone lies before it
  std::atomic<uint32_t> state;
  std::atomic<uint32_t> issue;  // bumped each time the buffer is attached to a command
};

struct CommandSlot {
  std::atomic<uint32_t> word;  // SlotWord(seq, state)
  uint32_t command_code;
  uint32_t size;
  uint32_t buffer_index;  // kNoBuffer if none
  int64_t position;
  // Written by the completer before the word becomes kSlotDone.
  uint32_t completion_code;
  uint32_t reserved;
  uint64_t bytes_transferred;
  int64_t out_position;
};

struct DeviceShared {
  char name[kNameMax];
  std::atomic<uint32_t> server_state;  // DeviceServerState
  std::atomic<uint32_t> client_owner;  // 0 = not opened; else participant slot + 1
  std::atomic<uint32_t> io_error;      // 1 while in the IO-ERROR state
  std::atomic<uint32_t> delivered;     // delivered and not yet completed
  std::atomic<uint32_t> ring_head;     // consumer (client GetCommand)
  std::atomic<uint32_t> ring_tail;     // producer (server SendCommand)
  std::atomic<uint32_t> client_wake;   // futex word: commands queued / device closed / abort
  std::atomic<uint32_t> client_waiters;
  std::atomic<uint64_t> done_mask;              // slots completed and not yet seen by the agent
  std::atomic<uint64_t> ring[kSlotsPerDevice];  // (seq << 32) | slot index
  CommandSlot slots[kSlotsPerDevice];
};

struct ControlBlock {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_size;  // sizeof(ControlBlock)
  uint64_t total_size;
  uint32_t set_tag;  // random, part of every buffer handle and segment name
  uint32_t device_count;
  uint32_t set_name_len;
  char set_name[kSetNameMax + 1];
  VDConfig client_config;
  VDConfig server_config;     // valid from kPhaseConfigured
  uint32_t buffer_alignment;  // effective data alignment of buffers

  std::atomic<uint32_t> phase;
  std::atomic<uint32_t> phase_wake;  // futex word for phase / device-open / abort changes
  std::atomic<uint32_t> phase_waiters;
  std::atomic<uint32_t> abort;        // 0, or 1 + AbortCause
  std::atomic<uint32_t> abort_actor;  // participant slot that caused it (or 0xFF)
  std::atomic<uint32_t> agent_wake;   // futex word for the server's completion agent
  std::atomic<uint32_t> agent_waiters;
  std::atomic<uint32_t> devices_opened_by_server;
  std::atomic<uint32_t> devices_opened_by_client;

  Participant participants[kMaxParticipants];
  std::atomic<uint32_t> segment_count;
  SegmentInfo segments[kMaxSegments];
  std::atomic<uint32_t> buffer_count;
  BufferDesc buffers[kMaxBuffers];
  DeviceShared devices[kMaxDevices];  // only device_count are used
};

// Why a set was aborted (stored as 1 + cause in ControlBlock::abort).
enum AbortCause : uint32_t {
  kAbortClientSignal = 0,
  kAbortServerSignal = 1,
  kAbortPeerDied = 2,
  kAbortServerTimeout = 3,
  kAbortClosedEarly = 4,  // Close while the set was still live
  kAbortBufferMapFailed = 5
};

static_assert(std::is_standard_layout_v<ControlBlock>);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(sizeof(VDConfig) == 44);
static_assert(sizeof(VDC_Command) == 24);
static_assert(sizeof(VDS_Command) == 56);

// Buffer handle: bits 0-11 buffer index, 12-23 issue, 24-30 set tag; bit 31 is always 0.
inline uint32_t MakeHandle(uint32_t set_tag, uint32_t index, uint32_t issue) {
  return ((set_tag & 0x7Fu) << 24) | ((issue & 0xFFFu) << 12) | (index & 0xFFFu);
}

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_LAYOUT_H_
