// WorkerHub, the data sockets of spawned workers (proto/README.md §5.2): a device thread sends
// its requests as one packet; a reader thread per worker checks the replies and completes them.
#include <signal.h>

#include <chrono>

#include "coordinator/pipeline/worker_hub.h"

namespace vdibk::coordinator {

void WorkerHub::AttachData(const std::string& id, transport::DataSocket socket) {
  auto path = std::make_unique<DataPath>();
  path->worker = id;
  path->socket = std::move(socket);
  data_[id] = std::move(path);
}

// The requests gathered for one worker as one packet (a Batch if more than one).
Status WorkerHub::SendData(DataPath& path) {
  transport::Message m{kSender, path.next_seq++, transport::Heartbeat{}};
  if (path.pending.size() == 1) {
    m.body = std::move(path.pending.front());
  } else {
    m.body = transport::Batch{std::move(path.pending)};
  }
  path.pending.clear();
  return path.socket.Send(m);
}

// A worker's data socket: its replies, handled on this thread.
void WorkerHub::ReadData(DataPath& path) {
  const std::string& peer = path.worker;
  auto violation = [&](const std::string& what) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = peers_.find(peer);
      if (it != peers_.end() && it->second.child) it->second.child->Kill(SIGKILL);
    }
    Fail(Status::Aborted("worker " + peer + " violated the protocol: " + what));
  };
  while (!stop_.load()) {
    Result<std::optional<transport::DataSocket::Packet>> r =
        path.socket.Receive(std::chrono::milliseconds(200));
    if (!r.ok()) return;  // the worker closed it (its exit is the hub's to report) or Stop
    if (!r->has_value()) continue;
    const transport::DataSocket::Packet& packet = **r;
    if (!packet.status.ok()) return violation("malformed data packet: " + packet.status.message());
    const transport::Message& m = packet.message;
    if (m.sender != peer) return violation("data packet from '" + m.sender + "'");
    if (m.seq != path.last_inbound_seq + 1) {
      return violation("data seq " + std::to_string(m.seq) + " after " +
                       std::to_string(path.last_inbound_seq));
    }
    path.last_inbound_seq = m.seq;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = peers_.find(peer);
      if (it == peers_.end() || !it->second.ready) return violation("data before Ready");
      liveness_.Touch(peer);  // any message counts as a heartbeat
    }
    if (const auto* r = std::get_if<transport::Reply>(&m.body)) {
      HandleReply(peer, *r);
      continue;
    }
    const auto* b = std::get_if<transport::Batch>(&m.body);
    if (!b) {
      return violation("data packet of type " + std::to_string(transport::BodyNumber(m.body)));
    }
    for (const transport::Body& item : b->items) {
      if (!std::holds_alternative<transport::Reply>(item)) {
        return violation("Batch item of type " + std::to_string(transport::BodyNumber(item)));
      }
    }
    for (const transport::Body& item : b->items) HandleReply(peer, std::get<transport::Reply>(item));
  }
}

}  // namespace vdibk::coordinator
