// ExternalWorkers: the `--worker-endpoint ipc:///DIR/NAME [--worker-wait SECONDS]` options of
// backup and restore: workers launched by a supervisor connect there (worker_pool.h).
#ifndef VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_
#define VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct ExternalWorkers {
  std::string endpoint;      // "" = spawn the workers (default)
  uint32_t wait_ms = 30000;  // how long to wait for all of them to say Hello
};

// If `flag` is one of the two options, takes its value from `value` into `out` and returns
// true; false for any other flag. Errors: kUsage (not ipc:///..., wait outside 1..3600 s).
Result<bool> ParseExternalWorkersFlag(const std::string& flag,
                                      const std::function<Result<std::string>()>& value,
                                      ExternalWorkers& out);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_
