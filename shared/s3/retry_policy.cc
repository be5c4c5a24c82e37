// RetryPolicy: the backoff computation ("full jitter") and the real clock.
#include "shared/s3/retry_policy.h"

#include <algorithm>
#include <thread>

namespace vdibk::s3 {
namespace {

class SteadyRetryClock final : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

}  // namespace

RetryClock& RealRetryClock() {
  static SteadyRetryClock clock;
  return clock;
}

RetryPolicy::RetryPolicy(RetryOptions options, RetryClock* clock, uint64_t seed)
    : options_(options),
      clock_(clock ? clock : &RealRetryClock()),
      random_(std::make_shared<Random>()) {
  random_->engine.seed(seed);
}

std::chrono::milliseconds RetryPolicy::Jitter(std::chrono::milliseconds cap) const {
  if (cap.count() <= 0) return std::chrono::milliseconds(0);
  std::lock_guard<std::mutex> lock(random_->mu);
  std::uniform_int_distribution<int64_t> pick(0, cap.count());
  return std::chrono::milliseconds(pick(random_->engine));
}

RetryPolicy::Attempts::Attempts(const RetryPolicy* policy)
    : policy_(policy), start_(policy->clock_->Now()) {}

std::chrono::milliseconds RetryPolicy::Attempts::elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(policy_->clock_->Now() - start_);
}

bool RetryPolicy::Attempts::Backoff() {
  const RetryOptions& o = policy_->options_;
  if (o.max_attempts > 0 && attempts_ >= o.max_attempts) return false;
  const std::chrono::milliseconds left = o.budget - elapsed();
  if (left.count() <= 0) return false;
  // base * 2^(attempts-1), without overflow.
  std::chrono::milliseconds cap = o.base_delay;
  for (int i = 1; i < attempts_ && cap < o.max_delay; ++i) cap *= 2;
  cap = std::min({cap, o.max_delay, left});
  policy_->clock_->SleepFor(policy_->Jitter(cap));
  ++attempts_;
  return true;
}

}  // namespace vdibk::s3
