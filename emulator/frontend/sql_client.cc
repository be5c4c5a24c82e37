// SqlClient: DEALER socket, login handshake per batch, event loop with login/query/silence
// timeouts. zmq::error_t never leaves this file.
#include "emulator/frontend/sql_client.h"

#include <zmq.hpp>

namespace vdibk::emulator::frontend {

using Clock = std::chrono::steady_clock;

class SqlClient::Impl {
 public:
  explicit Impl(SqlClientOptions options) : options_(std::move(options)) {}
  SqlClientOptions options_;
  zmq::context_t context_{1};
  zmq::socket_t dealer_{context_, zmq::socket_type::dealer};
  uint64_t next_id_ = 1;
};

Result<std::unique_ptr<SqlClient>> SqlClient::Connect(SqlClientOptions options) {
  try {
    auto impl = std::make_unique<Impl>(std::move(options));
    impl->dealer_.set(zmq::sockopt::linger, 0);
    impl->dealer_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxWireMessage));
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
  SqlRequest request;
  request.id = im.next_id_++;
  request.login = im.options_.login;
  request.password = im.options_.password;
  request.database = im.options_.database;
  request.app_name = im.options_.app_name;
  request.text = std::string(batch);
  ExecuteOutcome outcome;
  try {
    if (!im.dealer_.send(zmq::buffer(EncodeRequest(request)), zmq::send_flags::dontwait)) {
      // No connection yet and nothing queued: treat like an unanswered login.
      outcome.failure = ClientFailure::kLoginTimeout;
      outcome.message = "Login timeout expired";
      return outcome;
    }
    const auto start = Clock::now();
    auto last_heard = start;
    bool accepted = false;
    for (;;) {
      auto now = Clock::now();
      Clock::time_point deadline =
          accepted ? last_heard + im.options_.silence_limit : start + im.options_.login_timeout;
      bool query_limited = accepted && im.options_.query_timeout.count() > 0;
      if (query_limited) deadline = std::min(deadline, start + im.options_.query_timeout);
      if (now >= deadline) {
        if (!accepted) {
          outcome.failure = ClientFailure::kLoginTimeout;
          outcome.message = "Login timeout expired";
        } else if (query_limited && now >= start + im.options_.query_timeout) {
          outcome.failure = ClientFailure::kQueryTimeout;
          outcome.message = "Query timeout expired";
          im.dealer_.send(zmq::buffer(EncodeCancel(request.id)), zmq::send_flags::dontwait);
        } else {
          outcome.failure = ClientFailure::kLinkFailure;
          outcome.message = "Communication link failure";
        }
        return outcome;
      }
      zmq::pollitem_t item{im.dealer_.handle(), 0, ZMQ_POLLIN, 0};
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                  std::chrono::milliseconds(1);
      zmq::poll(&item, 1, wait);
      if (!(item.revents & ZMQ_POLLIN)) continue;
      zmq::message_t msg;
      if (!im.dealer_.recv(msg, zmq::recv_flags::dontwait)) continue;
      auto event = DecodeEvent(msg.to_string_view());
      if (!event.ok() || event->request_id != request.id) continue;  // stale or foreign
      last_heard = Clock::now();
      switch (event->type) {
        case EventType::kKeepalive:
          continue;
        case EventType::kLoginFailed:
          outcome.failure = ClientFailure::kLoginFailed;
          outcome.login_error = event->message;
          outcome.message = event->message.text;
          return outcome;
        case EventType::kAccepted:
          accepted = true;
          break;
        default:
          accepted = true;
          break;
      }
      on_event(*event);
      if (event->type == EventType::kDone) {
        outcome.success = event->success;
        return outcome;
      }
    }
  } catch (const zmq::error_t& e) {
    return Status::Failed(std::string("sql client: ") + e.what());
  }
}

}  // namespace vdibk::emulator::frontend
