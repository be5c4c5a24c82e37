// SqlListener: ROUTER socket loop (one I/O thread), one thread per request, an eventfd to wake
// the loop when executor threads queue events. All zmq::error_t stay inside this file.
#include "emulator/frontend/sql_listener.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "emulator/frontend/endpoint.h"
#include "emulator/frontend/server_process.h"
#include "emulator/tsql/messages.h"
#include "shared/base/log.h"

namespace vdibk::emulator::frontend {

namespace {

struct RequestState {
  std::string routing_id;
  SqlRequest request;
  int fd = -1;             // the client connection's socket (libzmq's), for DropConnection
  uint64_t socket_id = 0;  // its inode when the request came: tells a reused fd number apart
  std::atomic<bool> cancelled{false};
  std::atomic<bool> done{false};
  std::atomic<bool> error_seen{false};
  std::atomic<bool> finished{false};
  std::thread thread;
};

// A socket's inode: unique among open sockets (0 if `fd` is not open).
uint64_t SocketId(int fd) {
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

// One queued action of the I/O thread: send `bytes` to `routing_id`, or drop `drop`'s connection.
struct OutboxItem {
  std::string routing_id;
  std::string bytes;
  std::shared_ptr<RequestState> drop;
};

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

class SqlListener::Impl {
 public:
  Impl(SqlListenerOptions options, IStatementExecutor* executor)
      : options_(std::move(options)), executor_(executor) {}

  ~Impl() { Stop(); }

  Status Bind();
  void Stop();

  // Queues an event for `state`'s client; callable from any thread.
  void Post(const std::shared_ptr<RequestState>& state, const SqlEvent& event) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      outbox_.push_back({state->routing_id, EncodeEvent(event), nullptr});
    }
    Wake();
  }
  // Queues the drop of `state`'s connection after the events posted before it.
  void PostDrop(const std::shared_ptr<RequestState>& state) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      outbox_.push_back({state->routing_id, "", state});
    }
    Wake();
  }
  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(event_fd_, &one, sizeof one);
    (void)n;
  }

  const SqlListenerOptions& options() const { return options_; }
  std::atomic<uint64_t> started{0};
  std::atomic<size_t> running{0};

 private:
  void Loop();
  void HandleInbound();
  void StartRequest(const std::string& routing_id, SqlRequest request, int fd);
  void SendTo(const std::string& routing_id, const std::string& bytes);
  void Drop(const RequestState& state);
  void FlushOutbox();
  void ReapFinished(bool all);

  SqlListenerOptions options_;
  IStatementExecutor* executor_;
  ProcessIdentity identity_ = SelfIdentity();  // sent in Accepted
  zmq::context_t context_{1};
  zmq::socket_t router_{context_, zmq::socket_type::router};
  int event_fd_ = -1;
  std::thread loop_;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;

  std::mutex mu_;  // guards outbox_
  std::deque<OutboxItem> outbox_;
  // Touched only by the loop thread (and by Stop after the loop has ended).
  std::map<std::pair<std::string, uint64_t>, std::shared_ptr<RequestState>> requests_;
};

namespace {

class ListenerSink : public ISqlSink {
 public:
  ListenerSink(SqlListener::Impl* impl, std::shared_ptr<RequestState> state)
      : impl_(impl), state_(std::move(state)) {}

  void Message(const SqlError& message) override {
    SqlEvent e = Base(EventType::kMessage);
    e.message = message;
    Send(e);
  }
  void Error(const SqlError& error) override {
    state_->error_seen = true;
    SqlEvent e = Base(EventType::kError);
    e.message = error;
    Send(e);
  }
  void BeginResult(const std::vector<tsql::Column>& columns) override {
    SqlEvent e = Base(EventType::kResultBegin);
    e.columns = columns;
    Send(e);
  }
  void Row(const tsql::Row& row) override {
    SqlEvent e = Base(EventType::kRow);
    e.row = row;
    Send(e);
  }
  void EndResult(std::optional<uint64_t> row_count) override {
    SqlEvent e = Base(EventType::kResultEnd);
    e.row_count = row_count.value_or(0);
    e.has_count = row_count.has_value();
    Send(e);
  }
  void Done(bool success) override {
    if (state_->done.exchange(true)) return;
    SqlEvent e = Base(EventType::kDone);
    e.success = success;
    impl_->Post(state_, e);
  }
  void DropConnection() override {
    if (state_->done.exchange(true)) return;
    impl_->PostDrop(state_);
  }
  bool Cancelled() const override { return state_->cancelled.load(); }

