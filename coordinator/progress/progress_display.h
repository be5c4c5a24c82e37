// ProgressDisplay: the live single-line progress of a backup on a terminal (stderr), redrawn
// about 4 times a second from a ProgressTracker and kept below the log lines (log::StatusLine).
#ifndef VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_H_
#define VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "coordinator/progress/progress_tracker.h"

namespace vdibk::coordinator {

// Starts its thread on construction. `tracker` must outlive it. Thread-safe Stop().
class ProgressDisplay {
 public:
  explicit ProgressDisplay(ProgressTracker& tracker,
                           std::chrono::milliseconds period = std::chrono::milliseconds(250));
  ~ProgressDisplay();  // Stop()
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // Ends the refresh and clears the line. Idempotent; returns once nothing more is drawn.
  void Stop();

  // True when stderr is a terminal (where a progress line makes sense).
  static bool StderrIsTerminal();

 private:
  void Loop();

  ProgressTracker& tracker_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_H_
