// Tests of backup chains: full + differential + log reproduces the database after a workload,
// an uncommitted log backup leaves the log for the next one, LSN gaps and wrong bases fail.
#include <gtest/gtest.h>

#include "emulator/base/sql_error.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/stream/stream_test_util.h"

namespace vdibk::emulator {
namespace {

using testutil::Backup;
using testutil::Fixed;
using testutil::Restore;
using testutil::Snapshot;

class BackupChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateDatabaseOptions o;
    o.size_bytes = 2 << 20;
    o.ndf_files = 1;
    ASSERT_OK(CreateDatabase(cat_, "db", o));
  }
  void Work(uint64_t n, uint64_t seed) {
    Database db = cat_.Open("db").value();
    ASSERT_OK(RunWorkload(db, {n, seed}));
  }
  Status RestoreStep(const testutil::Streams& s, RestoreMode mode, bool recovery) {
    RestoreRequest r;
    r.mode = mode;
    r.target_name = "copy";
    r.recovery = recovery;
    return Restore(cat_, s, r, 10000).status();
  }
  testing::TempDir dir_;
  Catalog cat_{dir_.path()};
};

TEST_F(BackupChainTest, FullDiffLogReproducesTheDatabase) {
  Result<testutil::Streams> full = Backup(cat_, "db", Fixed(BackupKind::kFull, 2, 1));
  ASSERT_OK(full);
  Work(20, 1);
  Result<testutil::Streams> diff = Backup(cat_, "db", Fixed(BackupKind::kDifferential, 3, 2));
  ASSERT_OK(diff);
  Work(15, 2);
  Result<testutil::Streams> log = Backup(cat_, "db", Fixed(BackupKind::kLog, 2, 3));
  ASSERT_OK(log);
  auto expected = Snapshot(cat_.DatabaseDir("db"));  // after the log backup's truncation

  // The differential is much smaller than the full.
  EXPECT_LT(diff.value()[0].size() * 3, full.value()[0].size() * 2);

  ASSERT_OK(RestoreStep(full.value(), RestoreMode::kDatabase, false));
  ASSERT_OK(RestoreStep(diff.value(), RestoreMode::kDatabase, false));
  ASSERT_OK(RestoreStep(log.value(), RestoreMode::kLog, true));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), expected);
  EXPECT_EQ(cat_.Open("copy").value().state(), DbState::kOnline);
}

TEST_F(BackupChainTest, FullThenTwoLogsWithoutDiff) {
  ASSERT_OK(Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 1)));
  auto full = Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 2));  // the one we restore
  ASSERT_OK(full);
  Work(10, 3);
  auto log1 = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 3));
  ASSERT_OK(log1);
  Work(10, 4);
  auto log2 = Backup(cat_, "db", Fixed(BackupKind::kLog, 2, 4));
  ASSERT_OK(log2);
  ASSERT_OK(RestoreStep(full.value(), RestoreMode::kDatabase, false));
  ASSERT_OK(RestoreStep(log1.value(), RestoreMode::kLog, false));
  ASSERT_OK(RestoreStep(log2.value(), RestoreMode::kLog, true));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), Snapshot(cat_.DatabaseDir("db")));
}

TEST_F(BackupChainTest, UncommittedLogBackupLeavesTheLog) {
  auto full = Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 1));
  ASSERT_OK(full);
  Work(10, 1);
  auto failed = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 2), /*commit=*/false);
  ASSERT_OK(failed);
  Work(5, 2);
  auto next = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 3));
  ASSERT_OK(next);
  RestoreRequest h;
  h.mode = RestoreMode::kHeaderOnly;
  BackupSetInfo a = Restore(cat_, failed.value(), h).value().header;
  BackupSetInfo b = Restore(cat_, next.value(), h).value().header;
  EXPECT_EQ(a.first_lsn, b.first_lsn);  // the next log backup covers everything
  EXPECT_EQ(b.last_lsn, a.last_lsn + 5);
  ASSERT_OK(RestoreStep(full.value(), RestoreMode::kDatabase, false));
  ASSERT_OK(RestoreStep(next.value(), RestoreMode::kLog, true));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), Snapshot(cat_.DatabaseDir("db")));
}

TEST_F(BackupChainTest, GapInLogChainIs4305) {
  auto full = Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 1));
  ASSERT_OK(full);
  Work(5, 1);
  auto log1 = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 2));
  ASSERT_OK(log1);
  Work(5, 2);
  auto log2 = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 3));
  ASSERT_OK(log2);
  ASSERT_OK(RestoreStep(full.value(), RestoreMode::kDatabase, false));
  auto before = Snapshot(cat_.DatabaseDir("copy"));
  Status s = RestoreStep(log2.value(), RestoreMode::kLog, true);
  EXPECT_EQ(SqlErrorNumber(s), 4305) << s.ToString();
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), before);
  EXPECT_EQ(cat_.Open("copy").value().state(), DbState::kRestoring);
  ASSERT_OK(RestoreStep(log1.value(), RestoreMode::kLog, false));
  EXPECT_EQ(SqlErrorNumber(RestoreStep(log1.value(), RestoreMode::kLog, false)), 4326);
  ASSERT_OK(RestoreStep(log2.value(), RestoreMode::kLog, true));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), Snapshot(cat_.DatabaseDir("db")));
}

TEST_F(BackupChainTest, RuleErrors) {
  EXPECT_EQ(SqlErrorNumber(Backup(cat_, "db", Fixed(BackupKind::kLog, 1)).status()), 4214);
  EXPECT_EQ(SqlErrorNumber(Backup(cat_, "db", Fixed(BackupKind::kDifferential, 1)).status()), 3035);
  auto full1 = Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 1));
  ASSERT_OK(full1);
  BackupOptions copy = Fixed(BackupKind::kFull, 1, 2);
  copy.copy_only = true;
  ASSERT_OK(Backup(cat_, "db", copy));
  Work(3, 1);
  auto diff = Backup(cat_, "db", Fixed(BackupKind::kDifferential, 1, 3));
  ASSERT_OK(diff);
  RestoreRequest h;
  h.mode = RestoreMode::kHeaderOnly;
  EXPECT_EQ(Restore(cat_, diff.value(), h).value().header.differential_base_guid,
            Guid::FromSeed(1));
  // Differential without a restoring database, then onto the wrong base.
  EXPECT_EQ(SqlErrorNumber(RestoreStep(diff.value(), RestoreMode::kDatabase, true)), 3117);
  auto full2 = Backup(cat_, "db", Fixed(BackupKind::kFull, 1, 4));
  ASSERT_OK(full2);
  ASSERT_OK(RestoreStep(full2.value(), RestoreMode::kDatabase, false));
  EXPECT_EQ(SqlErrorNumber(RestoreStep(diff.value(), RestoreMode::kDatabase, true)), 3136);
  // A log backup is not a database backup.
  auto log = Backup(cat_, "db", Fixed(BackupKind::kLog, 1, 5));
  ASSERT_OK(log);
  EXPECT_EQ(SqlErrorNumber(RestoreStep(log.value(), RestoreMode::kDatabase, true)), 3135);
}

}  // namespace
}  // namespace vdibk::emulator
