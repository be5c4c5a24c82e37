// Test helper: a child process started with posix_spawn (fork/exec semantics), killed on scope
// exit. Readiness is signalled by the child on a pipe (WaitForLine), never by sleeping.
#ifndef VDIBK_TESTS_HARNESS_SUBPROCESS_H_
#define VDIBK_TESTS_HARNESS_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vdibk::testing {

class Subprocess {
 public:
  // Starts argv[0] with argv; the child's stdout is a pipe readable with ReadLine/WaitForLine.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();  // SIGKILL + reap if still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Next line of the child's stdout, or nullopt on EOF / timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads lines until one starts with `prefix`; returns it (nullopt on EOF / timeout).
  std::optional<std::string> WaitForLine(const std::string& prefix,
                                         std::chrono::milliseconds timeout);
  void Kill(int sig);
  // Waits for exit; returns the wait status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool reaped_ = false;
};

// Directory of the test executables and programs (build/bin), from /proc/self/exe.
std::string BinDir();

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_HARNESS_SUBPROCESS_H_
