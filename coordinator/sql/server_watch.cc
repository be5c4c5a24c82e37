// ServerWatch: /proc/<pid>/stat based liveness of SQL Server's process.
#include "coordinator/sql/server_watch.h"

#include <fstream>
#include <sstream>

namespace vdibk::coordinator {

std::optional<ProcStat> ReadProcStat(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // "pid (comm) S ..." — comm may hold spaces and parentheses: fields follow the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  ProcStat st;
  rest >> st.state;
  std::string skip;
  for (int field = 4; field < 22; ++field) rest >> skip;  // fields 4..21
  rest >> st.start_time;
  if (!rest) return std::nullopt;
  return st;
}

ServerWatch ServerWatch::ForPid(int pid) {
  ServerWatch w;
  std::optional<ProcStat> st = ReadProcStat(pid);
  if (!st || st->state == 'Z' || st->state == 'X') return w;
  w.pid_ = pid;
  w.start_time_ = st->start_time;
  return w;
}

bool ServerWatch::Gone() const {
  if (pid_ <= 0) return false;
  std::optional<ProcStat> st = ReadProcStat(pid_);
  return !st || st->state == 'Z' || st->state == 'X' || st->start_time != start_time_;
}

std::string ServerWatch::GoneMessage() const {
  return "SQL Server process ended (pid " + std::to_string(pid_) + ")";
}

}  // namespace vdibk::coordinator
