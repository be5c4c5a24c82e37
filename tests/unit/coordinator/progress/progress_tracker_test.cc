// ProgressTracker on a FakeClock: byte counters, per-device letters, the windowed rate, ETA from
// the database size; the rendered line; parsing the size query's sqlcmd output.
#include "coordinator/progress/progress_tracker.h"

#include <gtest/gtest.h>

#include "coordinator/sql/database_size.h"
#include "shared/transport/clock.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;

TEST(ProgressTrackerTest, CountsBytesPerDeviceAndStates) {
  transport::FakeClock clock;
  ProgressTracker p(clock, 3);
  ProgressSnapshot s = p.Sample();
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.states, "...");
  EXPECT_EQ(s.bytes_per_second, 0.0);
  EXPECT_FALSE(s.total);
  EXPECT_FALSE(s.eta_seconds);
  p.SetState(0, DeviceState::kOpen);
  p.SetState(1, DeviceState::kWriting);
  p.SetState(2, DeviceState::kDone);
  p.SetState(7, DeviceState::kDone);  // out of range: ignored
  p.AddBytes(1, 100);
  p.AddBytes(1, 50);
  p.AddBytes(2, 7);
  p.AddBytes(9, 1000);  // ignored
  s = p.Sample();
  EXPECT_EQ(s.states, "oWD");
  EXPECT_EQ(s.bytes, 157u);
  EXPECT_EQ(s.device_bytes, (std::vector<uint64_t>{0, 150, 7}));
}

TEST(ProgressTrackerTest, RateAndEtaFromTheDatabaseSize) {
  transport::FakeClock clock;
  ProgressTracker p(clock, 2, 4000ms);
  p.SetTotal(1000'000'000);
  // 100 MB/s for 2 s.
  for (int i = 0; i < 8; ++i) {
    clock.Advance(250ms);
    p.AddBytes(i % 2, 25'000'000);
    p.Sample();
  }
  ProgressSnapshot s = p.Sample();
  EXPECT_EQ(s.bytes, 200'000'000u);
  EXPECT_DOUBLE_EQ(s.seconds, 2.0);
  EXPECT_NEAR(s.bytes_per_second, 100e6, 1);
  ASSERT_TRUE(s.total);
  EXPECT_EQ(*s.total, 1000'000'000u);
  ASSERT_TRUE(s.eta_seconds);
  EXPECT_NEAR(*s.eta_seconds, 8.0, 1e-6);  // 800 MB left at 100 MB/s
}

TEST(ProgressTrackerTest, RateFollowsTheRecentWindowOnly) {
  transport::FakeClock clock;
  ProgressTracker p(clock, 1, 2000ms);
  p.SetTotal(10'000'000'000);
  // 10 s at 200 MB/s, then 10 s at 50 MB/s, sampled 4 times a second.
  for (int i = 0; i < 40; ++i) {
    clock.Advance(250ms);
    p.AddBytes(0, 50'000'000);
    p.Sample();
  }
  EXPECT_NEAR(p.Sample().bytes_per_second, 200e6, 1);
  for (int i = 0; i < 40; ++i) {
    clock.Advance(250ms);
    p.AddBytes(0, 12'500'000);
    p.Sample();
  }
  ProgressSnapshot s = p.Sample();
  EXPECT_NEAR(s.bytes_per_second, 50e6, 1);  // not the 125 MB/s overall average
  ASSERT_TRUE(s.eta_seconds);
  EXPECT_NEAR(*s.eta_seconds, (10e9 - 2.5e9) / 50e6, 1e-6);
}

TEST(ProgressTrackerTest, StalledTransferHasNoEtaAndPastTheTotalIsZero) {
  transport::FakeClock clock;
  ProgressTracker p(clock, 1, 1000ms);
  p.SetTotal(100);
  clock.Advance(5s);
  ProgressSnapshot s = p.Sample();
  EXPECT_EQ(s.bytes_per_second, 0.0);
  EXPECT_FALSE(s.eta_seconds);  // no rate: no guess
  p.AddBytes(0, 150);           // the stream can exceed the file sizes
  clock.Advance(1s);
  s = p.Sample();
  ASSERT_TRUE(s.eta_seconds);
  EXPECT_EQ(*s.eta_seconds, 0.0);
}

TEST(ProgressTrackerTest, UnknownSizeMeansNoEta) {
  transport::FakeClock clock;
  ProgressTracker p(clock, 1);
  clock.Advance(1s);
  p.AddBytes(0, 1'000'000);
  ProgressSnapshot s = p.Sample();
  EXPECT_GT(s.bytes_per_second, 0.0);
  EXPECT_FALSE(s.total);
  EXPECT_FALSE(s.eta_seconds);
  EXPECT_EQ(FormatProgressLine(s).find("ETA"), std::string::npos);
}

TEST(ProgressTrackerTest, FormatsTheLine) {
  ProgressSnapshot s;
  s.bytes = 812'400'000;
  s.total = 1073'700'000;
  s.states = "WWDo";
  s.seconds = 2;
  s.bytes_per_second = 405'200'000;
  s.eta_seconds = 65;
  EXPECT_EQ(FormatProgressLine(s),
            "812.4 MB / 1073.7 MB   76%  405.2 MB/s  [WWDo]  0:02  ETA 1:05");
  s.total.reset();
  s.eta_seconds.reset();
  s.seconds = 3725;
  EXPECT_EQ(FormatProgressLine(s), "812.4 MB  405.2 MB/s  [WWDo]  1:02:05");
}

TEST(DatabaseSizeTest, QueryQuotesTheName) {
  EXPECT_EQ(DatabaseSizeQuery("it's"),
            "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = "
            "DB_ID(N'it''s')");
}

TEST(DatabaseSizeTest, ParsesSqlcmdOutput) {
  EXPECT_EQ(ParseDatabaseSizeOutput("\n--------------------\n            16777216\n\n(1 row "
                                    "affected)\n"),
            std::optional<uint64_t>(16777216));
  EXPECT_EQ(ParseDatabaseSizeOutput("\n-----\nNULL\n\n(1 row affected)\n"), std::nullopt);
  EXPECT_EQ(ParseDatabaseSizeOutput("Msg 208, Level 16, State 1\nInvalid object name\n"),
            std::nullopt);
  EXPECT_EQ(ParseDatabaseSizeOutput(""), std::nullopt);
}

}  // namespace
}  // namespace vdibk::coordinator
