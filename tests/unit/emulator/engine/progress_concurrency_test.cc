// WITH STATS progress messages (ProgressReporter and through the executor) and two BACKUP
// statements of different databases running at the same time.
#include <gtest/gtest.h>

#include <thread>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/executor.h"
#include "emulator/engine/progress_reporter.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;

TEST(ProgressReporterTest, ReportsEachStepOnceInOrderAndLeaves100ToTheCaller) {
  std::vector<int> seen;
  ProgressReporter p(10, [&](int v) { seen.push_back(v); });
  p.Add(500);  // no total yet: nothing
  EXPECT_TRUE(seen.empty());
  p.SetTotal(1000);
  EXPECT_EQ(seen, (std::vector<int>{10, 20, 30, 40, 50}));
  p.Add(5);
  p.Add(300);
  p.Add(1000);
  EXPECT_EQ(seen, (std::vector<int>{10, 20, 30, 40, 50, 60, 70, 80, 90}));
}

TEST(ProgressReporterTest, ConcurrentAddsReportEveryStepExactlyOnce) {
  std::vector<int> seen;
  ProgressReporter p(5, [&](int v) { seen.push_back(v); });
  p.SetTotal(4 * 1000 * 64);
  std::vector<std::thread> t;
  for (int i = 0; i < 4; ++i) {
    t.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) p.Add(64);
    });
  }
  for (auto& x : t) x.join();
  ASSERT_EQ(seen.size(), 19u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(5 * (i + 1)));
}

class ExecutorVdiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 4 << 20;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
    o.seed = 2;
    ASSERT_TRUE(CreateDatabase(*catalog_, "hr", o).ok());
    ExecutorOptions eo;
    eo.data_dir = dir_.path();
    executor_ = std::make_unique<EmulatorExecutor>(eo);
  }
  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
};

TEST_F(ExecutorVdiTest, BackupWithStatsPrintsProgressBeforeTheSummary) {
  MemoryVdiClient client(vdibk::testing::UniqueName("stats"), {});
  ASSERT_EQ(client.Start(), NOERROR);
  RecordingSink sink;
  testing::Run(*executor_,
               "BACKUP DATABASE sales TO VIRTUAL_DEVICE='" + client.DeviceNames()[0] +
                   "' WITH STATS = 25, MAXTRANSFERSIZE = 65536",
               sink);
  client.Join();
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  const int p25 = sink.Find("25 percent processed.");
  const int p50 = sink.Find("50 percent processed.");
  const int p75 = sink.Find("75 percent processed.");
  const int p100 = sink.Find("100 percent processed.");
  const int processed = sink.Find("Processed ");
  ASSERT_GE(p25, 0) << sink.Text();
  EXPECT_LT(p25, p50);
  EXPECT_LT(p50, p75);
  EXPECT_LT(p75, p100);
  EXPECT_LT(p100, processed);
}

TEST_F(ExecutorVdiTest, TwoBackupsOfDifferentDatabasesRunAtOnce) {
  MemoryClientOptions two;
  two.devices = 2;
  MemoryVdiClient a(vdibk::testing::UniqueName("cca"), two);
  MemoryVdiClient b(vdibk::testing::UniqueName("ccb"), {});
  ASSERT_EQ(a.Start(), NOERROR);
  ASSERT_EQ(b.Start(), NOERROR);
  RecordingSink sa, sb;
  std::thread ta([&] {
    testing::Run(*executor_,
                 "BACKUP DATABASE sales TO VIRTUAL_DEVICE='" + a.DeviceNames()[0] +
                     "', VIRTUAL_DEVICE='" + a.DeviceNames()[1] + "' WITH STATS",
                 sa);
  });
  std::thread tb([&] {
    testing::Run(*executor_, "BACKUP DATABASE hr TO VIRTUAL_DEVICE='" + b.DeviceNames()[0] + "'",
                 sb);
  });
  ta.join();
  tb.join();
  a.Join();
  b.Join();
  EXPECT_FALSE(sa.HasError()) << sa.Text();
  EXPECT_FALSE(sb.HasError()) << sb.Text();
  EXPECT_GE(sa.Find("BACKUP DATABASE successfully processed"), 0) << sa.Text();
  EXPECT_GE(sb.Find("BACKUP DATABASE successfully processed"), 0) << sb.Text();
  EXPECT_FALSE(a.streams()[0].empty());
  EXPECT_FALSE(a.streams()[1].empty());
  EXPECT_FALSE(b.streams()[0].empty());
}

}  // namespace
}  // namespace vdibk::emulator
