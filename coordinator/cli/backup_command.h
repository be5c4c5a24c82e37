// `vdibackup backup`: parses arguments, installs SIGTERM/SIGINT handling, runs a BackupJob and
// prints the summary (text or --json). Returns the process exit code (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_BACKUP_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_BACKUP_COMMAND_H_

#include <string>
#include <vector>

namespace vdibk::coordinator {

// `args` are the arguments after "backup"; `bin_dir` is the directory of the vdibackup binary.
int RunBackupCommand(const std::vector<std::string>& args, const std::string& bin_dir);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_BACKUP_COMMAND_H_
