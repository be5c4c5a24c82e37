// ProgressJsonStream: JSON lines of ProgressTracker snapshots to a non-blocking descriptor.
#include "coordinator/progress/progress_display_json.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "shared/base/json_text.h"

namespace vdibk::coordinator {
const char* ProgressState(const ProgressSnapshot& s) {
  bool any_final = false, all_done = !s.states.empty();
  for (char c : s.states) {
    if (c == static_cast<char>(DeviceState::kWriting)) return "writing";
    any_final = any_final || c == static_cast<char>(DeviceState::kFinalizing);
    all_done = all_done && c == static_cast<char>(DeviceState::kDone);
  }
  if (all_done) return "done";
  return any_final ? "finalizing" : "starting";
}

std::string FormatProgressJson(const ProgressSnapshot& s, const char* state) {
  std::string out =
      std::string("{\"type\":\"progress\",\"state\":\"") + (state ? state : ProgressState(s)) +
      "\",\"seconds\":" + JsonNumber(s.seconds) + ",\"bytes\":" + std::to_string(s.bytes) +
      ",\"bytes_per_second\":" + JsonNumber(s.bytes_per_second) +
      ",\"mb_per_second\":" + JsonNumber(s.bytes_per_second / 1e6) +
      ",\"total_bytes\":" + std::to_string(s.total.value_or(0)) +
      ",\"eta_seconds\":" + (s.eta_seconds ? JsonNumber(*s.eta_seconds) : "-1") + ",\"devices\":[";
  for (size_t i = 0; i < s.device_bytes.size(); ++i) {
    const char letter = i < s.states.size() ? s.states[i] : '.';
    out += std::string(i ? "," : "") + "{\"index\":" + std::to_string(i) +
           ",\"bytes\":" + std::to_string(s.device_bytes[i]) + ",\"state\":\"" + letter + "\"}";
  }
  return out + "]}";
}

Result<int> ParseProgressFd(const std::string& value) {
  const bool digits = !value.empty() && value.size() <= 4 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
  const int fd = digits ? std::stoi(value) : -1;
  if (fd < 3 || ::fcntl(fd, F_GETFD) < 0) {
    return Status::Usage("--progress-fd " + value + ": not an open file descriptor >= 3");
  }
  return fd;
}

ProgressJsonStream::ProgressJsonStream(ProgressTracker& tracker, int fd,
                                       std::chrono::milliseconds period)
    : tracker_(tracker), fd_(fd), period_(period) {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  // Workers and sqlcmd must not hold the parent's pipe open after this process ends.
  const int fd_flags = ::fcntl(fd_, F_GETFD);
  if (fd_flags >= 0) (void)::fcntl(fd_, F_SETFD, fd_flags | FD_CLOEXEC);
  thread_ = std::thread([this] { Loop(); });
}

ProgressJsonStream::~ProgressJsonStream() { Stop(); }

bool ProgressJsonStream::WriteLine(const std::string& line) {
  const std::string text = line + "\n";
  // A pipe write of at most PIPE_BUF bytes is atomic: all of it or EAGAIN (the line is dropped).
  ssize_t n;
  do {
    n = ::write(fd_, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  return !(n < 0 && (errno == EPIPE || errno == EBADF));
}

void ProgressJsonStream::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_ && !broken_) {
    lock.unlock();
    const bool ok = WriteLine(FormatProgressJson(tracker_.Sample()));
    lock.lock();
    broken_ = !ok;
    cv_.wait_for(lock, period_, [this] { return stop_; });
  }
}

void ProgressJsonStream::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!broken_) (void)WriteLine(FormatProgressJson(tracker_.Sample(), "ended"));
}

}  // namespace vdibk::coordinator
