// ParseBackupOptions: the command line of `vdibackup backup` into a BackupSpec with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/pipeline/backup_spec.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// Parses the arguments after "backup". `bin_dir` resolves the sqlcmd/worker defaults. Every
// option but --target at most once; an explicit 0 for --devices, --workers or --buffer-count is
// refused (0 in BackupSpec is "not given"). Errors: kUsage naming the argument.
Result<BackupSpec> ParseBackupOptions(const std::vector<std::string>& args,
                                      const std::string& bin_dir);

// The --help text: every option with what it does and its default.
std::string BackupUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_