 private:
  SqlEvent Base(EventType type) const {
    SqlEvent e;
    e.type = type;
    e.request_id = state_->request.id;
    return e;
  }
  void Send(const SqlEvent& e) {
    if (!state_->done.load()) impl_->Post(state_, e);
  }

  SqlListener::Impl* impl_;
  std::shared_ptr<RequestState> state_;
};

Status MakeIpcDirectory(const std::string& endpoint) {
  std::filesystem::path path(endpoint.substr(6));
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Configuration("cannot create " + dir.string() + ": " + ec.message());
  if (created) chmod(dir.c_str(), 0770);
  return Status::Ok();
}

}  // namespace

Status SqlListener::Impl::Bind() {
  if (options_.endpoint.empty()) options_.endpoint = DefaultEndpoint();
  if (options_.server_name.empty()) options_.server_name = HostName();
  if (options_.keepalive.count() <= 0) options_.keepalive = std::chrono::milliseconds(1000);
  if (!IsLocalEndpoint(options_.endpoint)) {
    return Status::Configuration(
        "SQL listener endpoint must be ipc://PATH or tcp://127.0.0.1:PORT, "
        "not " +
        options_.endpoint);
  }
  if (options_.endpoint.rfind("ipc://", 0) == 0)
    VDIBK_RETURN_IF_ERROR(MakeIpcDirectory(options_.endpoint));
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return Status::FromErrno(ErrorCode::kFailed, "eventfd", errno);
  try {
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_mandatory, 1);
    router_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxWireMessage));
    router_.bind(options_.endpoint);
    options_.endpoint = router_.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::Configuration("cannot bind SQL listener to " + options_.endpoint + ": " +
                                 e.what());
  }
  loop_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void SqlListener::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_ = true;
  if (event_fd_ >= 0) Wake();
  if (loop_.joinable()) loop_.join();
  for (auto& [key, state] : requests_) state->cancelled = true;
  ReapFinished(/*all=*/true);
  try {
    router_.close();
    context_.close();
  } catch (const zmq::error_t& e) {
    log::Warn(std::string("SQL listener close: ") + e.what());
  }
  if (event_fd_ >= 0) close(event_fd_);
  event_fd_ = -1;
}

void SqlListener::Impl::Loop() {
  auto next_keepalive = std::chrono::steady_clock::now() + options_.keepalive;
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_keepalive - now);
    zmq::pollitem_t items[] = {{router_.handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, event_fd_, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::max<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) log::Warn(std::string("SQL listener poll: ") + e.what());
      continue;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      uint64_t count = 0;
      ssize_t n = read(event_fd_, &count, sizeof count);
      (void)n;
    }
    if (items[0].revents & ZMQ_POLLIN) HandleInbound();
    FlushOutbox();
    ReapFinished(/*all=*/false);
    if (std::chrono::steady_clock::now() >= next_keepalive) {
      for (auto& [key, state] : requests_) {
        if (state->done) continue;
        SqlEvent e;
        e.type = EventType::kKeepalive;
        e.request_id = state->request.id;
        SendTo(state->routing_id, EncodeEvent(e));
      }
      next_keepalive = std::chrono::steady_clock::now() + options_.keepalive;
    }
  }
}

void SqlListener::Impl::HandleInbound() {
  for (int budget = 0; budget < 256; ++budget) {
    zmq::message_t id, body;
    try {
      if (!router_.recv(id, zmq::recv_flags::dontwait)) return;
      if (!id.more() || !router_.recv(body, zmq::recv_flags::dontwait)) continue;
      while (body.more()) {  // drop unexpected extra frames
        zmq::message_t extra;
        if (!router_.recv(extra, zmq::recv_flags::dontwait)) break;
        body.move(extra);
      }
    } catch (const zmq::error_t& e) {
      log::Warn(std::string("SQL listener recv: ") + e.what());
      return;
    }
    std::string routing_id = id.to_string();
    const int fd = zmq_msg_get(body.handle(), ZMQ_SRCFD);  // -1 if libzmq does not know it
    auto msg = DecodeClientMessage(body.to_string_view());
    if (!msg.ok()) {
      log::Warn("SQL listener: dropped a " + msg.status().message());
      continue;
    }
    if (msg->type == ClientMessageType::kCancel) {
      auto it = requests_.find({routing_id, msg->request.id});
      if (it != requests_.end()) it->second->cancelled = true;
      continue;
    }
    StartRequest(routing_id, std::move(msg->request), fd);
  }
}

