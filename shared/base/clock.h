// Clock: the time seam (liveness, heartbeats, progress rates, timeouts). SteadyClock in
// production, FakeClock in tests so expiry is tested without sleeping.
#ifndef VDIBK_SHARED_BASE_CLOCK_H_
#define VDIBK_SHARED_BASE_CLOCK_H_

#include <atomic>
#include <chrono>

namespace vdibk {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;
  virtual ~Clock() = default;
  // Monotonic; thread-safe.
  virtual time_point Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
  static const SteadyClock& Instance() {
    static const SteadyClock clock;
    return clock;
  }
};

// Starts at an arbitrary fixed point; moves only when Advance() is called. Thread-safe.
class FakeClock final : public Clock {
 public:
  time_point Now() const override { return time_point(duration(now_.load())); }
  void Advance(duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<duration::rep> now_{duration(std::chrono::hours(1)).count()};
};

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_CLOCK_H_
