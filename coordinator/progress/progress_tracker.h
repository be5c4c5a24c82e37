// ProgressTracker: the live state of a backup for the progress display: raw bytes per device,
// per-device state letters, the recent transfer rate and the ETA from the expected total size.
#ifndef VDIBK_COORDINATOR_PROGRESS_PROGRESS_TRACKER_H_
#define VDIBK_COORDINATOR_PROGRESS_PROGRESS_TRACKER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/transport/clock.h"

namespace vdibk::coordinator {

// One letter per device in the display.
enum class DeviceState : char {
  kWaiting = '.',     // not open yet
  kOpen = 'o',        // open, no data yet
  kWriting = 'W',     // data flowing
  kFinalizing = 'F',  // Complete sent, stripe being finalized
  kDone = 'D',        // stripe finalized
};

struct ProgressSnapshot {
  uint64_t bytes = 0;                  // raw bytes done, all devices
  std::vector<uint64_t> device_bytes;  // by device index
  std::string states;                  // one DeviceState letter per device
  double seconds = 0;                  // since the tracker started
  double bytes_per_second = 0;         // over the recent window; 0 until measurable
  std::optional<uint64_t> total;       // expected raw bytes (the database size), if known
  std::optional<double> eta_seconds;   // (total - bytes) / rate, when both are known
};

// Thread-safe: devices report from their threads, the display samples from its own.
class ProgressTracker {
 public:
  // `clock` must outlive the tracker; the rate is measured over the last `window`.
  ProgressTracker(const transport::Clock& clock, uint32_t devices,
                  std::chrono::milliseconds window = std::chrono::milliseconds(5000));

  // The expected total (database size in bytes); 0 = unknown (no ETA).
  void SetTotal(uint64_t bytes);
  // Out-of-range devices are ignored.
  void AddBytes(uint32_t device, uint64_t bytes);
  void SetState(uint32_t device, DeviceState state);

  // Records a rate sample now and returns the current picture.
  ProgressSnapshot Sample();

 private:
  const transport::Clock& clock_;
  const std::chrono::milliseconds window_;
  const transport::Clock::time_point start_;
  std::mutex mu_;
  std::vector<uint64_t> bytes_;
  std::string states_;
  uint64_t total_ = 0;
  std::deque<std::pair<transport::Clock::time_point, uint64_t>> samples_;  // (time, total bytes)
};

// "  812.4 MB / 1073.7 MB  76%  405.2 MB/s  [WWDo]  ETA 0:01" (no total: no percent, no ETA).
std::string FormatProgressLine(const ProgressSnapshot& s);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PROGRESS_PROGRESS_TRACKER_H_
