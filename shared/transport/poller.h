// Poller: waits on several Channels and plain descriptors (eventfd, pidfd, a DataSocket) at once,
// so that nothing outside shared/transport reaches into a Channel's ZeroMQ socket.
#ifndef VDIBK_SHARED_TRANSPORT_POLLER_H_
#define VDIBK_SHARED_TRANSPORT_POLLER_H_

#include <chrono>
#include <cstddef>
#include <vector>

#include <zmq.h>

#include "shared/base/result.h"
#include "shared/transport/channel.h"

namespace vdibk::transport {

// Not thread-safe; the channels must outlive the poller's Wait calls.
class Poller {
 public:
  // Returns the index that Ready() takes.
  size_t Add(Channel& channel);
  size_t AddFd(int fd);
  void Clear() { items_.clear(); }
  // Waits at most `timeout` until one is readable. The number ready; 0 on timeout or EINTR.
  // Errors: kFailed (a closed socket).
  Result<int> Wait(std::chrono::milliseconds timeout);
  bool Ready(size_t index) const { return (items_[index].revents & ZMQ_POLLIN) != 0; }

 private:
  std::vector<zmq_pollitem_t> items_;
};

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_POLLER_H_
