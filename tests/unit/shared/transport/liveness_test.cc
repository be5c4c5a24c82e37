// Liveness with a fake clock: expiry after interval x liveness, any message resets, schedules.
#include "shared/transport/liveness.h"

#include <gtest/gtest.h>

namespace vdibk::transport {
namespace {

using namespace std::chrono_literals;

TEST(LivenessTest, DefaultsAreTheProtocolConstants) {
  LivenessConfig c;
  EXPECT_EQ(c.interval, 1000ms);
  EXPECT_EQ(c.liveness, 3);
  EXPECT_EQ(c.expiry(), 3000ms);
}

TEST(LivenessTest, PeerExpiresAfterThreeSilentIntervals) {
  FakeClock clock;
  LivenessTracker t(clock);
  t.Touch("w0");
  t.Touch("w1");
  clock.Advance(2999ms);
  EXPECT_TRUE(t.IsAlive("w0"));
  EXPECT_TRUE(t.Expired().empty());
  t.Touch("w1");  // any message counts
  clock.Advance(1ms);
  EXPECT_FALSE(t.IsAlive("w0"));
  EXPECT_EQ(t.Expired(), std::vector<std::string>{"w0"});
  EXPECT_TRUE(t.IsAlive("w1"));
  // w0 (expired exactly now) is still tracked, so its expiry is the earliest.
  EXPECT_EQ(t.NextExpiry(), std::optional(clock.Now()));
  EXPECT_TRUE(t.Forget("w0"));
  EXPECT_FALSE(t.Forget("w0"));
  EXPECT_FALSE(t.IsAlive("unknown"));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.NextExpiry(), std::optional(clock.Now() + 2999ms));
}

TEST(LivenessTest, ConfigurableLiveness) {
  FakeClock clock;
  LivenessTracker t(clock, LivenessConfig{100ms, 5});
  t.Touch("w");
  clock.Advance(499ms);
  EXPECT_TRUE(t.IsAlive("w"));
  clock.Advance(1ms);
  EXPECT_FALSE(t.IsAlive("w"));
}

TEST(LivenessTest, HeartbeatScheduleAndBackoff) {
  FakeClock clock;
  HeartbeatSchedule hb(clock);
  EXPECT_FALSE(hb.Due());
  EXPECT_EQ(hb.TimeUntilDue(), 1000ms);
  clock.Advance(600ms);
  EXPECT_EQ(hb.TimeUntilDue(), 400ms);
  hb.Sent();
  clock.Advance(999ms);
  EXPECT_FALSE(hb.Due());
  clock.Advance(1ms);
  EXPECT_TRUE(hb.Due());
  EXPECT_EQ(hb.TimeUntilDue(), 0ms);

  Backoff b;
  std::vector<long> seen;
  for (int i = 0; i < 8; ++i) seen.push_back(static_cast<long>(b.Next().count()));
  EXPECT_EQ(seen, (std::vector<long>{1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000}));
  b.Reset();
  EXPECT_EQ(b.Next(), 1000ms);
}

}  // namespace
}  // namespace vdibk::transport
