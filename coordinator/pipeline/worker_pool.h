// WorkerPool: what every coordinator job needs to run workers: a private 0700 ipc directory
// (JobIpcDir: swept by the next run if we are killed), the WorkerHub bound in it, and the
// spawned vdibackup-worker processes ("w0".."wM-1").
#ifndef VDIBK_COORDINATOR_PIPELINE_WORKER_POOL_H_
#define VDIBK_COORDINATOR_PIPELINE_WORKER_POOL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "coordinator/pipeline/worker_hub.h"
#include "shared/base/result.h"
#include "shared/transport/job_ipc_dir.h"

namespace vdibk::coordinator {

struct WorkerPoolOptions {
  // "" (default): a fresh private directory and `workers` spawned children. Otherwise
  // "ipc://DIR/NAME": workers launched by an outside supervisor (`vdibackup-worker --connect
  // ENDPOINT --id wK`, e.g. systemd's vdibackup-worker@.service) connect there. DIR must exist,
  // be ours and private (0700); the job holds an flock on "DIR/NAME.lock" so two jobs never share
  // an endpoint.
  std::string external_endpoint;
};

class WorkerPool {
 public:
  // Binds the hub and spawns `workers` copies of `program` (or expects them to connect, with
  // `options.external_endpoint`); the caller then calls hub().Start() once the pool is stored
  // where its listener can reach it. `listener` and `stop` must outlive the pool.
  // Errors: kConfiguration (endpoint directory not private, endpoint in use), spawn failures.
  static Result<std::unique_ptr<WorkerPool>> Create(const std::string& program, uint32_t workers,
                                                    HubListener& listener,
                                                    const std::atomic<bool>* stop,
                                                    const WorkerPoolOptions& options = {});
  ~WorkerPool();  // End(), then removes the directory
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  WorkerHub& hub() { return *hub_; }
  // Stops the hub thread and terminates remaining workers (SIGTERM, `grace`, SIGKILL).
  void End(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  static std::string WorkerId(uint32_t index) { return "w" + std::to_string(index); }
  // The worker count when the user gives none: one per device up to max(4, cores). A worker
  // serves devices d, d + M, d + 2M, ...; past the cores, more processes only add start-up, page
  // tables and context switches (docs/performance.md, the control path).
  static uint32_t DefaultCount(uint32_t devices, unsigned cores);
  const std::string& endpoint() const { return endpoint_; }
  bool external() const { return lock_fd_ >= 0; }

 private:
  WorkerPool() = default;
  // Our private directory, removed at the end (none for an external endpoint).
  std::optional<transport::JobIpcDir> dir_;
  std::string endpoint_;
  int lock_fd_ = -1;  // flock on the external endpoint
  std::unique_ptr<WorkerHub> hub_;
  bool ended_ = false;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_WORKER_POOL_H_
