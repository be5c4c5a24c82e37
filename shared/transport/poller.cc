// Poller: zmq_poll over channels and descriptors.
#include "shared/transport/poller.h"

#include <cerrno>

namespace vdibk::transport {

size_t Poller::Add(Channel& channel) {
  items_.push_back({channel.socket_.handle(), 0, ZMQ_POLLIN, 0});
  return items_.size() - 1;
}

size_t Poller::AddFd(int fd) {
  items_.push_back({nullptr, fd, ZMQ_POLLIN, 0});
  return items_.size() - 1;
}

Result<int> Poller::Wait(std::chrono::milliseconds timeout) {
  for (zmq_pollitem_t& item : items_) item.revents = 0;
  int n = zmq_poll(items_.data(), static_cast<int>(items_.size()), timeout.count());
  if (n >= 0) return n;
  if (zmq_errno() == EINTR) return 0;
  return Status::Failed(std::string("zmq_poll: ") + zmq_strerror(zmq_errno()));
}

}  // namespace vdibk::transport
