// vdibackup: entry point; dispatches the subcommand (backup, restore; others not implemented yet).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "coordinator/backup_command.h"
#include "coordinator/backup_options.h"
#include "coordinator/restore_command.h"
#include "coordinator/restore_options.h"
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
  std::fprintf(out, "usage: vdibackup backup|restore ...\n%s\n%s\n",
               vdibk::coordinator::BackupUsage(), vdibk::coordinator::RestoreUsage());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
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
