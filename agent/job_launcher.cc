// The real JobLauncher: posix_spawn with an output pipe (fds 1, 2) and a progress pipe (fd 3),
// a reader thread per job that drains both, and waitpid reaping.
#include "agent/job_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include "proto/agent.pb.h"

extern char** environ;

namespace vdibk::coordinator {
namespace {

constexpr size_t kMaxProgressLine = 64 * 1024;
// A job's output is kept for its tail and its final JSON summary line only: past kMaxOutput the
// oldest bytes go (from a line start), so a chatty job cannot grow the long-running agent.
constexpr size_t kMaxOutput = 1u << 20;

class RealJobProcess final : public JobProcess {
 public:
  RealJobProcess(pid_t pid, int out_fd, int progress_fd) : pid_(pid) {
    reader_ = std::thread([this, out_fd, progress_fd] { ReadLoop(out_fd, progress_fd); });
  }
  ~RealJobProcess() override {
    if (!exit_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (reader_.joinable()) reader_.join();
  }

  std::optional<ExitInfo> Poll() override {
    if (!exit_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
      ExitInfo e;
      if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
      exit_ = e;
    }
    if (reader_.joinable()) reader_.join();  // the writers are gone: EOF on both pipes follows
    return exit_;
  }
  std::string Output() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return output_;
  }
  std::optional<JobProgress> Progress() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return progress_;
  }
  void Terminate() override {
    if (!exit_) ::kill(pid_, SIGTERM);
  }
  void Kill() override {
    if (!exit_) ::kill(pid_, SIGKILL);
  }

 private:
  // Until both pipes are at EOF: output is appended, progress is split into lines.
  void ReadLoop(int out_fd, int progress_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {progress_fd, POLLIN, 0}};
    std::string partial;
    char buf[4096];
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          continue;
        }
        if (i == 0) {
          std::lock_guard<std::mutex> lock(mu_);
          output_.append(buf, static_cast<size_t>(n));
          if (output_.size() > 2 * kMaxOutput) {
            size_t cut = output_.size() - kMaxOutput;
            const size_t nl = output_.find('\n', cut);
            if (nl != std::string::npos) cut = nl + 1;
            output_.erase(0, cut);
          }
        } else {
          partial.append(buf, static_cast<size_t>(n));
          TakeProgressLines(partial);
        }
      }
    }
    for (const pollfd& p : fds) {
      if (p.fd >= 0) ::close(p.fd);
    }
  }
  void TakeProgressLines(std::string& partial) {
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::optional<JobProgress> p = ParseProgressLine(partial.substr(0, nl));
      partial.erase(0, nl + 1);
      if (!p) continue;
      std::lock_guard<std::mutex> lock(mu_);
      progress_ = std::move(p);
    }
    if (partial.size() > kMaxProgressLine) partial.clear();  // not ours: no newline in sight
  }

  const pid_t pid_;
  std::optional<ExitInfo> exit_;  // main loop only
  std::thread reader_;
  mutable std::mutex mu_;
  std::string output_;
  std::optional<JobProgress> progress_;
};

// Closes both ends of a pipe on scope exit unless released.
struct PipePair {
  int fds[2] = {-1, -1};
  ~PipePair() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
};

}  // namespace

std::optional<JobProgress> ParseProgressLine(const std::string& line) {
  agent::Progress m;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(line, &m, opts).ok()) return std::nullopt;
  if (m.type() != "progress") return std::nullopt;
  JobProgress p;
  p.state = m.state();
  p.seconds = m.seconds();
  p.bytes = m.bytes();
  p.bytes_per_second = m.bytes_per_second();
  p.total_bytes = m.total_bytes();
  p.eta_seconds = m.eta_seconds();
  for (const agent::DeviceProgress& d : m.devices()) {
    p.devices.push_back({d.index(), d.bytes(), d.state()});
  }
  return p;
}

Result<std::unique_ptr<JobProcess>> ProcessJobLauncher::Launch(
    const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::Failed("empty argv");
  PipePair out, progress;
  if (::pipe2(out.fds, O_CLOEXEC) != 0 || ::pipe2(progress.fds, O_CLOEXEC) != 0) {
    return Status::FromErrno(ErrorCode::kConfiguration, "pipe", errno);
  }
  // dup2(fd, fd) would keep close-on-exec: keep the progress writer off kJobProgressFd.
  if (progress.fds[1] == kJobProgressFd) {
    const int moved = ::fcntl(progress.fds[1], F_DUPFD_CLOEXEC, kJobProgressFd + 1);
    if (moved < 0) return Status::FromErrno(ErrorCode::kConfiguration, "fcntl", errno);
    ::close(progress.fds[1]);
    progress.fds[1] = moved;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 2);
  posix_spawn_file_actions_adddup2(&actions, progress.fds[1], kJobProgressFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::FromErrno(ErrorCode::kConfiguration, "cannot start " + argv[0], rc);
  ::close(out.fds[1]);
  ::close(progress.fds[1]);
  out.fds[1] = progress.fds[1] = -1;
  auto job = std::make_unique<RealJobProcess>(pid, out.fds[0], progress.fds[0]);
  out.fds[0] = progress.fds[0] = -1;  // owned by the job's reader now
  return std::unique_ptr<JobProcess>(std::move(job));
}

}  // namespace vdibk::coordinator
