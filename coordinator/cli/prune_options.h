// PruneOptions: the command line of `vdibackup prune` with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_PRUNE_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_PRUNE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct PruneOptions {
  std::string repo;                   // --repo (required)
  std::string database;               // --database; default: every database
  uint32_t keep_full = 0;             // --keep-full N (required, >= 1): newest good fulls kept
  std::optional<uint32_t> keep_days;  // --keep-days D: sets newer than D days are kept too
  uint32_t grace_minutes = 60;        // --grace-minutes M: garbage younger than this is kept
  bool dry_run = false;               // --dry-run: print what would be removed, remove nothing
  // Unconfirmed sets are settled against this server's backup history first (reconcile.h);
  // asked only when there are such sets.
  std::string sqlcmd;  // --sqlcmd; default "<bin dir>/sqlcmd"
  std::string server;  // --server; default $VDI_EMULATOR_ENDPOINT or "."
};

// Parses the arguments after "prune". Every option at most once. Errors: kUsage naming the
// argument.
Result<PruneOptions> ParsePruneOptions(const std::vector<std::string>& args,
                                       const std::string& bin_dir = ".");

// The --help text: every option with what it does and its default.
std::string PruneUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_PRUNE_OPTIONS_H_
