// WorkerHub: the ROUTER event loop (messages, liveness, heartbeats, child reaping); the data
// sockets of spawned workers are worker_hub_data.cc.
#include "coordinator/pipeline/worker_hub.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "shared/base/log.h"
#include "shared/transport/message_io.h"
#include "shared/transport/poller.h"

namespace vdibk::coordinator {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSendTimeout{2000};

// A pidfd for `pid` (Linux >= 5.3), or -1: then a child's exit is noticed within one poll tick.
int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

}  // namespace

Result<std::unique_ptr<WorkerHub>> WorkerHub::Create(const std::string& endpoint,
                                                     HubListener& listener,
                                                     const Clock& clock,
                                                     WorkerHubOptions options) {
  static transport::Context* context = new transport::Context();  // process lifetime
  VDIBK_ASSIGN_OR_RETURN(transport::Channel router,
                         transport::Channel::BindRouter(*context, endpoint));
  return std::unique_ptr<WorkerHub>(new WorkerHub(std::move(router), listener, clock, options));
}

WorkerHub::WorkerHub(transport::Channel router, HubListener& listener,
                     const Clock& clock, WorkerHubOptions options)
    : router_(std::move(router)),
      listener_(listener),
      clock_(clock),
      options_(options),
      liveness_(clock, options.liveness) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

WorkerHub::~WorkerHub() {
  Stop();
  TerminateWorkers(milliseconds(0));
  for (auto& [id, p] : peers_) ClosePidfd(p);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void WorkerHub::AddWorker(const std::string& id, std::optional<ChildProcess> child) {
  std::lock_guard<std::mutex> lock(mu_);
  Peer& p = peers_[id];
  if (child) {
    p.pid = child->pid();
    // Only the hub reaps its children, so the pid cannot be reused before this call.
    p.pidfd = OpenPidfd(p.pid);
  }
  p.child = std::move(child);
}

void WorkerHub::ClosePidfd(Peer& p) {
  if (p.pidfd >= 0) close(p.pidfd);
  p.pidfd = -1;
}

std::vector<std::string> WorkerHub::worker_ids() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, p] : peers_) out.push_back(id);
  return out;
}

void WorkerHub::Start() {
  thread_ = std::thread([this] { Loop(); });
  for (auto& [id, path] : data_) {
    DataPath* p = path.get();
    p->reader = std::thread([this, p] { ReadData(*p); });
  }
}

void WorkerHub::Stop() {
  stop_.store(true);
  Wake();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, path] : data_) {
    path->socket.Shutdown();
    if (path->reader.joinable()) path->reader.join();
  }
}

void WorkerHub::Wake() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof(one));
}

void WorkerHub::Post(const std::string& worker, transport::Body body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    outbox_.emplace_back(worker, std::move(body));
  }
  Wake();
}

Status WorkerHub::Issue(const Outstanding& req, transport::Body body, bool wake) {
  VDIBK_RETURN_IF_ERROR(table_.Add(req));
  if (auto it = data_.find(req.worker); it != data_.end()) {
    DataPath& path = *it->second;
    std::lock_guard<std::mutex> lock(path.mu);
    path.pending.push_back(std::move(body));
    if (wake) {
      Status st = SendData(path);
      if (!st.ok()) return Status::Aborted("worker " + req.worker + " unreachable: " + st.message());
      return st;
    }
    data_pending_.store(true, std::memory_order_release);
    return Status::Ok();
  }
  if (wake) {
    Post(req.worker, std::move(body));
    return Status::Ok();
  }
  std::lock_guard<std::mutex> lock(mu_);
  outbox_.emplace_back(req.worker, std::move(body));
  unwoken_ = true;
  return Status::Ok();
}

void WorkerHub::Flush() {
  if (data_pending_.exchange(false, std::memory_order_acq_rel)) {
    for (auto& [id, path] : data_) {
      std::lock_guard<std::mutex> lock(path->mu);
      if (path->pending.empty()) continue;
      if (Status st = SendData(*path); !st.ok()) {
        Fail(Status::Aborted("worker " + id + " unreachable: " + st.message()));
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!unwoken_) return;
    unwoken_ = false;
  }
  Wake();
}

void WorkerHub::AbortAll(const Status& cause) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, p] : peers_) {
      if (p.ending || p.exited) continue;
      p.ending = true;
      outbox_.emplace_back(
          id, transport::Abort{static_cast<uint32_t>(cause.code()), cause.message()});
    }
  }
  Wake();
}

