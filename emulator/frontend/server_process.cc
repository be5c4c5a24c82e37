// ProcessIdentity from /proc/self; CheckProcess reads /proc/PID/stat (state and start time).
#include "emulator/frontend/server_process.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace vdibk::emulator::frontend {
namespace {

uint64_t PidNamespace() {
  struct stat st {};
  if (stat("/proc/self/ns/pid", &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

// State letter and start time of `pid` from /proc/PID/stat; false if it cannot be read.
bool ReadStat(uint32_t pid, char* state, uint64_t* start_ticks) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  size_t close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  // Fields 3 (state) .. 22 (starttime): index 0 is the state, index 19 the start time.
  for (int i = 0; i <= 19; ++i) {
    if (!(fields >> field)) return false;
    if (i == 0) *state = field.empty() ? '?' : field[0];
  }
  try {
    *start_ticks = std::stoull(field);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

ProcessIdentity SelfIdentity() {
  ProcessIdentity self;
  char state = 0;
  uint64_t start = 0;
  const auto pid = static_cast<uint32_t>(getpid());
  if (!ReadStat(pid, &state, &start)) return self;
  self.pid = pid;
  self.pid_ns = PidNamespace();
  self.start_ticks = start;
  return self;
}

ProcessState CheckProcess(const ProcessIdentity& process) {
  if (process.pid == 0 || process.pid_ns == 0 || process.pid_ns != PidNamespace()) {
    return ProcessState::kUnknown;
  }
  char state = 0;
  uint64_t start = 0;
  if (!ReadStat(process.pid, &state, &start)) return ProcessState::kEnded;
  if (start != process.start_ticks) return ProcessState::kEnded;  // the pid was reused
  switch (state) {
    case 'Z':
    case 'X':
    case 'x':
      return ProcessState::kEnded;
    case 'T':
    case 't':
      return ProcessState::kStopped;
    default:
      return ProcessState::kRunning;
  }
}

std::string ToString(ProcessState state) {
  switch (state) {
    case ProcessState::kRunning:
      return "running";
    case ProcessState::kStopped:
      return "stopped";
    case ProcessState::kEnded:
      return "ended";
    case ProcessState::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace vdibk::emulator::frontend
