// RestoreOptions: the command line of `vdibackup restore` with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_RESTORE_OPTIONS_H_
#define VDIBK_COORDINATOR_RESTORE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/external_workers.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct RestoreOptions {
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
  int progress_fd = -1;            // --progress-fd N (>= 3): JSON progress lines, one set at a time
  // Not a command-line option: RESTORE VERIFYONLY instead of RESTORE (vdibackup verify --sql);
  // target, moves, replace and norecovery are then unused and nothing is written on the server.
  bool verify_only = false;
  ExternalWorkers external;  // --worker-endpoint / --worker-wait (external_workers.h)
};

// Parses the arguments after "restore". Every option but --move at most once. Errors: kUsage
// naming the argument.
Result<RestoreOptions> ParseRestoreOptions(const std::vector<std::string>& args,
                                           const std::string& bin_dir);

const char* RestoreUsage();

// --until TIME in UTC: "20240131T235959Z" (the set directory stamp) or ISO-8601
// "2024-01-31T23:59:59[.mmm][Z|+hh:mm|-hh:mm]" (also with a space for the T) -> unix ms. A time
// without milliseconds covers its whole second (.999), so a set directory's own stamp includes
// that set. Errors: kUsage.
Result<int64_t> ParseUntilTime(const std::string& text);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_RESTORE_OPTIONS_H_
