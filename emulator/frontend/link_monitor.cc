// LinkMonitor: zmq_socket_monitor into an inproc PAIR; each event is two frames (u16 event id +
// u32 value, then the endpoint). zmq::error_t never leaves this file.
#include "emulator/frontend/link_monitor.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace vdibk::emulator::frontend {

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::Start(zmq::context_t& context,
                                                        zmq::socket_t& socket) {
  // inproc names are per context; the socket's address keeps two monitors of a context apart.
  const std::string address =
      "inproc://vdibk-link-monitor-" + std::to_string(reinterpret_cast<uintptr_t>(socket.handle()));
  if (zmq_socket_monitor(socket.handle(), address.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0) {
    return Status::Failed(std::string("zmq_socket_monitor: ") + zmq_strerror(zmq_errno()));
  }
  try {
    zmq::socket_t events(context, zmq::socket_type::pair);
    events.set(zmq::sockopt::linger, 0);
    events.connect(address);
    return std::unique_ptr<LinkMonitor>(new LinkMonitor(&socket, std::move(events)));
  } catch (const zmq::error_t& e) {
    zmq_socket_monitor(socket.handle(), nullptr, 0);
    return Status::Failed(std::string("link monitor: ") + e.what());
  }
}

LinkMonitor::LinkMonitor(zmq::socket_t* socket, zmq::socket_t events)
    : socket_(socket), events_(std::move(events)) {}

LinkMonitor::~LinkMonitor() {
  zmq_socket_monitor(socket_->handle(), nullptr, 0);  // stops the monitor's sending side
  try {
    events_.close();
  } catch (const zmq::error_t&) {  // nothing left to do at teardown
  }
}

zmq::pollitem_t LinkMonitor::PollItem() { return {events_.handle(), 0, ZMQ_POLLIN, 0}; }

int LinkMonitor::Drain() {
  int lost = 0;
  try {
    for (;;) {
      zmq::message_t head;
      if (!events_.recv(head, zmq::recv_flags::dontwait)) break;
      while (head.more()) {  // the endpoint frame
        zmq::message_t rest;
        if (!events_.recv(rest, zmq::recv_flags::dontwait)) break;
        if (!rest.more()) break;
      }
      if (head.size() < sizeof(uint16_t)) continue;
      uint16_t event = 0;
      std::memcpy(&event, head.data(), sizeof event);
      if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) connected_ = true;
      // A connection that never finished the handshake carried no request: not a loss.
      if (event == ZMQ_EVENT_DISCONNECTED && connected_) {
        connected_ = false;
        ++lost;
      }
    }
  } catch (const zmq::error_t&) {
    // ETERM at shutdown: nothing more to read.
  }
  return lost;
}

}  // namespace vdibk::emulator::frontend
