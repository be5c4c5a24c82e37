// SqlClient: DEALER socket watched by a LinkMonitor, login handshake per batch, event loop with
// login/query timeouts and the server liveness rule (no silence limit while the server lives).
// zmq::error_t never leaves this file.
#include "emulator/frontend/sql_client.h"

#include <thread>
#include <zmq.hpp>

#include "emulator/frontend/link_monitor.h"
#include "emulator/frontend/server_process.h"

namespace vdibk::emulator::frontend {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// After the connection drops, how long the server process may take to finish dying (the kernel
// closes a killed process's sockets just before it becomes a zombie).
constexpr milliseconds kEndGrace{300};

// kLinkFailure with what is known about the server: ended, alive, or not visible from here.
ExecuteOutcome LinkLost(const ProcessIdentity& server, bool connection_lost) {
  ExecuteOutcome outcome;
  outcome.failure = ClientFailure::kLinkFailure;
  outcome.message = "Communication link failure";
  ProcessState state = CheckProcess(server);
  const auto give_up = Clock::now() + kEndGrace;
  while (connection_lost && state != ProcessState::kEnded && state != ProcessState::kUnknown &&
         Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
    state = CheckProcess(server);
  }
  const std::string process = "the server process (pid " + std::to_string(server.pid) + ")";
  if (state == ProcessState::kEnded) {
    outcome.server_ended = true;
    outcome.detail = connection_lost
                         ? "The connection was lost: " + process + " ended"
                         : "The server process (pid " + std::to_string(server.pid) + ") ended";
  } else if (state == ProcessState::kUnknown) {
    outcome.detail = "The connection was lost: the server closed it or its process ended";
  } else {
    outcome.detail = "The connection was lost: the server closed it (" + process + " is " +
                     ToString(state) + ")";
  }
  return outcome;
}

}  // namespace

class SqlClient::Impl {
 public:
  explicit Impl(SqlClientOptions options) : options_(std::move(options)) {}
  SqlClientOptions options_;
  zmq::context_t context_{1};
  zmq::socket_t dealer_{context_, zmq::socket_type::dealer};
  std::unique_ptr<LinkMonitor> monitor_;  // declared after dealer_: destroyed before it
  uint64_t next_id_ = 1;
};

Result<std::unique_ptr<SqlClient>> SqlClient::Connect(SqlClientOptions options) {
  try {
    auto impl = std::make_unique<Impl>(std::move(options));
    impl->dealer_.set(zmq::sockopt::linger, 0);
    impl->dealer_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxWireMessage));
    auto monitor = LinkMonitor::Start(impl->context_, impl->dealer_);
    if (!monitor.ok()) return monitor.status();
    impl->monitor_ = std::move(monitor).value();
    impl->dealer_.connect(impl->options_.endpoint);
    return std::unique_ptr<SqlClient>(new SqlClient(std::move(impl)));
  } catch (const zmq::error_t& e) {
    return Status::Configuration("cannot connect to " + options.endpoint + ": " + e.what());
  }
}

SqlClient::SqlClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqlClient::~SqlClient() = default;

Result<ExecuteOutcome> SqlClient::Execute(std::string_view batch,
                                          const std::function<void(const SqlEvent&)>& on_event) {
  Impl& im = *impl_;
  const SqlClientOptions& o = im.options_;
  SqlRequest request;
  request.id = im.next_id_++;
  request.login = o.login;
  request.password = o.password;
  request.database = o.database;
  request.app_name = o.app_name;
  request.text = std::string(batch);
  ExecuteOutcome outcome;
  try {
    im.monitor_->Drain();  // connections lost and made between batches concern no request
    if (!im.dealer_.send(zmq::buffer(EncodeRequest(request)), zmq::send_flags::dontwait)) {
      // No connection yet and nothing queued: treat like an unanswered login.
      outcome.failure = ClientFailure::kLoginTimeout;
      outcome.message = "Login timeout expired";
      return outcome;
    }
    const auto start = Clock::now();
    const milliseconds liveness = std::max(o.liveness_interval, milliseconds(10));
    auto next_check = start + liveness;
    bool accepted = false;
    ProcessIdentity server;
    for (;;) {
      const auto now = Clock::now();
      const bool login_limited = !accepted && o.login_timeout.count() > 0;
      const bool query_limited = accepted && o.query_timeout.count() > 0;
      if (login_limited && now >= start + o.login_timeout) {
        outcome.failure = ClientFailure::kLoginTimeout;
        outcome.message = "Login timeout expired";
        return outcome;
      }
      if (query_limited && now >= start + o.query_timeout) {
        outcome.failure = ClientFailure::kQueryTimeout;
        outcome.message = "Query timeout expired";
        im.dealer_.send(zmq::buffer(EncodeCancel(request.id)), zmq::send_flags::dontwait);
        return outcome;
      }
      if (now >= next_check) {  // silent for a while: is the server process still there?
        if (accepted && CheckProcess(server) == ProcessState::kEnded)
          return LinkLost(server, false);
        next_check = now + liveness;
      }
      Clock::time_point deadline = next_check;
      if (login_limited) deadline = std::min(deadline, start + o.login_timeout);
      if (query_limited) deadline = std::min(deadline, start + o.query_timeout);
      zmq::pollitem_t items[] = {{im.dealer_.handle(), 0, ZMQ_POLLIN, 0}, im.monitor_->PollItem()};
      auto wait = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1);
      zmq::poll(items, 2, wait);
      // Events before the link state: a Done read before the connection closed still counts.
      bool link_lost = (items[1].revents & ZMQ_POLLIN) && im.monitor_->Drain() > 0;
      for (;;) {
        zmq::message_t msg;
        if (!im.dealer_.recv(msg, zmq::recv_flags::dontwait)) break;
        auto event = DecodeEvent(msg.to_string_view());
        if (!event.ok() || event->request_id != request.id) continue;  // stale or foreign
        next_check = Clock::now() + liveness;
        if (event->type == EventType::kKeepalive) continue;
        if (event->type == EventType::kLoginFailed) {
          outcome.failure = ClientFailure::kLoginFailed;
          outcome.login_error = event->message;
          outcome.message = event->message.text;
          return outcome;
        }
        if (event->type == EventType::kAccepted) server = event->server;
        accepted = true;
        on_event(*event);
        if (event->type == EventType::kDone) {
          outcome.success = event->success;
          return outcome;
        }
      }
      if (link_lost) return LinkLost(server, true);
    }
  } catch (const zmq::error_t& e) {
    return Status::Failed(std::string("sql client: ") + e.what());
  }
}

}  // namespace vdibk::emulator::frontend
