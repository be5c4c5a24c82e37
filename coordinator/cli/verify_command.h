// `vdibackup verify`: selects the set(s) (--set, latest, --all), verifies each with VerifySet
// (and with --sql, ServerVerifier: RESTORE VERIFYONLY through VDI) and prints the problems (text
// or --json). Exit code: 0 all good, 3 corruption, 4 missing input; with --sql also 5 (aborted:
// signal, worker death), 7 (the server refused the set), 78 (preflight).
#ifndef VDIBK_COORDINATOR_CLI_VERIFY_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_VERIFY_COMMAND_H_

#include <atomic>
#include <string>
#include <vector>

#include "coordinator/cli/verify_options.h"
#include "coordinator/repo/set_verification.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct VerifyRun {
  std::vector<SetVerification> sets;  // in the order verified
  ErrorCode code() const;             // the most serious verdict over all sets
};

// Selects and verifies. Only the selected sets are read (a named --set reads nothing else).
// Errors (nothing verified): kMissing (no such set/database, empty repository), kUsage (a set
// name found under several databases without --database), kConfiguration (repo not a directory).
// `stop` (may be null) aborts a running --sql stream when it becomes true.
Result<VerifyRun> RunVerify(const VerifyOptions& options, const std::atomic<bool>* stop = nullptr);

std::string FormatVerifyText(const VerifyRun& run);
std::string FormatVerifyJson(const VerifyRun& run);

// `args` are the arguments after "verify"; `bin_dir` holds sqlcmd and vdibackup-worker (--sql).
// Returns the exit code.
int RunVerifyCommand(const std::vector<std::string>& args, const std::string& bin_dir = ".");

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_VERIFY_COMMAND_H_
