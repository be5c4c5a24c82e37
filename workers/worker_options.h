// WorkerOptions: the command line of vdibackup-worker (--connect ipc://PATH --id ID, liveness).
#ifndef VDIBK_WORKERS_WORKER_OPTIONS_H_
#define VDIBK_WORKERS_WORKER_OPTIONS_H_

#include <chrono>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/transport/liveness.h"

namespace vdibk::workers {

struct WorkerOptions {
  std::string endpoint;                // --connect: the coordinator's ROUTER endpoint (required)
  std::string worker_id;               // --id: routing id and Envelope.sender (required)
  transport::LivenessConfig liveness;  // --heartbeat-ms (default 1000), --liveness (default 3)
  // --connect-timeout SECONDS: how long the Hello waits for the coordinator's socket to accept
  // it (default 5 s; a worker started by a supervisor before the job waits longer).
  std::chrono::milliseconds connect_timeout{5000};
  std::string failpoint;  // tests only: $VDIBK_WORKER_FAILPOINT (failpoint.h); "" = none
};

// Parses argv (argv[0] is the program). Every option at most once; --log-format is applied.
// Errors: kUsage naming the offending argument.
Result<WorkerOptions> ParseWorkerOptions(const std::vector<std::string>& args);

// The --help text: every option with what it does and its default.
std::string WorkerUsage();

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_WORKER_OPTIONS_H_
