// Parsing and validation of `vdibackup prune` arguments.
#include "coordinator/cli/prune_options.h"

#include "coordinator/cli/command_support.h"
#include "shared/base/command_line.h"

namespace vdibk::coordinator {
namespace {

struct PruneArgs {
  PruneOptions o;
  uint32_t keep_days = 0;
};

void Define(CommandLine& cl, PruneArgs& a) {
  PruneOptions& o = a.o;
  cl.Text("--repo", &o.repo, "DIR", "The repository");
  cl.Require("--repo");
  cl.Text("--database", &o.database, "DB",
          "Only this database's sets (default: every database in the repository)");
  cl.U32("--keep-full", &o.keep_full, "N",
         "Keep the newest N good full backups with every diff and log their chains need (>= 1)");
  cl.Require("--keep-full");
  cl.U32("--keep-days", &a.keep_days, "D", "Also keep every set newer than D days (default: none)");
  cl.U32("--grace-minutes", &o.grace_minutes, "M",
         "Remove garbage (a set without a manifest) only once it has been idle this long "
         "(default: 60)");
  cl.Flag("--dry-run", &o.dry_run, "Print what would be removed, remove nothing");
  AddServerOptions(cl, &o.sqlcmd, &o.server,
                   "asked about unconfirmed sets first, only when there are some");
  cl.LogFormat();
}

CommandLine PruneCommandLine() {
  return CommandLine("vdibackup prune", "Remove the sets the retention rules no longer keep");
}

}  // namespace

std::string PruneUsage() {
  PruneArgs a;
  CommandLine cl = PruneCommandLine();
  Define(cl, a);
  return cl.Help();
}

Result<PruneOptions> ParsePruneOptions(const std::vector<std::string>& args,
                                       const std::string& bin_dir) {
  PruneArgs a;
  CommandLine cl = PruneCommandLine();
  Define(cl, a);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  PruneOptions& o = a.o;
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.keep_full == 0) return Status::Usage("--keep-full must be at least 1");
  if (cl.Given("--keep-days")) o.keep_days = a.keep_days;
  VDIBK_RETURN_IF_ERROR(FinishServerOptions(cl, bin_dir, &o.sqlcmd, &o.server));
  return o;
}

}  // namespace vdibk::coordinator
