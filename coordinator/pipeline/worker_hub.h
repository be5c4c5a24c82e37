// WorkerHub: the coordinator's side of the pipeline protocol. One thread owns the ROUTER socket:
// it sends queued messages, receives and validates worker messages, tracks liveness, sends
// heartbeats and reaps worker processes; a reader thread per spawned worker's data socket takes
// its replies. Everything else talks to it through thread-safe calls.
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
#include "coordinator/pipeline/worker_link.h"
#include "shared/base/child_process.h"
#include "shared/base/result.h"
#include "shared/transport/channel.h"
#include "shared/transport/data_socket.h"
#include "shared/base/clock.h"
#include "shared/transport/liveness.h"
#include "shared/transport/pipeline_messages.h"

namespace vdibk::coordinator {

// Receives the hub's events: replies on the hub thread or a data socket's reader thread, never
// two at once; the failure on whichever thread saw it. Must not block for long.
class HubListener {
 public:
  virtual ~HubListener() = default;
  // A validated reply (status may be an error) for `req`.
  virtual void OnReply(const Outstanding& req, const transport::Reply& reply) = 0;
  // The first failure of the pipeline (worker died, went silent, violated the protocol, sent
  // Abort, was unreachable, or `stop` was raised). Called once.
  virtual void OnFailure(const Status& cause) = 0;
};

struct WorkerHubOptions {
  transport::LivenessConfig liveness;       // Default: 1 s x 3
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: fail with kAborted
};

// Lifecycle: Create (binds) -> AddWorker x M -> Start -> ... -> Stop (joins) -> TerminateWorkers.
class WorkerHub final : public WorkerLink {
 public:
  // Binds a ROUTER at `endpoint`. The listener and clock must outlive the hub.
  static Result<std::unique_ptr<WorkerHub>> Create(const std::string& endpoint,
                                                   HubListener& listener,
                                                   const Clock& clock,
                                                   WorkerHubOptions options = {});
  ~WorkerHub() override;  // Stop() + kills remaining children

  // Before Start: expects worker `id`; `child` (optional) is its process, which the hub reaps
  // and whose pid must match the Hello.
  void AddWorker(const std::string& id, std::optional<ChildProcess> child);
  // Before Start: worker `id`'s data socket (proto/README.md §5.2). Its data requests go there,
  // straight from the issuing thread, and a reader thread of its own takes the replies (and
  // calls the listener, one reply at a time across all readers and the hub thread).
  void AttachData(const std::string& id, transport::DataSocket socket);
  void Start();
  // Joins the hub thread. Idempotent.
  void Stop();

  // Queues `body` (the hub makes it a message: sender, seq) for `worker`. Thread-safe.
  void Post(const std::string& worker, transport::Body body);
  // Registers `req` as outstanding, then posts `body`. Thread-safe. With `wake` false the hub
  // thread is not woken (a device thread that has more commands at hand): Flush() wakes it, and
  // the hub sends the data requests queued for one worker as one Batch (proto/README.md §5.1).
  Status Issue(const Outstanding& req, transport::Body body, bool wake = true) override;
  // Wakes the hub thread if anything was posted without waking it. Thread-safe.
  void Flush() override;
  // Sends Abort{cause} to every worker; later exits are expected. Thread-safe, idempotent.
  void AbortAll(const Status& cause) override;
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
  static constexpr const char* kSender = "coordinator";  // the sender of our messages
  // A worker's data socket: requests out from any thread (under mu), replies in on `reader`.
  struct DataPath {
    std::string worker;
    transport::DataSocket socket;
    std::mutex mu;
    std::vector<transport::Body> pending;  // issued without wake, not sent yet
    uint64_t next_seq = 1;                 // per data socket, both directions
    uint64_t last_inbound_seq = 0;         // reader thread only
    std::thread reader;
  };

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
    Clock::time_point last_sent{};
  };

  WorkerHub(transport::Channel router, HubListener& listener, const Clock& clock,
            WorkerHubOptions options);
  void Loop();
  void SendOutbox();
  void SendNow(const std::string& worker, transport::Body body);
  void HandleInbound();
  void HandleReply(const std::string& peer, const transport::Reply& reply);
  void ReadData(DataPath& path);
  Status SendData(DataPath& path);  // path.mu held
  void HandleMessage(const std::string& peer, const transport::Message& m,
                     const std::optional<uint32_t>& cred_pid);
  void CheckChildren();
  void ClosePidfd(Peer& p);
  void CheckLiveness();
  void Fail(const Status& cause);
  void Wake();

  transport::Channel router_;
  HubListener& listener_;
  const Clock& clock_;
  WorkerHubOptions options_;
  transport::LivenessTracker liveness_;
  OutstandingTable table_;
  int wake_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Peer> peers_;
  std::deque<std::pair<std::string, transport::Body>> outbox_;
  bool unwoken_ = false;  // posted without Wake()
  // Fixed once Start ran (read without mu_).
  std::map<std::string, std::unique_ptr<DataPath>> data_;
  std::atomic<bool> data_pending_{false};
  std::mutex listener_mu_;  // one listener call at a time
  bool failed_ = false;
  Status failure_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_WORKER_HUB_H_