void WorkerHub::ShutdownAll() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, p] : peers_) {
      if (p.ending || p.exited) continue;
      p.ending = true;
      p.shutdown_sent = true;
      outbox_.emplace_back(id, transport::Shutdown{"backup finished"});
    }
  }
  Wake();
}

Status WorkerHub::WaitForHellos(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto all = [&] {
    for (const auto& [id, p] : peers_) {
      if (!p.hello) return false;
    }
    return true;
  };
  if (!cv_.wait_for(lock, timeout, [&] { return failed_ || all(); })) {
    std::string missing;
    for (const auto& [id, p] : peers_) {
      if (!p.hello) missing += " " + id;
    }
    return Status::Aborted("workers did not connect in time:" + missing);
  }
  return failed_ ? failure_ : Status::Ok();
}

Status WorkerHub::WaitForReady(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto all = [&] {
    for (const auto& [id, p] : peers_) {
      if (!p.ready) return false;
    }
    return true;
  };
  if (!cv_.wait_for(lock, timeout, [&] { return failed_ || all(); })) {
    return Status::Aborted("workers did not become Ready in time");
  }
  return failed_ ? failure_ : Status::Ok();
}

bool WorkerHub::WaitForExits(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    for (const auto& [id, p] : peers_) {
      if (p.child ? !p.exited : (p.shutdown_sent && !p.shutdown_acked)) return false;
    }
    return true;
  });
}

void WorkerHub::TerminateWorkers(milliseconds grace) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, p] : peers_) {
    if (p.child && p.child->running()) p.child->Kill(SIGTERM);
  }
  for (auto& [id, p] : peers_) {
    if (!p.child || !p.child->running()) continue;
    if (!p.child->Wait(grace)) {
      log::Warn("worker " + id + " did not exit in time; killing it");
      p.child->Kill(SIGKILL);
      (void)p.child->Wait(milliseconds(-1));
    }
    p.exited = true;
  }
}

void WorkerHub::Fail(const Status& cause) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_) return;
    failed_ = true;
    failure_ = cause;
  }
  cv_.notify_all();
  log::Error("pipeline failure: " + cause.ToString());
  AbortAll(cause);
  listener_.OnFailure(cause);
}

void WorkerHub::Loop() {
  transport::Poller poller;
  std::vector<std::string> pidfd_owner;  // peer of poller index 2 + i
  while (!stop_.load()) {
    poller.Clear();
    poller.Add(router_);
    poller.AddFd(wake_fd_);
    pidfd_owner.clear();
    {
      // A child's exit (e.g. after Shutdown, while the job waits for it) wakes the loop at once.
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, p] : peers_) {
        if (p.pidfd < 0 || p.exited) continue;
        poller.AddFd(p.pidfd);
        pidfd_owner.push_back(id);
      }
    }
    Result<int> polled = poller.Wait(milliseconds(100));
    const int n = polled.ok() ? *polled : 0;
    if (n > 0 && poller.Ready(1)) {
      uint64_t v;
      (void)!read(wake_fd_, &v, sizeof(v));
    }
    SendOutbox();
    HandleInbound();
    CheckChildren();
    if (n > 0) {
      // A readable pidfd whose child could not be reaped (someone else reaped it) would keep
      // the poll spinning: drop it and fall back to the poll tick for that child.
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < pidfd_owner.size(); ++i) {
        Peer& p = peers_[pidfd_owner[i]];
        if (poller.Ready(2 + i) && !p.exited) ClosePidfd(p);
      }
    }
    CheckLiveness();
    if (options_.stop && options_.stop->load()) {
      Fail(Status::Aborted("interrupted by a signal"));
    }
  }
  SendOutbox();  // deliver final Abort/Shutdown messages
}

