// Identity and liveness of the server process behind a connection: the listener announces its
// pid, pid namespace and start time in Accepted; the client reads /proc to tell a live (possibly
// stopped) server from one that ended, where it shares the server's pid namespace.
#ifndef VDIBK_EMULATOR_FRONTEND_SERVER_PROCESS_H_
#define VDIBK_EMULATOR_FRONTEND_SERVER_PROCESS_H_

#include <cstdint>
#include <string>

namespace vdibk::emulator::frontend {

struct ProcessIdentity {
  uint32_t pid = 0;          // 0: unknown (an older server, or /proc unreadable)
  uint64_t pid_ns = 0;       // inode of /proc/self/ns/pid
  uint64_t start_ticks = 0;  // /proc/PID/stat field 22 (clock ticks after boot): guards pid reuse
  bool operator==(const ProcessIdentity&) const = default;
};

// This process's identity (pid 0 if /proc cannot be read).
ProcessIdentity SelfIdentity();

enum class ProcessState {
  kUnknown,  // pid 0, or another pid namespace: /proc here says nothing about that pid
  kRunning,  // alive (running, sleeping, in disk wait)
  kStopped,  // alive but stopped (SIGSTOP, a debugger): silent, not dead
  kEnded,    // gone, a zombie, or its pid now belongs to another process
};

// What /proc says about `process` now.
ProcessState CheckProcess(const ProcessIdentity& process);

// "running", "stopped", ... for messages.
std::string ToString(ProcessState state);

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SERVER_PROCESS_H_
