// Liveness bookkeeping: per-peer expiry times, heartbeat due times, reconnect back-off.
#include "shared/transport/liveness.h"

#include <algorithm>

namespace vdibk::transport {

void LivenessTracker::Touch(const std::string& peer) {
  expiry_[peer] = clock_.Now() + config_.expiry();
}

bool LivenessTracker::Forget(const std::string& peer) { return expiry_.erase(peer) != 0; }

bool LivenessTracker::IsAlive(const std::string& peer) const {
  auto it = expiry_.find(peer);
  return it != expiry_.end() && clock_.Now() < it->second;
}

std::vector<std::string> LivenessTracker::Expired() const {
  std::vector<std::string> out;
  const auto now = clock_.Now();
  for (const auto& [peer, at] : expiry_) {
    if (now >= at) out.push_back(peer);
  }
  return out;
}

std::optional<Clock::time_point> LivenessTracker::NextExpiry() const {
  std::optional<Clock::time_point> next;
  for (const auto& [peer, at] : expiry_) {
    if (!next || at < *next) next = at;
  }
  return next;
}

std::chrono::milliseconds HeartbeatSchedule::TimeUntilDue() const {
  auto left = last_sent_ + interval_ - clock_.Now();
  if (left <= Clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

std::chrono::milliseconds Backoff::Next() {
  auto current = next_;
  next_ = std::min(next_ * 2, max_);
  return current;
}

}  // namespace vdibk::transport
