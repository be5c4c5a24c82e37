// VdiServerRun: the emulator playing SQL Server's side of one BACKUP or RESTORE over VDI. It opens
// the client's set, negotiates the configuration, shares BUFFERCOUNT buffers between one thread
// per device, streams Writes (backup) or Reads of varying sizes (restore), synchronises the
// devices at fixed points (so a client that serves devices one after another deadlocks, as with
// SQL Server), ends with Flush then Complete (or Flush alone), and reports the outcome in SQL
// Server's terms. Faults come from a FaultPlan. The client's VDConfig.features pick the media
// mode (pipe-, tape- or disk-like: positioning, marks, Load/Rewind; emulator/README.md lists the
// command sequences); WITH SNAPSHOT runs the freeze / VDC_Snapshot and VDC_MountSnapshot flows.
// Every Read and Write is a whole number of blocks (blockSize), at most maxTransferSize. A BACKUP
// that fails while the set is alive ends each device with VDC_Discard when the client offered
// VDF_Discard; a failure of the server's own then needs no SignalAbort.
#ifndef VDIBK_EMULATOR_ENGINE_VDI_SERVER_RUN_H_
#define VDIBK_EMULATOR_ENGINE_VDI_SERVER_RUN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emulator/engine/database_freeze.h"
#include "emulator/engine/fault_plan.h"
#include "emulator/engine/progress_reporter.h"
#include "emulator/stream/backup_session.h"
#include "emulator/stream/restore_session.h"
#include "shared/base/status.h"

namespace vdibk::emulator {

struct VdiRunOptions {
  std::vector<std::string> devices;  // VIRTUAL_DEVICE names; the first is the set name
  uint32_t block_size = 65536;       // BLOCKSIZE
  uint32_t max_transfer = 65536;     // MAXTRANSFERSIZE (the VDI default)
  uint32_t buffer_count = 0;         // BUFFERCOUNT; 0 = 4 per device
  uint32_t open_timeout_ms = 5000;   // how long the set may take to appear
  FaultPlan faults;
  ProgressReporter* progress = nullptr;  // WITH STATS; not owned; gets every byte moved
  // WITH SNAPSHOT (one device). Backup: the job is metadata-only; `freeze` is called between
  // PrepareToFreeze and the last metadata Writes and must return the freeze (thawed once the
  // client completed VDC_Snapshot). Restore: `before_mount` runs once the metadata was read
  // (validate the restore; an error fails it without VDC_MountSnapshot).
  bool snapshot = false;
  std::function<Result<std::unique_ptr<DatabaseFreeze>>()> freeze;
  std::function<Status()> before_mount;
};

struct VdiRunStats {
  uint64_t bytes = 0;  // stream bytes moved over all devices
  double seconds = 0;  // from configuration to the last device closed
  uint64_t commands = 0;
  uint32_t flushes = 0;
  bool complete_sent = false;       // VDC_Complete was negotiated and sent
  uint32_t client_features = 0;     // the VDConfig features the client asked for
  const char* media_mode = "pipe";  // "pipe", "tape" or "disk" (from client_features)
  double frozen_seconds = -1;  // WITH SNAPSHOT backup: how long the database was frozen (-1: not)
  uint32_t discarded = 0;      // devices that got VDC_Discard and completed it with success
};

// Backup: streams every device of `job`. On success the caller commits the job; on failure the
// Status is a SqlError (3201 open, 3202 write failure, 18210 abort / client death, ...).
Status RunVdiBackup(BackupSession& job, const VdiRunOptions& options, VdiRunStats* stats);

// Restore: feeds `session` from every device until it has what it needs or the client reports
// end of data; the caller then calls session.Finish().
Status RunVdiRestore(RestoreSession& session, const VdiRunOptions& options, VdiRunStats* stats);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_VDI_SERVER_RUN_H_
