// ExternalWorkers: workers launched by a supervisor instead of by the job (`--worker-endpoint
// ipc:///DIR/NAME [--worker-wait SECONDS]` of backup and restore; worker_pool.h).
#ifndef VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_
#define VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_

#include <cstdint>
#include <string>

namespace vdibk::coordinator {

struct ExternalWorkers {
  std::string endpoint;      // "" = spawn the workers (default)
  uint32_t wait_ms = 30000;  // how long to wait for all of them to say Hello
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_EXTERNAL_WORKERS_H_