// Data requests queued for one worker go out as one Batch (one message, one wake-up on each
// side); any other message to that worker first sends what was gathered, so order is kept.
void WorkerHub::SendOutbox() {
  std::deque<std::pair<std::string, transport::Body>> queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued.swap(outbox_);
    unwoken_ = false;
  }
  std::map<std::string, transport::Batch> gathered;  // worker -> its data requests
  auto send_gathered = [&](std::string worker) {  // a copy: the entry is erased
    auto it = gathered.find(worker);
    if (it == gathered.end()) return;
    transport::Batch batch = std::move(it->second);
    gathered.erase(it);
    if (batch.items.size() == 1) return SendNow(worker, std::move(batch.items.front()));
    SendNow(worker, std::move(batch));
  };
  for (auto& [worker, body] : queued) {
    if (!transport::IsDataRequest(body)) {
      send_gathered(worker);
      SendNow(worker, std::move(body));
      continue;
    }
    gathered[worker].items.push_back(std::move(body));
  }
  while (!gathered.empty()) send_gathered(gathered.begin()->first);
}

void WorkerHub::SendNow(const std::string& worker, transport::Body body) {
  transport::Message m{kSender, 0, std::move(body)};
  bool ending = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = peers_.find(worker);
    if (it == peers_.end() || it->second.exited) return;
    Peer& p = it->second;
    m.seq = p.next_seq++;
    p.last_sent = clock_.Now();
    ending = p.ending;
  }
  Status st = transport::SendMessageTo(router_, worker, m, kSendTimeout);
  if (!st.ok()) {
    if (ending) {
      log::Debug("worker " + worker + " unreachable while ending: " + st.message());
    } else {
      Fail(Status::Aborted("worker " + worker + " unreachable: " + st.message()));
    }
  }
}

void WorkerHub::HandleInbound() {
  for (;;) {
    Result<std::optional<transport::Inbound>> r =
        transport::ReceiveMessage(router_, milliseconds(0));
    if (!r.ok()) {
      Fail(r.status().WithContext("coordinator socket"));
      return;
    }
    if (!r->has_value()) return;
    transport::Inbound& in = **r;
    if (!in.status.ok()) {
      Fail(Status::Aborted("worker " + in.peer +
                           " sent a malformed message: " + in.status.message()));
      continue;
    }
    std::optional<uint32_t> cred_pid;
    if (in.credentials) cred_pid = static_cast<uint32_t>(in.credentials->pid);
    HandleMessage(in.peer, in.message, cred_pid);
  }
}

