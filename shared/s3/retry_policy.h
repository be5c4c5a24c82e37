// RetryPolicy: exponential backoff with full jitter within a time budget per request, over a
// RetryClock seam (the real steady clock and sleep, or a fake one so tests run instantly).
#ifndef VDIBK_SHARED_S3_RETRY_POLICY_H_
#define VDIBK_SHARED_S3_RETRY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

namespace vdibk::s3 {

// Time for retries. Thread-safe implementations only (a policy may be shared by clients).
class RetryClock {
 public:
  virtual ~RetryClock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
};

// The steady clock and std::this_thread::sleep_for. A process-wide instance.
RetryClock& RealRetryClock();

struct RetryOptions {
  // Total time one request may take, its retries and waits included: no retry starts after it.
  std::chrono::milliseconds budget{120'000};
  std::chrono::milliseconds base_delay{100};    // the first retry waits up to this
  std::chrono::milliseconds max_delay{20'000};  // no single wait is longer
  int max_attempts = 0;                         // 0: as many as the budget allows
};

// Decides and waits between attempts. Copyable; thread-safe (the jitter source is locked).
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options = {}, RetryClock* clock = nullptr,
                       uint64_t seed = std::random_device{}());

  // The attempts of one request: construct before the first, call Backoff() after each transient
  // failure. Not thread-safe; one per request.
  class Attempts {
   public:
    // Waits before the next attempt and returns true, or returns false at once when the budget
    // (or max_attempts) does not allow another. The wait is uniform in [0, min(max_delay,
    // base_delay * 2^(attempt-1))], cut to what is left of the budget.
    bool Backoff();
    int count() const { return attempts_; }  // attempts made so far (1 after the first)
    std::chrono::milliseconds elapsed() const;

   private:
    friend class RetryPolicy;
    explicit Attempts(const RetryPolicy* policy);
    const RetryPolicy* policy_;
    std::chrono::steady_clock::time_point start_;
    int attempts_ = 1;
  };

  Attempts Begin() const { return Attempts(this); }
  const RetryOptions& options() const { return options_; }

 private:
  std::chrono::milliseconds Jitter(std::chrono::milliseconds cap) const;
  RetryOptions options_;
  RetryClock* clock_;
  struct Random {
    std::mutex mu;
    std::mt19937_64 engine;
  };
  std::shared_ptr<Random> random_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_RETRY_POLICY_H_
