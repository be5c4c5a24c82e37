// `vdibackup reconcile`: settles the repository's unconfirmed sets (manifest PENDING) against the
// server's backup history: promotes the ones the server recorded, reports the rest.
#ifndef VDIBK_COORDINATOR_CLI_RECONCILE_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_RECONCILE_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct ReconcileCommandOptions {
  std::string repo;         // --repo (required)
  std::string database;     // --database; default: every database
  std::string set;          // --set ID: only that set
  std::string sqlcmd;       // --sqlcmd; default "<bin dir>/sqlcmd"
  std::string server;       // --server; default $VDI_EMULATOR_ENDPOINT or "."
  uint32_t timeout_s = 30;  // --timeout SECONDS: how long to keep asking an unreachable server
  bool dry_run = false;     // --dry-run: ask, promote nothing
  bool json = false;        // --json
};

// Parses the arguments after "reconcile". Every option at most once. Errors: kUsage naming the
// argument.
Result<ReconcileCommandOptions> ParseReconcileOptions(const std::vector<std::string>& args,
                                                      const std::string& bin_dir);
// The --help text: every option with what it does and its default.
std::string ReconcileUsage();

// `args` are the arguments after "reconcile". Exit: 0 nothing left that the server recorded
// (every unconfirmed set it has is now complete), 1 some sets stay unconfirmed (not recorded
// by the server, or in use), 2 the server could not be asked, 6 a promotion failed to write.
int RunReconcileCommand(const std::vector<std::string>& args, const std::string& bin_dir);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_RECONCILE_COMMAND_H_
