// The backup history query through the executor: after BACKUP DATABASE / WITH DIFFERENTIAL /
// BACKUP LOG (to DISK) the rows carry the backup's own LSNs, type, copy-only flag and NAME,
// newest first; SET NOCOUNT ON drops the row count; a failed backup adds no row.
#include <gtest/gtest.h>

#include "emulator/db/catalog.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/workload.h"
#include "emulator/engine/executor.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/engine/engine_test_support.h"

namespace vdibk::emulator {
namespace {

class RowSink : public testing::RecordingSink {
 public:
  void BeginResult(const std::vector<tsql::Column>& c) override { columns = c; }
  void Row(const tsql::Row& r) override { rows.push_back(r); }
  void EndResult(std::optional<uint64_t> n) override { count = n; }
  std::vector<tsql::Column> columns;
  std::vector<tsql::Row> rows;
  std::optional<uint64_t> count;
};

constexpr const char* kQuery =
    "SELECT TOP (10) backup_set_id, type, is_copy_only, first_lsn, last_lsn, checkpoint_lsn, "
    "database_backup_lsn, differential_base_lsn, name FROM msdb.dbo.backupset WHERE "
    "database_name = N'sales' ORDER BY backup_set_id DESC";

class BackupHistoryQueryTest : public ::testing::Test {
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
  void Ok(const std::string& sql) {
    testing::RecordingSink sink;
    testing::Run(*executor_, sql, sink);
    ASSERT_FALSE(sink.HasError()) << sql << "\n" << sink.Text();
  }
  void Work(uint64_t seed) {
    Database db = catalog_->Open("sales").value();
    ASSERT_TRUE(RunWorkload(db, {25, seed}).ok());
  }
  std::string File(const std::string& name) { return dir_.Join(name); }

  vdibk::testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<EmulatorExecutor> executor_;
};

TEST_F(BackupHistoryQueryTest, RowsCarryEachBackupsLsnsNewestFirst) {
  Ok("BACKUP DATABASE sales TO DISK='" + File("f.bak") + "' WITH NAME='n-full'");
  Work(1);
  Ok("BACKUP DATABASE sales TO DISK='" + File("d.bak") + "' WITH DIFFERENTIAL, NAME='n-diff'");
  Work(2);
  Ok("BACKUP LOG sales TO DISK='" + File("l.bak") + "' WITH NAME='n-log'");
  Ok("BACKUP DATABASE sales TO DISK='" + File("c.bak") + "' WITH COPY_ONLY");

  RowSink sink;
  testing::Run(*executor_, kQuery, sink);
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  ASSERT_EQ(sink.columns.size(), 9u);
  EXPECT_EQ(sink.columns[3].name, "first_lsn");
  EXPECT_EQ(sink.columns[3].type, tsql::ColumnType::kDecimal);
  EXPECT_EQ(sink.count, std::optional<uint64_t>(4));
  ASSERT_EQ(sink.rows.size(), 4u);
  auto cell = [&](size_t row, size_t col) { return sink.rows[row][col].value_or("NULL"); };
  // Newest first: copy-only full (no name), log, diff, full.
  EXPECT_EQ(cell(0, 0), "4");
  EXPECT_EQ(cell(0, 1), "D");
  EXPECT_EQ(cell(0, 2), "1");
  EXPECT_EQ(cell(0, 8), "NULL");
  EXPECT_EQ(cell(1, 1), "L");
  EXPECT_EQ(cell(1, 8), "n-log");
  EXPECT_EQ(cell(2, 1), "I");
  EXPECT_EQ(cell(2, 8), "n-diff");
  EXPECT_EQ(cell(3, 0), "1");
  EXPECT_EQ(cell(3, 1), "D");
  EXPECT_EQ(cell(3, 2), "0");
  EXPECT_EQ(cell(3, 7), "NULL");  // differential_base_lsn: differentials only
  // The differential is based on the full: its base LSNs are the full's checkpoint LSN.
  EXPECT_EQ(cell(2, 6), cell(3, 5));
  EXPECT_EQ(cell(2, 7), cell(3, 5));
  // The workloads moved the LSNs: diff after full, the log ends after the diff.
  EXPECT_GT(std::stoull(cell(2, 5)), std::stoull(cell(3, 5)));
  EXPECT_GT(std::stoull(cell(1, 4)), std::stoull(cell(2, 4)));
  // The log covers the full's LSN (its chain starts at or before it).
  EXPECT_LE(std::stoull(cell(1, 3)), std::stoull(cell(3, 4)));
  EXPECT_EQ(cell(1, 6), cell(3, 5));  // the log's database_backup_lsn: the full
}

TEST_F(BackupHistoryQueryTest, TopAscendingNoCountAndOtherDatabases) {
  Ok("BACKUP DATABASE sales TO DISK='" + File("1.bak") + "'");
  Ok("BACKUP DATABASE sales TO DISK='" + File("2.bak") + "'");
  RowSink sink;
  testing::Run(*executor_,
               "SET NOCOUNT ON; SELECT TOP (1) backup_set_id, database_name FROM "
               "msdb.dbo.backupset WHERE database_name = N'sales' ORDER BY backup_set_id",
               sink);
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0][0].value_or(""), "1");  // ascending
  EXPECT_EQ(sink.rows[0][1].value_or(""), "sales");
  EXPECT_FALSE(sink.count.has_value());  // NOCOUNT: no "(1 rows affected)"
  RowSink none;
  testing::Run(*executor_,
               "SELECT TOP (5) name FROM msdb.dbo.backupset WHERE database_name = N'../x' "
               "ORDER BY backup_set_id DESC",
               none);
  EXPECT_FALSE(none.HasError()) << none.Text();
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(none.count, std::optional<uint64_t>(0));
}

TEST_F(BackupHistoryQueryTest, FailedBackupAddsNoRow) {
  CreateDatabaseOptions o;
  o.size_bytes = 1 << 20;
  o.with_log = false;  // SIMPLE recovery
  ASSERT_TRUE(CreateDatabase(*catalog_, "simple", o).ok());
  testing::RecordingSink fail;
  testing::Run(*executor_, "BACKUP LOG simple TO DISK='" + File("s.bak") + "'", fail);
  EXPECT_TRUE(fail.HasError());
  RowSink sink;
  testing::Run(*executor_,
               "SELECT TOP (5) name FROM msdb.dbo.backupset WHERE database_name = N'simple' "
               "ORDER BY backup_set_id DESC",
               sink);
  EXPECT_TRUE(sink.rows.empty());
}

}  // namespace
}  // namespace vdibk::emulator
