// What the subcommands share: the stop flag that SIGTERM and SIGINT set for backup, restore and
// verify --sql (the job aborts its VDI set and exits 5), how a failed command reports itself, and
// the options several commands take, declared once so that they mean the same everywhere.
#ifndef VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_
#define VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "coordinator/pipeline/external_workers.h"
#include "shared/base/command_line.h"
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

// A command line that could not be parsed: "vdibackup <command>: <message>" and a pointer to
// --help on stderr; returns the status's exit code (64 for kUsage).
int ReportUsageError(const char* command, const Status& st);

// --sqlcmd PROGRAM and --server NAME, for every command that talks to a server. `when` is ""
// or a condition appended to the help ("with --sql").
void AddServerOptions(CommandLine& cl, std::string* sqlcmd, std::string* server,
                      const std::string& when = "");
// After the parse: a given value must not be empty (kUsage); the defaults are
// "<bin dir>/sqlcmd" and $VDI_EMULATOR_ENDPOINT or ".".
Status FinishServerOptions(const CommandLine& cl, const std::string& bin_dir, std::string* sqlcmd,
                           std::string* server);

// --json: the result as one JSON object on stdout (`what` says what it holds).
void AddJsonOption(CommandLine& cl, bool* json, const std::string& what);

// --worker-program, and --worker-endpoint and --worker-wait unless `external` is null (backup,
// restore; verify --sql has only --worker-program).
struct WorkerOptionText {
  std::string endpoint;
  uint32_t wait_s = 0;  // 0: not given
};
void AddWorkerOptions(CommandLine& cl, std::string* worker_program, WorkerOptionText* external,
                      const std::string& when = "");
// After the parse: the endpoint must be ipc:///..., the wait 1..3600 s; the program defaults to
// "<bin dir>/vdibackup-worker". Errors: kUsage.
Status FinishWorkerOptions(const CommandLine& cl, const std::string& bin_dir,
                           std::string* worker_program, const WorkerOptionText& text,
                           ExternalWorkers* external);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_COMMAND_SUPPORT_H_
