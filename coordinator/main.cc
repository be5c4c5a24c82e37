// vdibackup: entry point; dispatches the subcommand (backup, restore, verify, list, prune).
#include <unistd.h>

#include <cstdio>
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
#include "shared/base/error_code.h"
#include "shared/base/log.h"

namespace {

std::string BinDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

void Usage(FILE* out) {
  std::fprintf(out, "usage: vdibackup backup|restore|verify|list|prune|reconcile ...\n%s\n%s\n",
               vdibk::coordinator::BackupUsage(), vdibk::coordinator::RestoreUsage());
  std::fprintf(out, "%s\nany command: --log-format text|json (the log lines on stderr)\n",
               vdibk::coordinator::DoctorUsage());
  std::fprintf(out, "%s\n%s\n%s\n%s\n", vdibk::coordinator::VerifyUsage(),
               vdibk::coordinator::ListUsage(), vdibk::coordinator::PruneUsage(),
               vdibk::coordinator::ReconcileUsage());
}

// Takes `--log-format text|json` (anywhere, for every command) out of `args` and applies it.
// Returns false after printing an error for a bad value.
bool ApplyLogFormat(std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--log-format") continue;
    const std::string value = i + 1 < args.size() ? args[i + 1] : "";
    if (value != "text" && value != "json") {
      std::fprintf(stderr, "vdibackup: --log-format must be text or json\n");
      return false;
    }
    vdibk::log::SetFormat(value == "json" ? vdibk::log::Format::kJson : vdibk::log::Format::kText);
    setenv("VDIBACKUP_LOG_FORMAT", value.c_str(), 1);  // the workers log the same way
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    --i;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!ApplyLogFormat(args)) return vdibk::ExitCodeFor(vdibk::ErrorCode::kUsage);
  if (args.empty()) {
    Usage(stderr);
    return vdibk::ExitCodeFor(vdibk::ErrorCode::kUsage);
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    Usage(stdout);
    return 0;
  }
  vdibk::log::SetComponent("vdibackup");
  const bool help = args.size() >= 2 && (args[1] == "--help" || args[1] == "-h");
  if (help && (args[0] == "backup" || args[0] == "restore")) {
    std::printf("%s\n", args[0] == "backup" ? vdibk::coordinator::BackupUsage()
                                            : vdibk::coordinator::RestoreUsage());
    return 0;
  }
  if (help && (args[0] == "verify" || args[0] == "list" || args[0] == "prune")) {
    std::printf("%s\n", args[0] == "verify" ? vdibk::coordinator::VerifyUsage()
                        : args[0] == "list" ? vdibk::coordinator::ListUsage()
                                            : vdibk::coordinator::PruneUsage());
    return 0;
  }
  if (args[0] == "verify") {
    return vdibk::coordinator::RunVerifyCommand({args.begin() + 1, args.end()}, BinDir());
  }
  if (args[0] == "list") return vdibk::coordinator::RunListCommand({args.begin() + 1, args.end()});
  if (args[0] == "prune")
    return vdibk::coordinator::RunPruneCommand({args.begin() + 1, args.end()}, BinDir());
  if (args[0] == "doctor") {
    if (help) {
      std::printf("%s\n", vdibk::coordinator::DoctorUsage());
      return 0;
    }
    return vdibk::coordinator::RunDoctorCommand({args.begin() + 1, args.end()}, BinDir());
  }
  if (args[0] == "reconcile") {
    if (help) {
      std::printf("%s\n", vdibk::coordinator::ReconcileUsage());
      return 0;
    }
    return vdibk::coordinator::RunReconcileCommand({args.begin() + 1, args.end()}, BinDir());
  }
  if (args[0] == "agent") {
    if (help) {
      std::printf("%s\n", vdibk::coordinator::AgentUsage());
      return 0;
    }
    return vdibk::coordinator::RunAgentCommand({args.begin() + 1, args.end()}, BinDir());
  }
  if (args[0] == "backup") {
    return vdibk::coordinator::RunBackupCommand({args.begin() + 1, args.end()}, BinDir());
  }
  if (args[0] == "restore") {
    return vdibk::coordinator::RunRestoreCommand({args.begin() + 1, args.end()}, BinDir());
  }
  std::fprintf(stderr, "vdibackup: unknown command '%s'\n", args[0].c_str());
  Usage(stderr);
  return vdibk::ExitCodeFor(vdibk::ErrorCode::kUsage);
}
