// sd_notify over $NOTIFY_SOCKET without libsystemd: one sendto() of a unix datagram.
#include "agent/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vdibk::coordinator {

Status SdNotify(const std::string& state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return Status::Ok();
  const std::string p(path);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((p[0] != '/' && p[0] != '@') || p.size() >= sizeof(addr.sun_path)) {
    return Status::Configuration("NOTIFY_SOCKET: unsupported address '" + p + "'");
  }
  std::memcpy(addr.sun_path, p.data(), p.size());
  if (p[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno(ErrorCode::kConfiguration, "NOTIFY_SOCKET socket", errno);
  // Never block the main loop on a receiver that does not read (a full queue drops the message).
  const ssize_t n = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                           reinterpret_cast<const sockaddr*>(&addr), len);
  const int err = errno;
  close(fd);
  if (n < 0) return Status::FromErrno(ErrorCode::kConfiguration, "NOTIFY_SOCKET send", err);
  return Status::Ok();
}

std::optional<std::chrono::microseconds> WatchdogInterval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::nullopt;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(usec, &end, 10);
  if (end == usec || *end != '\0' || v == 0) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID")) {
    if (std::strtoll(pid, nullptr, 10) != static_cast<long long>(getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(v / 2);
}

}  // namespace vdibk::coordinator
