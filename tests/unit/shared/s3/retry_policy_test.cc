// RetryPolicy on a fake clock: full-jitter waits within the doubling cap, the max_delay cap, the
// budget (elapsed attempt time counts; the last wait is cut to what is left), max_attempts.
#include "shared/s3/retry_policy.h"

#include <gtest/gtest.h>

#include "tests/unit/shared/s3/fake_http_transport.h"

namespace vdibk::s3 {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, WaitsGrowWithinTheDoublingCap) {
  FakeRetryClock clock;
  RetryPolicy policy({.budget = milliseconds(1'000'000),
                      .base_delay = milliseconds(100),
                      .max_delay = milliseconds(1600)},
                     &clock, 42);
  RetryPolicy::Attempts a = policy.Begin();
  EXPECT_EQ(a.count(), 1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.Backoff());
  EXPECT_EQ(a.count(), 11);
  ASSERT_EQ(clock.sleeps.size(), 10u);
  const int64_t caps[] = {100, 200, 400, 800, 1600, 1600, 1600, 1600, 1600, 1600};
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_GE(clock.sleeps[i].count(), 0) << i;
    EXPECT_LE(clock.sleeps[i].count(), caps[i]) << i;
  }
}

TEST(RetryPolicyTest, JitterSpreadsTheWaits) {
  FakeRetryClock clock;
  RetryPolicy policy({.budget = milliseconds(10'000'000),
                      .base_delay = milliseconds(1000),
                      .max_delay = milliseconds(1000)},
                     &clock, 7);
  RetryPolicy::Attempts a = policy.Begin();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(a.Backoff());
  int64_t low = 1000, high = 0;
  for (milliseconds s : clock.sleeps) {
    low = std::min<int64_t>(low, s.count());
    high = std::max<int64_t>(high, s.count());
  }
  EXPECT_LT(low, 100);   // full jitter: down to ~0 ...
  EXPECT_GT(high, 900);  // ... and up to the cap
}

TEST(RetryPolicyTest, SameSeedSameWaits) {
  FakeRetryClock c1, c2;
  RetryPolicy p1({}, &c1, 5), p2({}, &c2, 5);
  RetryPolicy::Attempts a1 = p1.Begin(), a2 = p2.Begin();
  for (int i = 0; i < 5; ++i) {
    a1.Backoff();
    a2.Backoff();
  }
  EXPECT_EQ(c1.sleeps, c2.sleeps);
}

TEST(RetryPolicyTest, BudgetEndsTheRetries) {
  FakeRetryClock clock;
  RetryPolicy policy({.budget = milliseconds(2000),
                      .base_delay = milliseconds(400),
                      .max_delay = milliseconds(400)},
                     &clock, 1);
  RetryPolicy::Attempts a = policy.Begin();
  clock.Advance(milliseconds(1900));  // the first attempt took 1.9 s
  ASSERT_TRUE(a.Backoff());
  EXPECT_LE(clock.sleeps.back().count(), 100);  // cut to what is left
  clock.Advance(milliseconds(100));
  EXPECT_FALSE(a.Backoff());  // nothing left: no wait, no attempt
  EXPECT_EQ(clock.sleeps.size(), 1u);
  EXPECT_EQ(a.count(), 2);
  EXPECT_GE(a.elapsed(), milliseconds(2000));
}

TEST(RetryPolicyTest, DefaultBudgetIsTwoMinutes) {
  EXPECT_EQ(RetryOptions{}.budget, std::chrono::minutes(2));
  FakeRetryClock clock;
  RetryPolicy policy({}, &clock, 3);
  RetryPolicy::Attempts a = policy.Begin();
  int retries = 0;
  while (a.Backoff()) {
    clock.Advance(milliseconds(50));  // each attempt takes a little time
    ++retries;
  }
  EXPECT_GT(retries, 5);
  EXPECT_GE(a.elapsed(), std::chrono::minutes(2));
  EXPECT_LT(a.elapsed(), std::chrono::minutes(2) + milliseconds(100));
}

TEST(RetryPolicyTest, MaxAttempts) {
  FakeRetryClock clock;
  RetryPolicy policy({.max_attempts = 3}, &clock, 3);
  RetryPolicy::Attempts a = policy.Begin();
  EXPECT_TRUE(a.Backoff());
  EXPECT_TRUE(a.Backoff());
  EXPECT_FALSE(a.Backoff());
  EXPECT_EQ(a.count(), 3);
}

}  // namespace
}  // namespace vdibk::s3
