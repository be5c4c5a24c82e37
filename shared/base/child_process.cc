// ChildProcess: posix_spawn, reaping and kill.
#include "shared/base/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace vdibk {
namespace {

ExitInfo FromWaitStatus(int status) {
  ExitInfo e;
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

}  // namespace

std::string ExitInfo::ToString() const {
  if (signal != 0)
    return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) +
           ")";
  return "exit code " + std::to_string(exit_code);
}

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv,
                                         bool capture_output) {
  if (argv.empty()) return Status::Failed("empty argv");
  int pipe_fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (capture_output) {
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
      posix_spawn_file_actions_destroy(&actions);
      return Status::FromErrno(ErrorCode::kConfiguration, "pipe", errno);
    }
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  }
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // The child starts with default signal dispositions and an empty mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (capture_output) close(pipe_fds[1]);
  if (rc != 0) {
    if (capture_output) close(pipe_fds[0]);
    return Status::FromErrno(ErrorCode::kConfiguration, "cannot start " + argv[0], rc);
  }
  return ChildProcess(pid, capture_output ? pipe_fds[0] : -1);
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_), out_fd_(o.out_fd_), exit_(o.exit_) {
  o.pid_ = -1;
  o.out_fd_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    Release();
    pid_ = o.pid_;
    out_fd_ = o.out_fd_;
    exit_ = o.exit_;
    o.pid_ = -1;
    o.out_fd_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { Release(); }

void ChildProcess::Release() {
  if (running()) {
    kill(pid_, SIGKILL);
    (void)Wait(std::chrono::milliseconds(-1));
  }
  if (out_fd_ >= 0) close(out_fd_);
  out_fd_ = -1;
  pid_ = -1;
}

std::optional<ExitInfo> ChildProcess::TryReap() {
  if (exit_ || pid_ <= 0) return exit_;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) exit_ = FromWaitStatus(status);
  return exit_;
}

std::optional<ExitInfo> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_ || pid_ <= 0) return exit_;
  if (timeout.count() < 0) {
    int status = 0;
    pid_t r;
    do {
      r = waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) exit_ = FromWaitStatus(status);
    return exit_;
  }
  // Bounded wait: poll the exit with a short back-off (no pidfd dependency).
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto step = std::chrono::milliseconds(1);
  while (!TryReap()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds(20));
  }
  return exit_;
}

void ChildProcess::Kill(int sig) {
  if (running()) kill(pid_, sig);
}

}  // namespace vdibk