void WorkerHub::HandleMessage(const std::string& peer, const transport::Message& m,
                              const std::optional<uint32_t>& cred_pid) {
  auto violation = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = peers_.find(peer);
    if (it != peers_.end() && it->second.child) it->second.child->Kill(SIGKILL);
    return Status::Aborted("worker " + peer + " violated the protocol: " + what);
  };
  bool ready = false;
  std::string seq_problem;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = peers_.find(peer);
    if (it == peers_.end()) {
      log::Warn("message from unexpected peer '" + peer + "' ignored");
      return;
    }
    Peer& p = it->second;
    if (m.sender != peer) {
      // fall through to the violation below, outside the lock
    } else if (m.seq != p.last_inbound_seq + 1) {
      seq_problem = "seq " + std::to_string(m.seq) + " after " + std::to_string(p.last_inbound_seq);
    } else {
      p.last_inbound_seq = m.seq;
      ready = p.ready;
      if (p.hello) liveness_.Touch(peer);
    }
  }
  if (m.sender != peer) return Fail(violation("sender '" + m.sender + "'"));
  if (!seq_problem.empty()) return Fail(violation(seq_problem));
  if (const auto* h = std::get_if<transport::Hello>(&m.body)) {
    std::string problem;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Peer& p = peers_[peer];
      if (p.hello)
        problem = "second Hello";
      else if (h->worker_id != peer)
        problem = "Hello names '" + h->worker_id + "'";
      else if (h->uid != getuid())
        problem = "Hello uid " + std::to_string(h->uid);
      else if (p.pid != 0 && h->pid != static_cast<uint32_t>(p.pid))
        problem = "Hello pid " + std::to_string(h->pid) + " is not the spawned pid";
      else if (cred_pid && *cred_pid != h->pid)
        problem = "Hello pid does not match the connection's pid";
      if (problem.empty()) {
        p.hello = true;
        liveness_.Touch(peer);
      }
    }
    if (!problem.empty()) return Fail(violation(problem));
    cv_.notify_all();
    return;
  }
  if (std::holds_alternative<transport::Ready>(m.body)) {
    bool ok = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Peer& p = peers_[peer];
      ok = p.hello && !p.ready;
      if (ok) p.ready = true;
    }
    if (!ok) return Fail(violation("unexpected Ready"));
    cv_.notify_all();
    return;
  }
  if (std::holds_alternative<transport::Heartbeat>(m.body)) return;
  if (std::holds_alternative<transport::Shutdown>(m.body)) {
    bool ok = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Peer& p = peers_[peer];
      ok = p.shutdown_sent && !p.shutdown_acked;
      if (ok) p.shutdown_acked = true;
    }
    if (!ok) return Fail(violation("Shutdown that was not asked for"));
    cv_.notify_all();
    return;
  }
  if (const auto* a = std::get_if<transport::Abort>(&m.body)) {
    ErrorCode code = ErrorCodeFromWire(a->code);
    if (code == ErrorCode::kOk) code = ErrorCode::kAborted;
    return Fail(Status(code, "worker " + peer + " aborted: " + a->message));
  }
  if (const auto* r = std::get_if<transport::Reply>(&m.body)) {
    if (!ready) return Fail(violation("Reply before Ready"));
    return HandleReply(peer, *r);
  }
  if (const auto* b = std::get_if<transport::Batch>(&m.body)) {
    if (!ready) return Fail(violation("Batch before Ready"));
    for (const transport::Body& item : b->items) {
      if (!std::holds_alternative<transport::Reply>(item)) {
        return Fail(violation("Batch item of type " + std::to_string(transport::BodyNumber(item))));
      }
    }
    for (const transport::Body& item : b->items)
      HandleReply(peer, std::get<transport::Reply>(item));
    return;
  }
  return Fail(violation("message type " + std::to_string(transport::BodyNumber(m.body))));
}

void WorkerHub::HandleReply(const std::string& peer, const transport::Reply& r) {
  ReplyFacts f{r.device, r.command_seq, r.buffer_handle, r.bytes, r.status};
  Result<Outstanding> req = table_.Take(peer, f);
  if (!req.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = peers_.find(peer);
      if (it != peers_.end() && it->second.child) it->second.child->Kill(SIGKILL);
    }
    return Fail(Status::Aborted("worker " + peer +
                                " violated the protocol: " + req.status().message()));
  }
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_.OnReply(*req, r);
}

void WorkerHub::CheckChildren() {
  std::vector<Status> failures;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, p] : peers_) {
      if (!p.child || p.exited) continue;
      std::optional<ExitInfo> e = p.child->TryReap();
      if (!e) continue;
      p.exited = true;
      ClosePidfd(p);
      liveness_.Forget(id);
      if (!p.ending) {
        failures.push_back(Status::Aborted("worker " + id + " (pid " + std::to_string(p.pid) +
                                           ") exited unexpectedly: " + e->ToString()));
      } else if (!e->ok()) {
        log::Debug("worker " + id + " ended: " + e->ToString());
      }
    }
  }
  cv_.notify_all();
  for (const Status& f : failures) Fail(f);
}

void WorkerHub::CheckLiveness() {
  std::vector<Status> failures;
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& id : liveness_.Expired()) {
      Peer& p = peers_[id];
      liveness_.Forget(id);
      if (p.ending || p.exited) continue;
      failures.push_back(Status::Aborted(
          "worker " + id + " missed " + std::to_string(options_.liveness.liveness) +
          " heartbeats (silent for " +
          std::to_string(
              std::chrono::duration_cast<milliseconds>(options_.liveness.expiry()).count()) +
          " ms)"));
      if (p.child) p.child->Kill(SIGKILL);
    }
    const auto now = clock_.Now();
    for (auto& [id, p] : peers_) {
      if (p.hello && !p.exited && now - p.last_sent >= options_.liveness.interval) {
        due.push_back(id);
      }
    }
  }
  for (const Status& f : failures) Fail(f);
  for (const std::string& id : due) {
    SendNow(id, transport::Heartbeat{});
  }
}

}  // namespace vdibk::coordinator
