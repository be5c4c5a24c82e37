// DataSocket: SOCK_SEQPACKET packets of one encoded Message each.
#include "shared/transport/data_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "shared/transport/message_codec.h"

namespace vdibk::transport {

Result<std::pair<DataSocket, DataSocket>> DataSocket::Pair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::FromErrno(ErrorCode::kFailed, "socketpair", errno);
  }
  return std::make_pair(DataSocket(fds[0]), DataSocket(fds[1]));
}

Result<DataSocket> DataSocket::Adopt(int fd) {
  int type = 0;
  socklen_t len = sizeof(type);
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET) {
    return Status::Configuration("descriptor " + std::to_string(fd) +
                                 " is not a data socket (SOCK_SEQPACKET)");
  }
  return DataSocket(fd);
}

DataSocket& DataSocket::operator=(DataSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

DataSocket::~DataSocket() {
  if (fd_ >= 0) close(fd_);
}

void DataSocket::Shutdown() {
  if (fd_ >= 0) shutdown(fd_, SHUT_RDWR);
}

Status DataSocket::Send(const Message& m, size_t max_bytes) {
  thread_local std::string buf;
  VDIBK_RETURN_IF_ERROR(EncodeMessage(m, buf, max_bytes));
  const size_t size = buf.size();
  for (;;) {
    ssize_t n = send(fd_, buf.data(), size, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(size)) return Status::Ok();
    if (n < 0 && errno == EINTR) continue;
    return Status::Aborted("data socket: peer gone (" + std::string(n < 0 ? strerror(errno) : "short send") + ")");
  }
}

Result<std::optional<DataSocket::Packet>> DataSocket::Receive(std::chrono::milliseconds timeout,
                                                             size_t max_bytes) {
  pollfd p{fd_, POLLIN, 0};
  int n = poll(&p, 1, static_cast<int>(timeout.count()));
  if (n < 0 && errno == EINTR) return std::optional<Packet>();
  if (n < 0) return Status::FromErrno(ErrorCode::kFailed, "poll", errno);
  if (n == 0) return std::optional<Packet>();
  thread_local std::vector<uint8_t> buf;
  buf.resize(max_bytes + 1);
  ssize_t got;
  do {
    got = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::optional<Packet>();
  if (got <= 0) return Status::Aborted("data socket closed by the peer");
  Packet packet;
  if (static_cast<size_t>(got) > max_bytes) {
    packet.status = Status::Integrity("packet of " + std::to_string(got) + " bytes exceeds the limit");
    return std::optional<Packet>(std::move(packet));
  }
  Result<Message> m = DecodeMessage(buf.data(), static_cast<size_t>(got), max_bytes);
  if (m.ok()) {
    packet.message = std::move(m).value();
  } else {
    packet.status = m.status();
  }
  return std::optional<Packet>(std::move(packet));
}

}  // namespace vdibk::transport
