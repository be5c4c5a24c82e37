// ProgressTracker: byte counters, sliding-window rate, ETA and the one-line rendering.
#include "coordinator/progress/progress_tracker.h"

#include <cstdio>

namespace vdibk::coordinator {
namespace {

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string Clock(double seconds) {
  const uint64_t s = static_cast<uint64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

}  // namespace

ProgressTracker::ProgressTracker(const transport::Clock& clock, uint32_t devices,
                                 std::chrono::milliseconds window)
    : clock_(clock),
      window_(window),
      start_(clock.Now()),
      bytes_(devices, 0),
      states_(devices, static_cast<char>(DeviceState::kWaiting)) {
  samples_.emplace_back(start_, 0);
}

void ProgressTracker::SetTotal(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  total_ = bytes;
}

void ProgressTracker::AddBytes(uint32_t device, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (device < bytes_.size()) bytes_[device] += bytes;
}

void ProgressTracker::SetState(uint32_t device, DeviceState state) {
  std::lock_guard<std::mutex> lock(mu_);
  if (device < states_.size()) states_[device] = static_cast<char>(state);
}

ProgressSnapshot ProgressTracker::Sample() {
  std::lock_guard<std::mutex> lock(mu_);
  const transport::Clock::time_point now = clock_.Now();
  ProgressSnapshot s;
  s.device_bytes = bytes_;
  for (uint64_t b : bytes_) s.bytes += b;
  s.states = states_;
  s.seconds = std::chrono::duration<double>(now - start_).count();
  // Keep the newest sample at least `window` old as the base of the rate.
  samples_.emplace_back(now, s.bytes);
  while (samples_.size() > 2 && now - samples_[1].first >= window_) samples_.pop_front();
  const auto& [t0, b0] = samples_.front();
  const double span = std::chrono::duration<double>(now - t0).count();
  if (span > 0 && s.bytes >= b0) s.bytes_per_second = static_cast<double>(s.bytes - b0) / span;
  if (total_ > 0) {
    s.total = total_;
    if (s.bytes >= total_) {
      s.eta_seconds = 0;
    } else if (s.bytes_per_second > 0) {
      s.eta_seconds = static_cast<double>(total_ - s.bytes) / s.bytes_per_second;
    }
  }
  return s;
}

std::string FormatProgressLine(const ProgressSnapshot& s) {
  std::string line = Megabytes(s.bytes);
  char buf[64];
  if (s.total) {
    line += " / " + Megabytes(*s.total);
    const double pct = *s.total == 0 ? 0.0 : 100.0 * static_cast<double>(s.bytes) / *s.total;
    std::snprintf(buf, sizeof(buf), "  %3.0f%%", pct > 100.0 ? 100.0 : pct);
    line += buf;
  }
  std::snprintf(buf, sizeof(buf), "  %.1f MB/s", s.bytes_per_second / 1e6);
  line += buf;
  line += "  [" + s.states + "]";
  line += "  " + Clock(s.seconds);
  if (s.eta_seconds) line += "  ETA " + Clock(*s.eta_seconds);
  return line;
}

}  // namespace vdibk::coordinator