void SqlListener::Impl::StartRequest(const std::string& routing_id, SqlRequest request, int fd) {
  SqlEvent reply;
  reply.request_id = request.id;
  std::optional<SqlError> refusal;
  if (options_.password && request.password != *options_.password) {
    refusal = tsql::msg::LoginFailed(request.login.empty() ? "sa" : request.login);
  } else {
    refusal = executor_->CheckLogin(request);
  }
  if (refusal) {
    reply.type = EventType::kLoginFailed;
    reply.message = *refusal;
    SendTo(routing_id, EncodeEvent(reply));
    return;
  }
  auto key = std::make_pair(routing_id, request.id);
  if (requests_.count(key)) return;  // duplicate id while running: ignore
  reply.type = EventType::kAccepted;
  reply.server_name = options_.server_name;
  reply.server = identity_;
  SendTo(routing_id, EncodeEvent(reply));

  auto state = std::make_shared<RequestState>();
  state->routing_id = routing_id;
  state->request = std::move(request);
  state->fd = fd;
  state->socket_id = SocketId(fd);
  requests_[key] = state;
  ++started;
  ++running;
  state->thread = std::thread([this, state] {
    ListenerSink sink(this, state);
    executor_->Execute(state->request, sink);
    sink.Done(!state->error_seen.load());
    state->finished = true;
    --running;
    Wake();
  });
}

void SqlListener::Impl::SendTo(const std::string& routing_id, const std::string& bytes) {
  try {
    router_.send(zmq::buffer(routing_id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the client is gone (ROUTER_MANDATORY). Cancel its running requests.
    for (auto& [key, state] : requests_) {
      if (key.first == routing_id) state->cancelled = true;
    }
  }
}

// libzmq owns the socket; shutting it down makes its I/O thread see the connection end and close
// it as if the client had gone. The socket's inode proves the fd still is that connection.
void SqlListener::Impl::Drop(const RequestState& state) {
  if (state.socket_id == 0 || SocketId(state.fd) != state.socket_id) {
    log::Warn("SQL listener: the connection of request " + std::to_string(state.request.id) +
              " is already gone");
    return;
  }
  if (shutdown(state.fd, SHUT_RDWR) != 0) {
    log::Warn("SQL listener: dropping a connection: " + std::string(strerror(errno)));
  }
}

void SqlListener::Impl::FlushOutbox() {
  std::deque<OutboxItem> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(outbox_);
  }
  for (const OutboxItem& item : batch) {
    if (item.drop) {
      Drop(*item.drop);
    } else {
      SendTo(item.routing_id, item.bytes);
    }
  }
}

void SqlListener::Impl::ReapFinished(bool all) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (all || it->second->finished) {
      if (it->second->thread.joinable()) it->second->thread.join();
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<std::unique_ptr<SqlListener>> SqlListener::Start(SqlListenerOptions options,
                                                        IStatementExecutor* executor) {
  if (executor == nullptr) return Status::Configuration("SqlListener needs an executor");
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>(std::move(options), executor);
  } catch (const zmq::error_t& e) {
    return Status::Configuration(std::string("zmq: ") + e.what());
  }
  VDIBK_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<SqlListener>(new SqlListener(std::move(impl)));
}

SqlListener::SqlListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqlListener::~SqlListener() { Stop(); }
void SqlListener::Stop() { impl_->Stop(); }
const std::string& SqlListener::endpoint() const { return impl_->options().endpoint; }
const std::string& SqlListener::server_name() const { return impl_->options().server_name; }
uint64_t SqlListener::requests_started() const { return impl_->started.load(); }
size_t SqlListener::requests_running() const { return impl_->running.load(); }

}  // namespace vdibk::emulator::frontend
