// Agent health: the main loop's heartbeat (for /healthz) and the readiness probes (for /readyz:
// SQL runner, shared memory, repo), built on the doctor checks (doctor_checks.h).
#ifndef VDIBK_AGENT_HEALTH_H_
#define VDIBK_AGENT_HEALTH_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"

namespace vdibk::coordinator {

// Set by the main loop on every turn; read by the HTTP thread.
class Heartbeat {
 public:
  void Beat();
  // Whether the last Beat() is at most `max_age` ago (false before the first one).
  bool Fresh(std::chrono::milliseconds max_age) const;
  // Milliseconds since the last beat (-1 before the first one).
  int64_t AgeMs() const;

 private:
  std::atomic<int64_t> last_ms_{-1};  // steady clock
};

struct ReadyCheck {
  std::string name;  // "sql", "shm", "repo"
  bool ok = false;
  std::string detail;
};

// Runs the three probes: `SELECT 1` through sqlcmd `program` at `server` (bounded by
// `sql_timeout`), a probe object created, mapped and removed in /dev/shm, and a file written,
// fsynced and removed in `repo`. Blocking; nothing is left behind.
std::vector<ReadyCheck> RunReadinessChecks(const std::string& program, const std::string& server,
                                           const std::string& repo,
                                           std::chrono::milliseconds sql_timeout);

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_HEALTH_H_
