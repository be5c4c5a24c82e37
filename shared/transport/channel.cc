// Channel: socket options, bind/connect, timed send/receive; every zmq::error_t is caught here.
#include "shared/transport/channel.h"

#include <unistd.h>

#include <zmq_addon.hpp>

namespace vdibk::transport {
namespace {

Status ZmqStatus(ErrorCode code, const std::string& what, const zmq::error_t& e) {
  return Status(code, what + ": " + e.what() + " (errno " + std::to_string(e.num()) + ")");
}

void ApplyCommon(zmq::socket_t& s, const ChannelOptions& o) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::maxmsgsize, o.max_message_bytes);
  s.set(zmq::sockopt::sndhwm, o.send_hwm);
  s.set(zmq::sockopt::rcvhwm, o.recv_hwm);
}

}  // namespace

Context::~Context() {
  try {
    ctx_.shutdown();
    ctx_.close();
  } catch (const zmq::error_t&) {
    // Nothing sensible to do in a destructor; the process is shutting the transport down.
  }
}

Result<Channel> Channel::BindRouter(Context& ctx, const std::string& endpoint,
                                    const ChannelOptions& options) {
  try {
    zmq::socket_t s(ctx.raw(), zmq::socket_type::router);
    ApplyCommon(s, options);
    s.set(zmq::sockopt::router_mandatory, 1);
    if (options.allowed_uid) {
      int uid = static_cast<int>(
          *options.allowed_uid == ChannelOptions::kOwnUid ? ::getuid() : *options.allowed_uid);
      // Deprecated in favour of ZAP but present and working in libzmq 4.3.4 (stable API):
      // connections from other uids are closed at accept, before any message is read.
      if (zmq_setsockopt(s.handle(), ZMQ_IPC_FILTER_UID, &uid, sizeof uid) != 0) {
        throw zmq::error_t();
      }
    }
    s.bind(endpoint);
    return Channel(std::move(s), true, endpoint);
  } catch (const zmq::error_t& e) {
    return ZmqStatus(ErrorCode::kConfiguration, "bind " + endpoint, e);
  }
}

Result<Channel> Channel::ConnectDealer(Context& ctx, const std::string& endpoint,
                                       const ChannelOptions& options) {
  try {
    zmq::socket_t s(ctx.raw(), zmq::socket_type::dealer);
    ApplyCommon(s, options);
    s.set(zmq::sockopt::immediate, 1);  // queue only to a completed connection
    if (!options.routing_id.empty()) s.set(zmq::sockopt::routing_id, options.routing_id);
    s.connect(endpoint);
    return Channel(std::move(s), false, endpoint);
  } catch (const zmq::error_t& e) {
    return ZmqStatus(ErrorCode::kConfiguration, "connect " + endpoint, e);
  }
}

Status Channel::Send(Multipart frames, std::chrono::milliseconds timeout) {
  if (frames.empty()) return Status::Failed("send of an empty multipart message");
  try {
    socket_.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout.count()));
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      auto sent = socket_.send(frames[i], flags);
      if (!sent) {
        return Status::Aborted("send on " + endpoint_ + " timed out after " +
                               std::to_string(timeout.count()) + " ms (peer not reading)");
      }
    }
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) {
      return Status::Aborted("send on " + endpoint_ + ": peer unknown or disconnected");
    }
    return ZmqStatus(ErrorCode::kFailed, "send on " + endpoint_, e);
  }
}

Result<std::optional<Multipart>> Channel::Recv(std::chrono::milliseconds timeout) {
  try {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::optional<Multipart>();
    Multipart frames;
    auto n = zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait);
    if (!n) return std::optional<Multipart>();
    return std::optional<Multipart>(std::move(frames));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::optional<Multipart>();
    return ZmqStatus(ErrorCode::kFailed, "receive on " + endpoint_, e);
  }
}

void Channel::SetLinger(std::chrono::milliseconds linger) {
  socket_.set(zmq::sockopt::linger, static_cast<int>(linger.count()));
}

}  // namespace vdibk::transport

#if defined(__SANITIZE_THREAD__)
// libzmq is not built with TSan: its I/O thread hands messages (and their metadata) to the
// application through lock-free pipes whose atomics TSan cannot see, so every received message
// looks like a race. Suppress reports inside libzmq only; our own code stays fully checked.
// Any program linking this adapter gets the suppression under -fsanitize=thread.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libzmq.so\nrace:libzmq.so\n";
}
#endif
