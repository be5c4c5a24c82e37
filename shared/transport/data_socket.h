// DataSocket: the direct data path between the coordinator and one spawned worker (proto/README.md
// §5.2): a SOCK_SEQPACKET socketpair, one encoded Message (an Envelope) per packet. No broker thread on either side: a
// send wakes the peer's reader at once, which is what a VDI command's round trip pays for.
#ifndef VDIBK_SHARED_TRANSPORT_DATA_SOCKET_H_
#define VDIBK_SHARED_TRANSPORT_DATA_SOCKET_H_

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "shared/base/result.h"
#include "shared/transport/pipeline_messages.h"

namespace vdibk::transport {

// The environment variable that names a spawned worker's end of its data socket (a descriptor
// number); unset: the worker has none and all requests come over its ZeroMQ channel.
inline constexpr const char* kDataFdVariable = "VDIBK_DATA_FD";

// Move-only; closes the descriptor. Send is thread-safe (one packet per call); Receive is for
// one reader thread.
class DataSocket {
 public:
  // A connected pair, both ends close-on-exec. Errors: kFailed.
  static Result<std::pair<DataSocket, DataSocket>> Pair();
  // Adopts `fd` (e.g. inherited, from kDataFdVariable). Errors: kConfiguration if it is not a
  // SOCK_SEQPACKET socket.
  static Result<DataSocket> Adopt(int fd);
  DataSocket() = default;
  DataSocket(DataSocket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  DataSocket& operator=(DataSocket&& o) noexcept;
  ~DataSocket();

  // One packet (blocks while the peer's buffer is full). Errors: kAborted (the peer is gone),
  // kFailed (over max_bytes).
  Status Send(const Message& m, size_t max_bytes = 1 << 20);
  // Waits at most `timeout` (0: only what is there) for one packet and decodes it as
  // DecodeMessage does: a malformed packet is the Inbound-like error in `status`. nullopt on
  // timeout. Errors: kAborted when the peer closed its end.
  struct Packet {
    Status status;  // decode result
    Message message;
  };
  Result<std::optional<Packet>> Receive(std::chrono::milliseconds timeout,
                                        size_t max_bytes = 1 << 20);
  // Wakes a Receive blocked on this socket (shutdown); later sends fail.
  void Shutdown();
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  explicit DataSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_DATA_SOCKET_H_
