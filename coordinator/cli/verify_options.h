// VerifyOptions: the command line of `vdibackup verify` with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_VERIFY_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_VERIFY_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct VerifyOptions {
  std::string repo;            // --repo (required)
  std::string database;        // --database; default: every database in the repository
  std::string set = "latest";  // --set: a set directory name, or "latest" (per database)
  bool all = false;            // --all: every set directory (of --database, or of the repo)
  uint32_t workers = 2;        // --workers: stripes of a set verified in parallel (1..64)
  bool json = false;           // --json
  // --sql: also stream each set whose stripes verified to the server as RESTORE VERIFYONLY
  // FROM VIRTUAL_DEVICE through `workers` vdibackup-worker processes (verify_sql.h).
  bool sql = false;
  std::string sqlcmd;          // --sqlcmd; default "<bin dir>/sqlcmd"
  std::string server;          // --server; default $VDI_EMULATOR_ENDPOINT or "."
  std::string worker_program;  // --worker-program; default "<bin dir>/vdibackup-worker"
  std::string set_name;        // --set-name (VDI set of --sql); default a fresh unique name
  bool progress = true;        // --no-progress: no live display of --sql on a terminal
};

// Parses the arguments after "verify"; `bin_dir` holds the default sqlcmd and worker programs.
// --sqlcmd, --server, --worker-program and --set-name need --sql (--no-progress is accepted
// without it and changes nothing then). Every option at most once. Errors: kUsage naming the
// argument.
Result<VerifyOptions> ParseVerifyOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir = ".");

// The --help text: every option with what it does and its default.
std::string VerifyUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_VERIFY_OPTIONS_H_
