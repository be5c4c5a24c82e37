// ServerWatch: is SQL Server's process still alive? Watches the pid the preflight learned
// (SERVERPROPERTY('ProcessID')) when it is visible in our PID namespace, so a server that died
// mid-job is named as such within a poll instead of after the SQL client's timeouts.
#ifndef VDIBK_COORDINATOR_SQL_SERVER_WATCH_H_
#define VDIBK_COORDINATOR_SQL_SERVER_WATCH_H_

#include <cstdint>
#include <optional>
#include <string>

namespace vdibk::coordinator {

// Copyable value. Thread-safe (Gone reads /proc only).
class ServerWatch {
 public:
  ServerWatch() = default;  // watches nothing: Gone() is always false
  // Watches `pid` if it is a live process now (remembering its start time, so a reused pid is
  // not mistaken for the server); otherwise watches nothing.
  static ServerWatch ForPid(int pid);

  bool watching() const { return pid_ > 0; }
  int pid() const { return pid_; }
  // True once the watched process has ended (or is a zombie, or its pid names another process).
  bool Gone() const;
  // "SQL Server process ended (pid N)".
  std::string GoneMessage() const;

 private:
  int pid_ = 0;
  uint64_t start_time_ = 0;  // /proc/<pid>/stat field 22 (clock ticks since boot)
};

// Field 22 (starttime) and field 3 (state) of /proc/<pid>/stat; nullopt if the process is gone.
struct ProcStat {
  char state = '?';
  uint64_t start_time = 0;
};
std::optional<ProcStat> ReadProcStat(int pid);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_SERVER_WATCH_H_
