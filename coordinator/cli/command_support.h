// What the subcommands share: the stop flag that SIGTERM and SIGINT set for backup, restore and
// verify --sql (the job aborts its VDI set and exits 5), and how a failed command reports itself
// (backup, restore, verify, list, prune).
#ifndef VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_
#define VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "shared/base/result.h"
#include "shared/base/status.h"

namespace vdibk::coordinator {

// The process's stop flag: false until a handler installed below sees SIGTERM or SIGINT.
const std::atomic<bool>* StopFlag();
// SIGTERM and SIGINT set StopFlag(); SIGPIPE is ignored (a closed pipe is an EPIPE error).
void InstallStopSignalHandlers();

// "vdibackup: <command> failed: <status>" on stderr and, with --json, the error object on
// stdout; returns the status's exit code.
int ReportCommandFailure(const char* command, const Status& st, bool json);

// The value of a numeric option: a non-negative decimal integer that fits 32 bits. Errors:
// kUsage naming `flag` and the value.
Result<uint32_t> ParseU32(const std::string& flag, const std::string& v);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_
