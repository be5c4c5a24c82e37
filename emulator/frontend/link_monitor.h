// LinkMonitor: the client's view of its connection to the server, from ZeroMQ's socket monitor
// (events from libzmq's I/O thread, independent of any request): connected, or lost because the
// server closed it or its process ended (the kernel closes a dead process's sockets at once).
#ifndef VDIBK_EMULATOR_FRONTEND_LINK_MONITOR_H_
#define VDIBK_EMULATOR_FRONTEND_LINK_MONITOR_H_

#include <memory>
#include <zmq.hpp>

#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

class LinkMonitor {
 public:
  // Monitors `socket`, which must not have connected yet (earlier events would be lost).
  // `context` must be the socket's. Errors: kFailed (zmq).
  static Result<std::unique_ptr<LinkMonitor>> Start(zmq::context_t& context, zmq::socket_t& socket);
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // For zmq::poll next to the monitored socket: readable when events are queued.
  zmq::pollitem_t PollItem();
  // Reads the queued events; returns how many established (handshaken) connections were lost.
  int Drain();
  // A connection is up (the last event was a connect, not a disconnect).
  bool connected() const { return connected_; }

 private:
  LinkMonitor(zmq::socket_t* socket, zmq::socket_t events);
  zmq::socket_t* socket_;
  zmq::socket_t events_;
  bool connected_ = false;
};

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_LINK_MONITOR_H_
