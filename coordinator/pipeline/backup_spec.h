// BackupSpec: what one backup job does (database, repo, devices, targets, compression, ...), as
// the CLI, the agent or a test fills it in; the comments name the `vdibackup backup` options.
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_SPEC_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/pipeline/external_workers.h"
#include "coordinator/sql/backup_kind.h"

namespace vdibk::coordinator {

enum class CompressionKind { kLz4, kNone };

struct BackupSpec {
  std::string database;                   // --database (required)
  std::string repo;                       // --repo (required, must exist)
  uint32_t devices = 0;                   // --devices; default min(cores, 4), >= targets
  uint32_t workers = 0;                   // --workers; default = devices
  uint32_t buffer_count = 0;              // --buffer-count; default DefaultBufferArea
  uint32_t max_transfer_size = 4u << 20;  // --max-transfer-size; 64 KiB multiple, <= 4 MiB
  uint32_t block_size = 65536;            // --block-size; power of 2, 512..65536
  CompressionKind compression = CompressionKind::kLz4;  // --compression lz4|none
  int lz4_level = 1;                                    // --lz4-level; 1 = fast, >= 2 = LZ4HC
  bool checksum = true;                                 // --checksum / --no-checksum
  std::string sqlcmd;                                   // --sqlcmd; default "<bin dir>/sqlcmd"
  std::string server;          // --server; default $VDI_EMULATOR_ENDPOINT or "."
  std::string set_name;        // --set-name; default a fresh unique name
  std::string worker_program;  // --worker-program; default "<bin dir>/vdibackup-worker"
  bool json = false;           // --json
  // --target DIR (repeatable): stripe i goes to targets[i % size] (absolute, lexically normal,
  // distinct); empty = the set directory in the repo. --target null: discard (null_target).
  std::vector<std::string> targets;
  bool null_target = false;  // --target null: compress and count, keep nothing (benchmarks)
  bool progress = true;      // --no-progress turns off the live display on a terminal
  int progress_fd = -1;      // --progress-fd N (>= 3): JSON progress lines to fd N
  // --confirm-timeout SECONDS: after the server was told the backup is complete, how long to
  // keep asking its backup history whether it committed the backup when the statement's outcome
  // is unknown (lost connection) or the history cannot be read; 0: ask once.
  uint32_t confirm_timeout_s = 120;
  BackupKind type = BackupKind::kFull;  // --type full|diff|log
  bool copy_only = false;               // --copy-only: WITH COPY_ONLY (full or log; not with diff)
  // --worker-endpoint / --worker-wait: workers launched by a supervisor connect there as
  // w0..w(workers-1) (external_workers.h); default: spawn them.
  ExternalWorkers external;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_SPEC_H_
