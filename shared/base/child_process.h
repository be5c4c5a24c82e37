// ChildProcess: RAII handle of one program started with posix_spawn; optionally captures its
// stdout+stderr. The destructor kills (SIGKILL) and reaps a child that is still running.
#ifndef VDIBK_SHARED_BASE_CHILD_PROCESS_H_
#define VDIBK_SHARED_BASE_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk {

// How a child ended.
struct ExitInfo {
  int exit_code = -1;  // when exited normally
  int signal = 0;      // when killed by a signal
  bool ok() const { return signal == 0 && exit_code == 0; }
  std::string ToString() const;
};

// Move-only. Not thread-safe: one owner thread calls TryReap/Wait/Kill.
class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv. With capture_output, stdout and stderr go to a pipe read
  // through output_fd(); otherwise they are inherited. Errors: kConfiguration (cannot spawn).
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv, bool capture_output);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Read end of the output pipe (-1 without capture). Owned by this object.
  int output_fd() const { return out_fd_; }
  // Non-blocking: the exit info if the child has ended (it is reaped then), else nullopt.
  std::optional<ExitInfo> TryReap();
  // Blocks up to `timeout` (negative = forever) for the exit.
  std::optional<ExitInfo> Wait(std::chrono::milliseconds timeout);
  void Kill(int sig);
  bool running() const { return pid_ > 0 && !exit_; }
  const std::optional<ExitInfo>& exit_info() const { return exit_; }

 private:
  ChildProcess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  void Release();
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<ExitInfo> exit_;
};

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_CHILD_PROCESS_H_
