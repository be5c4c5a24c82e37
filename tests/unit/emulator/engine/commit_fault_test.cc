// The commit faults through the executor with a small VDI client: commit-stall-ms holds the
// statement after every device closed and before the history row; drop-after-commit drops the
// connection once BACKUP (history row, log truncation) or RESTORE (the database) committed,
// instead of the success messages. Spec parsing of both.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "emulator/db/backup_history.h"
#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "emulator/engine/executor.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"
#include "tests/unit/emulator/engine/memory_vdi_client.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryVdiClient;
using testing::RecordingSink;
using Clock = std::chrono::steady_clock;

class CommitFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<Catalog>(dir_.path());
    ASSERT_TRUE(catalog_->Init().ok());
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
    ExecutorOptions eo;
    eo.data_dir = dir_.path();
    executor_ = std::make_unique<EmulatorExecutor>(eo);
  }
  std::string Devices(MemoryVdiClient& client) {
    return "VIRTUAL_DEVICE='" + client.DeviceNames()[0] + "'";
  }
  // Runs `sql` (devices already in it) with `client` serving the set.
  void RunWith(MemoryVdiClient& client, const std::string& sql, RecordingSink& sink) {
    ASSERT_EQ(client.Start(), NOERROR);
    testing::Run(*executor_, sql, sink);
    client.Join();
  }
  // Names of the history rows of sales, oldest first.
  std::vector<std::string> HistoryNames() {
    auto rows = BackupHistory(dir_.path()).ForDatabase("sales");
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back(r.name);
    }
    return out;
  }
  uint64_t LastLogBackupLsn() { return catalog_->Open("sales").value().meta().last_log_backup_lsn; }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
};

TEST(CommitFaultSpecTest, ParseAndPrint) {
  auto plan = FaultPlan::Parse("commit-stall-ms=1500,drop-after-commit=1");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->commit_stall_ms, 1500u);
  EXPECT_TRUE(plan->drop_after_commit);
  EXPECT_FALSE(plan->empty());
  EXPECT_EQ(plan->ToString(), "commit-stall-ms=1500,drop-after-commit=1");
  EXPECT_TRUE(FaultPlan::Parse("drop-after-commit=0")->empty());
  EXPECT_EQ(FaultPlan::Parse("drop-after-commit=2").status().message(),
            "fault drop-after-commit: expected 0 or 1");
  EXPECT_EQ(FaultPlan::Parse("commit-stall-ms=3600001").status().message(),
            "fault commit-stall-ms: at most 3600000 (one hour)");
  EXPECT_EQ(FaultPlan::Parse("commit-stall-ms=soon").status().message(),
            "fault commit-stall-ms: not a number: soon");
}

// The stall comes after the data phase (the client's devices are closed) and before the history
// row: while the client is done, the server has not recorded the backup yet.
TEST_F(CommitFaultTest, CommitStallHoldsTheStatementBeforeTheHistoryRow) {
  MemoryVdiClient c(vdibk::testing::UniqueName("stall"), {});
  ASSERT_EQ(c.Start(), NOERROR);
  RecordingSink sink;
  const auto start = Clock::now();
  std::thread statement([&] {
    testing::Run(*executor_,
                 "BACKUP DATABASE sales TO " + Devices(c) +
                     " WITH NAME='stalled', VDIBK_FAULT = 'commit-stall-ms=1500'",
                 sink);
  });
  c.Join();  // every device closed: the data phase is over
  const auto data_done = Clock::now();
  EXPECT_TRUE(HistoryNames().empty());
  EXPECT_EQ(sink.Find("successfully processed"), -1);
  statement.join();
  EXPECT_GE(Clock::now() - data_done, std::chrono::milliseconds(1400));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(1500));
  EXPECT_FALSE(sink.HasError()) << sink.Text();
  EXPECT_GE(sink.Find("BACKUP DATABASE successfully processed"), 0) << sink.Text();
  EXPECT_EQ(HistoryNames(), std::vector<std::string>{"stalled"});
}

TEST_F(CommitFaultTest, DropAfterLogBackupCommitKeepsTheBackup) {
  MemoryVdiClient full(vdibk::testing::UniqueName("full"), {});
  RecordingSink fs;
  RunWith(full, "BACKUP DATABASE sales TO " + Devices(full) + " WITH NAME='full'", fs);
  ASSERT_FALSE(fs.HasError()) << fs.Text();
  Database db = catalog_->Open("sales").value();
  ASSERT_TRUE(RunWorkload(db, {25, 7}).ok());
  const uint64_t before = LastLogBackupLsn();

  MemoryVdiClient log(vdibk::testing::UniqueName("log"), {});
  RecordingSink ls;
  RunWith(log,
          "BACKUP LOG sales TO " + Devices(log) +
              " WITH NAME='log-1', VDIBK_FAULT = 'drop-after-commit=1'",
          ls);
  EXPECT_TRUE(ls.dropped());
  EXPECT_FALSE(ls.HasError()) << ls.Text();
  EXPECT_EQ(ls.Find("successfully processed"), -1) << ls.Text();
  EXPECT_EQ(HistoryNames(), (std::vector<std::string>{"full", "log-1"}));
  EXPECT_GT(LastLogBackupLsn(), before);  // the log was truncated: the backup is committed
}

TEST_F(CommitFaultTest, DropAfterRestoreCommitLeavesTheDatabase) {
  MemoryVdiClient b(vdibk::testing::UniqueName("rb"), {});
  RecordingSink bs;
  RunWith(b, "BACKUP DATABASE sales TO " + Devices(b), bs);
  ASSERT_FALSE(bs.HasError()) << bs.Text();

  MemoryVdiClient r(vdibk::testing::UniqueName("rr"), {});
  r.SetStreams(b.streams());
  RecordingSink rs;
  RunWith(r,
          "RESTORE DATABASE copy FROM " + Devices(r) +
              " WITH VDIBK_FAULT = 'commit-stall-ms=10,drop-after-commit=1'",
          rs);
  EXPECT_TRUE(rs.dropped());
  EXPECT_FALSE(rs.HasError()) << rs.Text();
  EXPECT_EQ(rs.Find("successfully processed"), -1) << rs.Text();
  EXPECT_TRUE(catalog_->Exists("copy"));
}

TEST_F(CommitFaultTest, FailedDataPhaseNeitherStallsNorDrops) {
  MemoryVdiClient c(vdibk::testing::UniqueName("fail"), {});
  RecordingSink sink;
  const auto start = Clock::now();
  RunWith(c,
          "BACKUP DATABASE sales TO " + Devices(c) +
              " WITH VDIBK_FAULT = 'abort-after=65536,commit-stall-ms=5000,drop-after-commit=1'",
          sink);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(5000));
  EXPECT_FALSE(sink.dropped());
  EXPECT_TRUE(sink.HasError());
  EXPECT_TRUE(HistoryNames().empty());
}

}  // namespace
}  // namespace vdibk::emulator
