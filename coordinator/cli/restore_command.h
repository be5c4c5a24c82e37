// `vdibackup restore`: parses arguments, selects and verifies the set (before anything reaches
// the server), runs a RestoreJob and prints the summary (text or --json). Returns the exit code.
#ifndef VDIBK_COORDINATOR_CLI_RESTORE_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_RESTORE_COMMAND_H_

#include <string>
#include <vector>

#include "coordinator/pipeline/restore_job.h"

namespace vdibk::coordinator {

// `args` are the arguments after "restore"; `bin_dir` is the directory of the vdibackup binary.
int RunRestoreCommand(const std::vector<std::string>& args, const std::string& bin_dir);

std::string FormatRestoreText(const RestoreReport& r);
std::string FormatRestoreJson(const RestoreReport& r);
// Several restored sets (a chain): every set's text, or one JSON object with the last set's
// fields, raw_bytes and seconds summed, and "chain": [{set_dir, type, devices, raw_bytes,
// seconds}, ...].
std::string FormatRestoreChainText(const std::vector<RestoreReport>& reports);
// "status":"warning" and "warnings":[...] when `warnings` (a partial chain) is not empty.
std::string FormatRestoreChainJson(const std::vector<RestoreReport>& reports,
                                   const std::vector<std::string>& warnings = {});

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_RESTORE_COMMAND_H_
