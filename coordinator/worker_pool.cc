// WorkerPool: ipc directory + hub + worker processes.
#include "coordinator/worker_pool.h"

#include <stdlib.h>

#include <cerrno>
#include <filesystem>

#include "shared/transport/ipc_dir.h"

namespace vdibk::coordinator {

Result<std::unique_ptr<WorkerPool>> WorkerPool::Create(const std::string& program, uint32_t workers,
                                                       HubListener& listener,
                                                       const std::atomic<bool>* stop) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  char tmpl[] = "/tmp/vdibackup-ipc-XXXXXX";
  if (!mkdtemp(tmpl)) return Status::FromErrno(ErrorCode::kConfiguration, "mkdtemp", errno);
  pool->dir_ = tmpl;
  VDIBK_RETURN_IF_ERROR(transport::CreatePrivateDir(pool->dir_));
  VDIBK_ASSIGN_OR_RETURN(std::string endpoint, transport::IpcEndpoint(pool->dir_, "hub"));
  WorkerHubOptions hub_options;
  hub_options.stop = stop;
  VDIBK_ASSIGN_OR_RETURN(
      pool->hub_,
      WorkerHub::Create(endpoint, listener, transport::SteadyClock::Instance(), hub_options));
  for (uint32_t w = 0; w < workers; ++w) {
    const std::string id = WorkerId(w);
    Result<ChildProcess> child =
        ChildProcess::Spawn({program, "--connect", endpoint, "--id", id}, false);
    if (!child.ok()) return child.status();
    pool->hub_->AddWorker(id, std::move(child).value());
  }
  return pool;
}

void WorkerPool::End(std::chrono::milliseconds grace) {
  if (ended_ || !hub_) return;
  ended_ = true;
  hub_->Stop();
  hub_->TerminateWorkers(grace);
}

WorkerPool::~WorkerPool() {
  End();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

}  // namespace vdibk::coordinator
