// WorkerPool: ipc directory + hub + worker processes.
#include "coordinator/pipeline/worker_pool.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "shared/base/log.h"
#include "shared/base/regular_file.h"
#include "shared/transport/ipc_dir.h"

namespace vdibk::coordinator {

uint32_t WorkerPool::DefaultCount(uint32_t devices, unsigned cores) {
  const uint32_t cap = std::max<uint32_t>(4, cores);
  return std::min(devices, cap);
}

namespace {

// Checks an external endpoint's directory and takes its lock; returns the lock's descriptor.
Result<int> ClaimExternalEndpoint(const std::string& endpoint) {
  const std::string prefix = "ipc://";
  const Status bad =
      Status::Usage("--worker-endpoint must be ipc://DIR/NAME, got '" + endpoint + "'");
  if (endpoint.rfind(prefix, 0) != 0) return bad;
  const std::string path = endpoint.substr(prefix.size());
  const size_t slash = path.rfind('/');
  if (path.empty() || path[0] != '/' || slash == std::string::npos || slash + 1 == path.size()) {
    return bad;
  }
  const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  // Must already exist (systemd's RuntimeDirectory=, or mkdir -m 0700): never created here, so
  // a typo cannot silently make a directory nobody's workers look at.
  if (::access(dir.c_str(), F_OK) != 0) {
    return Status::Configuration("worker endpoint directory " + dir +
                                 " does not exist (create it with mode 0700 for this user)");
  }
  VDIBK_RETURN_IF_ERROR(transport::CreatePrivateDir(dir));
  VDIBK_RETURN_IF_ERROR(transport::IpcEndpoint(dir, path.substr(slash + 1)).status());
  const std::string lock_path = path + ".lock";
  RegularFileOptions lock_options;  // never a FIFO (it would block), never through a symlink
  lock_options.follow_symlinks = false;
  lock_options.open_error = ErrorCode::kConfiguration;
  Result<UniqueFd> lock = OpenRegularFile(lock_path, O_RDWR | O_CREAT, 0600, lock_options);
  if (!lock.ok()) return Status(ErrorCode::kConfiguration, lock.status().message());
  const int fd = lock->release();
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Configuration("worker endpoint " + endpoint +
                                 " is in use by another vdibackup job");
  }
  return fd;
}

}  // namespace

namespace {
constexpr int kWorkerDataFd = 3;  // the data socket's descriptor in a spawned worker
}  // namespace

Result<std::unique_ptr<WorkerPool>> WorkerPool::Create(const std::string& program, uint32_t workers,
                                                       HubListener& listener,
                                                       const std::atomic<bool>* stop,
                                                       const WorkerPoolOptions& options) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  std::string endpoint;
  if (!options.external_endpoint.empty()) {
    VDIBK_ASSIGN_OR_RETURN(pool->lock_fd_, ClaimExternalEndpoint(options.external_endpoint));
    endpoint = options.external_endpoint;
  } else {
    // The directories of coordinators killed outright (SIGKILL) go first: their lock is free.
    for (const std::string& gone : transport::SweepAbandonedIpcDirs()) {
      log::Info("removed the ipc directory of an ended vdibackup: " + gone);
    }
    VDIBK_ASSIGN_OR_RETURN(transport::JobIpcDir dir, transport::JobIpcDir::Create());
    pool->dir_.emplace(std::move(dir));
    VDIBK_ASSIGN_OR_RETURN(endpoint, transport::IpcEndpoint(pool->dir_->path(), "hub"));
  }
  pool->endpoint_ = endpoint;
  WorkerHubOptions hub_options;
  hub_options.stop = stop;
  VDIBK_ASSIGN_OR_RETURN(
      pool->hub_,
      WorkerHub::Create(endpoint, listener, SteadyClock::Instance(), hub_options));
  for (uint32_t w = 0; w < workers; ++w) {
    const std::string id = WorkerId(w);
    if (pool->external()) {
      pool->hub_->AddWorker(id, std::nullopt);  // launched by a supervisor
      continue;
    }
    // A spawned worker also gets a data socket (proto/README.md §5.2) as descriptor 3.
    VDIBK_ASSIGN_OR_RETURN(auto pair, transport::DataSocket::Pair());
    ChildProcess::Extras extras;
    extras.pass_fd = pair.second.fd();
    extras.as_fd = kWorkerDataFd;
    extras.env.push_back(std::string(transport::kDataFdVariable) + "=" +
                         std::to_string(kWorkerDataFd));
    Result<ChildProcess> child =
        ChildProcess::Spawn({program, "--connect", endpoint, "--id", id}, false, extras);
    if (!child.ok()) return child.status();
    pool->hub_->AddWorker(id, std::move(child).value());
    pool->hub_->AttachData(id, std::move(pair.first));  // pair.second closes here: the child's
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
  if (lock_fd_ >= 0) {
    // Our socket file (still under our lock): supervised workers waiting for the next job then
    // find no stale socket. The lock file stays; it is only ever locked, never trusted.
    ::unlink(endpoint_.substr(std::string("ipc://").size()).c_str());
    ::close(lock_fd_);
  }
  dir_.reset();  // removes the directory, then drops its owner lock
}

}  // namespace vdibk::coordinator
