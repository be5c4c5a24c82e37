// RestoreSpec: what one restore job does (database, repo, set, --as, moves, workers, ...), as the
// CLI, the agent or a test fills it in; the comments name the `vdibackup restore` options.
#ifndef VDIBK_COORDINATOR_PIPELINE_RESTORE_SPEC_H_
#define VDIBK_COORDINATOR_PIPELINE_RESTORE_SPEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/pipeline/external_workers.h"

namespace vdibk::coordinator {

struct RestoreSpec {
  std::string database;  // --database (required): the backed-up database
  std::string repo;      // --repo (required)
  // --set: a set directory name (that set alone), or "latest": the restore chain (last full,
  // its last differential, the log backups after it; restore_chain.h).
  std::string set = "latest";
  std::optional<int64_t> until_unix_ms;  // --until TIME: the chain of sets started by then
  // --as: the database restored into; not empty. The database itself (no --as, or --as DB)
  // only with --replace: an in-place restore is never a default.
  std::string target;
  std::vector<std::pair<std::string, std::string>> moves;  // --move LOGICAL=PATH
  bool norecovery = false;                                 // --norecovery
  bool replace = false;                                    // --replace
  // --allow-partial-chain: restore the chain the repository has even when a set it would need
  // is unconfirmed, corrupt or missing (the server's history has backups beyond it): exit 1
  // with the missing sets named, instead of refusing with exit 4.
  bool allow_partial_chain = false;
  uint32_t workers = 0;            // --workers 1..64; default (0) = stripes, capped to them
  uint32_t max_transfer_size = 0;  // --max-transfer-size; default: the backup's
  std::string sqlcmd;              // --sqlcmd; default "<bin dir>/sqlcmd"
  std::string server;              // --server; default $VDI_EMULATOR_ENDPOINT or "."
  std::string set_name;            // --set-name (VDI set); default a fresh unique name
  std::string worker_program;      // --worker-program; default "<bin dir>/vdibackup-worker"
  bool json = false;               // --json
  bool progress = true;            // --no-progress turns off the live display on a terminal
  int progress_fd = -1;            // --progress-fd N (>= 3): JSON progress lines, one set at a time
  // Not a command-line option: RESTORE VERIFYONLY instead of RESTORE (vdibackup verify --sql);
  // target, moves, replace and norecovery are then unused and nothing is written on the server.
  bool verify_only = false;
  ExternalWorkers external;  // --worker-endpoint / --worker-wait (external_workers.h)
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_RESTORE_SPEC_H_
