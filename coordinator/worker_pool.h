// WorkerPool: what every coordinator job needs to run workers: a private 0700 ipc directory,
// the WorkerHub bound in it, and the spawned vdibackup-worker processes ("w0".."wM-1").
#ifndef VDIBK_COORDINATOR_WORKER_POOL_H_
#define VDIBK_COORDINATOR_WORKER_POOL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "coordinator/worker_hub.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

class WorkerPool {
 public:
  // Creates the directory, binds the hub and spawns `workers` copies of `program`; the caller
  // then calls hub().Start() once the pool is stored where its listener can reach it.
  // `listener` and `stop` must outlive the pool.
  static Result<std::unique_ptr<WorkerPool>> Create(const std::string& program, uint32_t workers,
                                                    HubListener& listener,
                                                    const std::atomic<bool>* stop);
  ~WorkerPool();  // End(), then removes the directory
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  WorkerHub& hub() { return *hub_; }
  // Stops the hub thread and terminates remaining workers (SIGTERM, `grace`, SIGKILL).
  void End(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  static std::string WorkerId(uint32_t index) { return "w" + std::to_string(index); }

 private:
  WorkerPool() = default;
  std::string dir_;
  std::unique_ptr<WorkerHub> hub_;
  bool ended_ = false;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_WORKER_POOL_H_
