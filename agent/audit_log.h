// AuditLog: one JSON line per decision of the agent API that matters (every refused request,
// every job started or cancelled): who, what, when, result. Appended to audit_log or stderr.
// Thread-safe; each entry is one write(2).
#ifndef VDIBK_AGENT_AUDIT_LOG_H_
#define VDIBK_AGENT_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "agent/http_request.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct AuditEntry {
  std::string who;     // the principal ("token:cron", "uid:0", "cert:ops") or "-" (unknown)
  std::string role;    // "read" | "backup" | "admin" | "" (unauthenticated)
  PeerInfo peer;       // transport and address
  std::string method;  // HTTP method
  std::string path;
  std::string what;    // "backup sales --devices 2", "cancel job 3", ...
  std::string result;  // "allowed" | "refused" | "failed"
  int status = 0;      // the HTTP status answered
  std::string reason;  // the refusal's reason label and message ("" when allowed)
};

// The entry as one line of JSON (no newline): {"time":"2024-01-31T23:59:59.123Z","who":...}.
std::string AuditJson(const AuditEntry& entry, int64_t unix_ms);

class AuditLog {
 public:
  // `path` "" = stderr. Else the file is opened for appending (created 0640). Errors:
  // kConfiguration naming the path.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void Write(const AuditEntry& entry);

 private:
  AuditLog(int fd, bool owned) : fd_(fd), owned_(owned) {}
  std::mutex mu_;
  const int fd_;
  const bool owned_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_AUDIT_LOG_H_
