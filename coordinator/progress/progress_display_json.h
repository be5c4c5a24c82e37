// ProgressJsonStream: the machine-readable progress of a backup (`--progress-fd N`): one JSON
// line per period from a ProgressTracker, written to a file descriptor the parent gave us (the
// agent reads it while the job runs; the shape is agent.Progress in proto/agent.proto).
#ifndef VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_JSON_H_
#define VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_JSON_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "coordinator/progress/progress_tracker.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// The job-level state of a snapshot from its device letters: "starting" (no device writing yet),
// "writing" (any W), "finalizing" (any F, no W), "done" (all D).
const char* ProgressState(const ProgressSnapshot& s);

// One line (no newline): {"type":"progress","state":...,"seconds":...,"bytes":...,
// "bytes_per_second":...,"mb_per_second":...,"total_bytes":N (0 = unknown),"eta_seconds":x (-1 =
// unknown),"devices":[{"index":0,"bytes":...,"state":"W"},...]}. `state` overrides
// ProgressState(s) when not null.
std::string FormatProgressJson(const ProgressSnapshot& s, const char* state = nullptr);

// The value of `--progress-fd N`: a descriptor >= 3 that is open in this process. Errors: kUsage.
Result<int> ParseProgressFd(const std::string& value);

// Starts its thread on construction; `tracker` must outlive it. The fd is made non-blocking and
// is not closed: a reader that falls behind loses lines (never stalls the backup); a reader that
// went away (EPIPE) ends the stream.
class ProgressJsonStream {
 public:
  ProgressJsonStream(ProgressTracker& tracker, int fd,
                     std::chrono::milliseconds period = std::chrono::milliseconds(500));
  ~ProgressJsonStream();  // Stop()
  ProgressJsonStream(const ProgressJsonStream&) = delete;
  ProgressJsonStream& operator=(const ProgressJsonStream&) = delete;

  // Ends the thread and writes a last line with state "ended". Idempotent.
  void Stop();

 private:
  void Loop();
  bool WriteLine(const std::string& line);  // false once the reader is gone

  ProgressTracker& tracker_;
  const int fd_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool broken_ = false;  // EPIPE seen (loop thread, then Stop after the join)
  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PROGRESS_PROGRESS_DISPLAY_JSON_H_
