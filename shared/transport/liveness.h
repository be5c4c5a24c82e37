// Liveness rules of the pipeline (Paranoid Pirate, proto/README.md §6): the constants, per-peer
// expiry tracking for the receiving side and a heartbeat schedule for the sending side.
#ifndef VDIBK_SHARED_TRANSPORT_LIVENESS_H_
#define VDIBK_SHARED_TRANSPORT_LIVENESS_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/clock.h"

namespace vdibk::transport {

// Send a heartbeat when nothing else was sent for this long.
inline constexpr std::chrono::milliseconds kHeartbeatInterval{1000};
// A peer is dead after this many intervals without any message from it.
inline constexpr int kHeartbeatLiveness = 3;
// Worker reconnect back-off: doubles from init up to max.
inline constexpr std::chrono::milliseconds kReconnectIntervalInit{1000};
inline constexpr std::chrono::milliseconds kReconnectIntervalMax{32000};

struct LivenessConfig {
  std::chrono::milliseconds interval = kHeartbeatInterval;  // Default: 1 s
  int liveness = kHeartbeatLiveness;                        // Default: 3
  Clock::duration expiry() const { return interval * liveness; }
};

// Receiving side: when did each peer last show a sign of life? Any message counts.
// Not thread-safe (owned by one event loop). The clock must outlive the tracker.
class LivenessTracker {
 public:
  explicit LivenessTracker(const Clock& clock, LivenessConfig config = {})
      : clock_(clock), config_(config) {}

  // Records a message from `peer` (adds it if new) and pushes its expiry out.
  void Touch(const std::string& peer);
  // Stops tracking `peer` (it said goodbye or was removed). Returns whether it was known.
  bool Forget(const std::string& peer);
  bool Knows(const std::string& peer) const { return expiry_.count(peer) != 0; }
  // Known and not expired.
  bool IsAlive(const std::string& peer) const;
  // Known peers whose expiry has passed, sorted by name. They stay tracked until Forget().
  std::vector<std::string> Expired() const;
  // Earliest expiry among tracked peers (to bound a poll timeout); nullopt if none.
  std::optional<Clock::time_point> NextExpiry() const;
  size_t size() const { return expiry_.size(); }
  const LivenessConfig& config() const { return config_; }

 private:
  const Clock& clock_;
  LivenessConfig config_;
  std::map<std::string, Clock::time_point> expiry_;
};

// Sending side: is a heartbeat due? Any message sent resets the schedule. Not thread-safe.
class HeartbeatSchedule {
 public:
  explicit HeartbeatSchedule(const Clock& clock,
                             std::chrono::milliseconds interval = kHeartbeatInterval)
      : clock_(clock), interval_(interval), last_sent_(clock.Now()) {}
  void Sent() { last_sent_ = clock_.Now(); }
  bool Due() const { return clock_.Now() - last_sent_ >= interval_; }
  // Zero when due; use it as the poll timeout of the event loop.
  std::chrono::milliseconds TimeUntilDue() const;

 private:
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  Clock::time_point last_sent_;
};

// Reconnect back-off: Next() returns init, 2*init, ... capped at max; Reset() after success.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds init = kReconnectIntervalInit,
          std::chrono::milliseconds max = kReconnectIntervalMax)
      : init_(init), max_(max), next_(init) {}
  std::chrono::milliseconds Next();
  void Reset() { next_ = init_; }

 private:
  std::chrono::milliseconds init_, max_, next_;
};

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_LIVENESS_H_
