// ProgressDisplay: a refresh thread drawing FormatProgressLine through the log's status line.
#include "coordinator/progress/progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "shared/base/log.h"

namespace vdibk::coordinator {

ProgressDisplay::ProgressDisplay(ProgressTracker& tracker, std::chrono::milliseconds period)
    : tracker_(tracker), period_(period) {
  thread_ = std::thread([this] { Loop(); });
}

ProgressDisplay::~ProgressDisplay() { Stop(); }

bool ProgressDisplay::StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

namespace {

// A line longer than the terminal would wrap, and "\r" could not redraw it in place.
std::string FitTerminal(std::string line) {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && line.size() >= ws.ws_col) {
    line.resize(ws.ws_col - 1u);
  }
  return line;
}

}  // namespace

void ProgressDisplay::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    log::ShowStatusLine(FitTerminal(FormatProgressLine(tracker_.Sample())));
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stop_; });
  }
}

void ProgressDisplay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }
  log::ClearStatusLine();
}

}  // namespace vdibk::coordinator
