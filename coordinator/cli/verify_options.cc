// Parsing and validation of `vdibackup verify` arguments.
#include "coordinator/cli/verify_options.h"

#include "coordinator/cli/command_support.h"
#include "shared/base/command_line.h"

namespace vdibk::coordinator {

namespace {

void Define(CommandLine& cl, VerifyOptions& o) {
  cl.Text("--repo", &o.repo, "DIR", "The repository");
  cl.Require("--repo");
  cl.Text("--database", &o.database, "DB",
          "Only this database's sets (default: every database in the repository)");
  cl.Text("--set", &o.set, "ID|latest",
          "A set directory name, or latest: the newest set of each database (default: latest)");
  cl.Flag("--all", &o.all, "Every set (of --database, or of the repository)");
  cl.U32("--workers", &o.workers, "N",
         "Stripes of a set read in parallel, and worker processes of --sql, 1..64 (default: 2)");
  AddJsonOption(cl, &o.json, "the results");
  cl.Flag("--sql", &o.sql,
          "Also stream each set whose stripes verified to the server as RESTORE VERIFYONLY "
          "through VDI and workers");
  AddServerOptions(cl, &o.sqlcmd, &o.server, "with --sql");
  AddWorkerOptions(cl, &o.worker_program, nullptr, "with --sql");
  cl.Text("--set-name", &o.set_name, "NAME",
          "The VDI device set's name (with --sql; default: a fresh one)");
  cl.Flag("--no-progress", &o.progress,
          "No live progress line on a terminal during --sql (default: shown on a terminal "
          "without --json)",
          false);
  cl.LogFormat();
}

CommandLine VerifyCommandLine() {
  return CommandLine("vdibackup verify",
                     "Read every stripe of a set and check it against its manifest");
}

}  // namespace

std::string VerifyUsage() {
  VerifyOptions o;
  CommandLine cl = VerifyCommandLine();
  Define(cl, o);
  return cl.Help();
}

Result<VerifyOptions> ParseVerifyOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  VerifyOptions o;
  CommandLine cl = VerifyCommandLine();
  Define(cl, o);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  if (cl.Given("--workers") && (o.workers == 0 || o.workers > 64)) {
    return Status::Usage("--workers needs an integer from 1 to 64, got '" +
                         std::to_string(o.workers) + "'");
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.set.empty()) return Status::Usage("--set must not be empty");
  if (cl.Given("--set") && o.all) return Status::Usage("--set and --all exclude each other");
  for (const char* a : {"--sqlcmd", "--server", "--worker-program", "--set-name"}) {
    if (cl.Given(a) && !o.sql) return Status::Usage(std::string(a) + " needs --sql");
  }
  if (cl.Given("--set-name") && o.set_name.empty()) {
    return Status::Usage("--set-name must not be empty");
  }
  VDIBK_RETURN_IF_ERROR(FinishServerOptions(cl, bin_dir, &o.sqlcmd, &o.server));
  WorkerOptionText unused;
  VDIBK_RETURN_IF_ERROR(FinishWorkerOptions(cl, bin_dir, &o.worker_program, unused, nullptr));
  return o;
}

}  // namespace vdibk::coordinator
