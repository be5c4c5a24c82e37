// FaultPlan: faults the emulator injects into one BACKUP/RESTORE over VDI, for tests of VDI clients
// (vdi-emulator serve --fault SPEC for every statement, or BACKUP/RESTORE ... WITH VDIBK_FAULT =
// 'SPEC' for one statement, replacing the server's plan).
// SPEC is a comma list: extra-flushes=N, abort-after=BYTES, stall-device=I, slow-device=I:MS,
// timeout-ms=MS (wait at most MS for each command), unexpected-command=CODE, abort-configuring=1
// (abort the set while configuring it, before the client's GetConfiguration returns), and around
// the statement's commit: commit-stall-ms=MS, drop-after-commit=0|1.
#ifndef VDIBK_EMULATOR_ENGINE_FAULT_PLAN_H_
#define VDIBK_EMULATOR_ENGINE_FAULT_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "shared/base/result.h"

namespace vdibk::emulator {

struct FaultPlan {
  uint32_t extra_flushes = 0;  // mid-stream VDC_Flush per device (the FILESTREAM case)
  std::optional<uint64_t>
      abort_after_bytes;                 // server SignalAbort after this many bytes (all devices)
  std::optional<uint32_t> stall_device;  // this device never gets a command after its first
  std::optional<uint32_t> slow_device;   // this device waits slow_ms before every command
  uint32_t slow_ms = 0;
  uint32_t timeout_ms = 0;                     // 0 = wait forever for a completion
  std::optional<uint32_t> unexpected_command;  // VDC_* code sent once, before the data
  // After the data phase (every device closed) and before the commit (history row, base, log
  // truncation; a restore's files put in place): this long without a word, as a slow fsync.
  uint32_t commit_stall_ms = 0;
  // Once committed, the client's connection is dropped instead of the success messages and Done.
  bool drop_after_commit = false;
  bool abort_configuring = false;  // SignalAbort between BeginConfiguration and EndConfiguration

  bool empty() const;
  // Sleeps commit_stall_ms (not cut short by a cancel: a stalled fsync is not either).
  void StallCommit() const;
  std::string ToString() const;
  static Result<FaultPlan> Parse(const std::string& spec);
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_FAULT_PLAN_H_
