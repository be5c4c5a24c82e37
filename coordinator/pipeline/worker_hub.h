// WorkerHub: the coordinator's side of the pipeline protocol. One thread owns the ROUTER socket:
// it sends queued messages, receives and validates worker messages, tracks liveness, sends
// heartbeats and reaps worker processes. Everything else talks to it through thread-safe calls.
#ifndef VDIBK_COORDINATOR_PIPELINE_WORKER_HUB_H_
#define VDIBK_COORDINATOR_PIPELINE_WORKER_HUB_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/pipeline/outstanding_table.h"
#include "proto/envelope.pb.h"
#include "shared/base/child_process.h"
#include "shared/base/result.h"
#include "shared/transport/channel.h"
#include "shared/transport/clock.h"
#include "shared/transport/liveness.h"

namespace vdibk::coordinator {

// Receives the hub's events on the hub thread. Must not block for long.
class HubListener {
 public:
  virtual ~HubListener() = default;
  // A validated reply (status may be an error) for `req`.
  virtual void OnReply(const Outstanding& req, const proto::Reply& reply) = 0;
  // The first failure of the pipeline (worker died, went silent, violated the protocol, sent
  // Abort, was unreachable, or `stop` was raised). Called once.
  virtual void OnFailure(const Status& cause) = 0;
};

struct WorkerHubOptions {
  transport::LivenessConfig liveness;       // Default: 1 s x 3
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: fail with kAborted
};

// Lifecycle: Create (binds) -> AddWorker x M -> Start -> ... -> Stop (joins) -> TerminateWorkers.
class WorkerHub {
 public:
  // Binds a ROUTER at `endpoint`. The listener and clock must outlive the hub.
  static Result<std::unique_ptr<WorkerHub>> Create(const std::string& endpoint,
                                                   HubListener& listener,
                                                   const transport::Clock& clock,
                                                   WorkerHubOptions options = {});
  ~WorkerHub();  // Stop() + kills remaining children

  // Before Start: expects worker `id`; `child` (optional) is its process, which the hub reaps
  // and whose pid must match the Hello.
  void AddWorker(const std::string& id, std::optional<ChildProcess> child);
  void Start();
  // Joins the hub thread. Idempotent.
  void Stop();

  // Queues `env` (seq/sender/version filled in by the hub) for `worker`. Thread-safe.
  void Post(const std::string& worker, proto::Envelope env);
  // Registers `req` as outstanding, then posts `env`. Thread-safe.
  Status Issue(const Outstanding& req, proto::Envelope env);
  // Sends Abort{cause} to every worker; later exits are expected. Thread-safe, idempotent.
  void AbortAll(const Status& cause);
  // Sends Shutdown to every worker; their exit 0 is expected. Thread-safe.
  void ShutdownAll();

  // Blocks until every expected worker said Hello (or Ready), or the hub failed / timed out.
  Status WaitForHellos(std::chrono::milliseconds timeout);
  Status WaitForReady(std::chrono::milliseconds timeout);
  // Blocks until every spawned worker process exited and every external worker (no child)
  // acknowledged its Shutdown, or until timeout. True if all did.
  bool WaitForExits(std::chrono::milliseconds timeout);
  // After Stop: SIGTERM, `grace`, then SIGKILL for children still running; reaps all.
  void TerminateWorkers(std::chrono::milliseconds grace);

  OutstandingTable& table() { return table_; }
  std::vector<std::string> worker_ids() const;

 private:
  struct Peer {
    std::optional<ChildProcess> child;
    pid_t pid = 0;
    bool hello = false;
    bool ready = false;
    bool ending = false;  // Abort or Shutdown sent: an exit is expected
    bool shutdown_sent = false;
    bool shutdown_acked = false;  // the worker echoed the Shutdown (its last message)
    bool exited = false;
    int pidfd = -1;  // readable when the child exits: wakes the loop at once (-1: none)
    uint64_t next_seq = 1;
    uint64_t last_inbound_seq = 0;
    transport::Clock::time_point last_sent{};
  };

  WorkerHub(transport::Channel router, HubListener& listener, const transport::Clock& clock,
            WorkerHubOptions options);
  void Loop();
  void SendOutbox();
  void SendNow(const std::string& worker, proto::Envelope env);
  void HandleInbound();
  void HandleMessage(const std::string& peer, const proto::Envelope& env,
                     const std::optional<uint32_t>& cred_pid);
  void CheckChildren();
  void ClosePidfd(Peer& p);
  void CheckLiveness();
  void Fail(const Status& cause);
  void Wake();

  transport::Channel router_;
  HubListener& listener_;
  const transport::Clock& clock_;
  WorkerHubOptions options_;
  transport::LivenessTracker liveness_;
  OutstandingTable table_;
  int wake_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Peer> peers_;
  std::deque<std::pair<std::string, proto::Envelope>> outbox_;
  bool failed_ = false;
  Status failure_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_WORKER_HUB_H_
