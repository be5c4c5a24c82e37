// vdibackup: entry point; dispatches the subcommand (backup, restore, verify, list, prune,
// reconcile, doctor, agent) and answers --help for it.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "agent/agent_command.h"
#include "coordinator/cli/backup_command.h"
#include "coordinator/cli/backup_options.h"
#include "coordinator/cli/doctor_command.h"
#include "coordinator/cli/list_command.h"
#include "coordinator/cli/list_options.h"
#include "coordinator/cli/prune_command.h"
#include "coordinator/cli/prune_options.h"
#include "coordinator/cli/reconcile_command.h"
#include "coordinator/cli/restore_command.h"
#include "coordinator/cli/restore_options.h"
#include "coordinator/cli/verify_command.h"
#include "coordinator/cli/verify_options.h"
#include "shared/base/command_line.h"
#include "shared/base/error_code.h"
#include "shared/base/log.h"

namespace {

namespace cli = vdibk::coordinator;
using Args = std::vector<std::string>;

std::string BinDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

struct Command {
  const char* name;
  const char* summary;
  std::function<std::string()> help;
  std::function<int(const Args&, const std::string&)> run;
};

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"backup", "Back up a database through VDI into the repository", cli::BackupUsage,
       cli::RunBackupCommand},
      {"restore", "Restore a database (the restore chain, or one set)", cli::RestoreUsage,
       cli::RunRestoreCommand},
      {"verify", "Check every stripe of a set against its manifest (--sql: RESTORE VERIFYONLY)",
       cli::VerifyUsage, cli::RunVerifyCommand},
      {"list", "One line per set of the repository, with its state", cli::ListUsage,
       [](const Args& a, const std::string&) { return cli::RunListCommand(a); }},
      {"prune", "Remove the sets the retention rules no longer keep", cli::PruneUsage,
       cli::RunPruneCommand},
      {"reconcile", "Promote the unconfirmed sets the server's backup history records",
       cli::ReconcileUsage, cli::RunReconcileCommand},
      {"doctor", "Check the environment (PASS/WARN/FAIL with the fix)", cli::DoctorUsage,
       cli::RunDoctorCommand},
      {"agent", "Run the long-running sidecar (HTTP API, metrics, health)", cli::AgentUsage,
       cli::RunAgentCommand},
  };
  return commands;
}

// The top level: `vdibackup [--log-format F] COMMAND [OPTIONS]`.
vdibk::CommandLine TopCommandLine() {
  vdibk::CommandLine cl("vdibackup",
                        "SQL Server backups through VDI, striped over worker processes. "
                        "`vdibackup COMMAND --help` lists a command's options. Exit codes: 0 ok, "
                        "1 warnings, 2 failed, 3 data integrity, 4 missing input or mismatch, "
                        "5 aborted, 6 target I/O, 7 SQL error, 64 usage, 78 configuration");
  cl.LogFormat();
  for (const Command& c : Commands()) cl.Subcommand(c.name, c.summary);
  cl.Subcommand("help", "Print this help");
  return cl;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "vdibackup: %s\n(vdibackup --help lists the commands)\n", message.c_str());
  return vdibk::ExitCodeFor(vdibk::ErrorCode::kUsage);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args(argv + 1, argv + argc);
  vdibk::CommandLine top = TopCommandLine();
  if (vdibk::Status st = top.Parse(args); !st.ok()) {
    // `vdibackup --help` (the command's own --help is among its arguments, not seen here).
    if (vdibk::WantsHelp(args)) {
      std::printf("%s", top.Help().c_str());
      return 0;
    }
    return UsageError(st.message());
  }
  const std::string command = top.Command();
  if (command == "help") {
    std::printf("%s", top.Help().c_str());
    return 0;
  }
  if (command.empty()) {
    const Args rest = top.Unparsed();
    if (rest.empty()) {
      std::fprintf(stderr, "%s", top.Help().c_str());
      return vdibk::ExitCodeFor(vdibk::ErrorCode::kUsage);
    }
    return UsageError("unknown command '" + rest.front() + "'");
  }
  vdibk::log::SetComponent("vdibackup");
  const Args command_args = top.CommandArgs();
  for (const Command& c : Commands()) {
    if (command != c.name) continue;
    if (vdibk::WantsHelp(command_args)) {
      std::printf("%s", c.help().c_str());
      return 0;
    }
    return c.run(command_args, BinDir());
  }
  return UsageError("unknown command '" + command + "'");
}
