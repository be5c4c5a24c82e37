// The audit log's JSON lines (escaping of shared/base/json_text.h) written with O_APPEND.
#include "agent/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "shared/base/json_text.h"

namespace vdibk::coordinator {

std::string AuditJson(const AuditEntry& e, int64_t unix_ms) {
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char when[96];
  std::snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  std::string out = "{\"type\":\"audit\",\"time\":" + JsonString(when) +
                    ",\"who\":" + JsonString(e.who) + ",\"role\":" + JsonString(e.role) +
                    ",\"transport\":" + JsonString(TransportName(e.peer.transport)) +
                    ",\"peer\":" + JsonString(e.peer.address);
  if (e.peer.uid) out += ",\"uid\":" + std::to_string(*e.peer.uid);
  out += ",\"method\":" + JsonString(e.method) + ",\"path\":" + JsonString(e.path) +
         ",\"what\":" + JsonString(e.what) + ",\"result\":" + JsonString(e.result) +
         ",\"status\":" + std::to_string(e.status) + ",\"reason\":" + JsonString(e.reason) + "}";
  return out;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<AuditLog>(new AuditLog(STDERR_FILENO, false));
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Status::FromErrno(ErrorCode::kConfiguration, "audit_log: cannot open " + path, errno);
  }
  return std::unique_ptr<AuditLog>(new AuditLog(fd, true));
}

AuditLog::~AuditLog() {
  if (owned_) ::close(fd_);
}

void AuditLog::Write(const AuditEntry& entry) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string line = AuditJson(entry, now) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // best effort: an audit failure does not fail the request
    done += static_cast<size_t>(n);
  }
}

}  // namespace vdibk::coordinator
