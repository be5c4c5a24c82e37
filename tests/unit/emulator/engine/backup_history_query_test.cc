// The backup history query through the executor: after BACKUP DATABASE / WITH DIFFERENTIAL /
// BACKUP LOG (to DISK) the rows carry the backup's own LSNs, type, copy-only flag and NAME,
// newest first; SET NOCOUNT ON drops the row count; a failed backup adds no row. Like msdb the
// history is server-wide: it survives DROP DATABASE and RESTORE ... WITH REPLACE, and two backups
// of different databases at once both get their rows.
#include <gtest/gtest.h>

#include <set>
#include <thread>

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

// AND name = N'...' (how vdibackup finds its own backup, however many others came after it):
// only that backup's row, even past TOP's reach of the unfiltered history.
TEST_F(BackupHistoryQueryTest, NameFilterFindsOneBackupAmongMany) {
  Ok("BACKUP DATABASE sales TO DISK='" + File("f.bak") + "' WITH NAME='wanted'");
  for (int i = 0; i < 3; ++i) {
    Ok("BACKUP DATABASE sales TO DISK='" + File(std::to_string(i) + ".bak") + "' WITH NAME='x'");
  }
  RowSink sink;
  testing::Run(*executor_,
               "SELECT TOP (1) backup_set_id, name FROM msdb.dbo.backupset WHERE database_name = "
               "N'sales' AND name = N'wanted' ORDER BY backup_set_id DESC",
               sink);
  ASSERT_FALSE(sink.HasError()) << sink.Text();
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0][0].value_or(""), "1");
  EXPECT_EQ(sink.rows[0][1].value_or(""), "wanted");
  RowSink none;
  testing::Run(*executor_,
               "SELECT TOP (5) name FROM msdb.dbo.backupset WHERE database_name = N'sales' AND "
               "name = N'never taken' ORDER BY backup_set_id DESC",
               none);
  ASSERT_FALSE(none.HasError()) << none.Text();
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(none.count, std::optional<uint64_t>(0));
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

std::vector<std::string> Column(const RowSink& sink, size_t col) {
  std::vector<std::string> out;
  for (const tsql::Row& r : sink.rows) out.push_back(r[col].value_or("NULL"));
  return out;
}

constexpr const char* kIdsAndTypes =
    "SELECT TOP (50) backup_set_id, type, backup_set_uuid FROM msdb.dbo.backupset WHERE "
    "database_name = N'sales' ORDER BY backup_set_id";

TEST_F(BackupHistoryQueryTest, HistorySurvivesDropDatabase) {
  Ok("BACKUP DATABASE sales TO DISK='" + File("f.bak") + "'");
  Work(1);
  Ok("BACKUP LOG sales TO DISK='" + File("l.bak") + "'");
  RowSink before;
  testing::Run(*executor_, kIdsAndTypes, before);
  ASSERT_EQ(before.rows.size(), 2u) << before.Text();
  Ok("DROP DATABASE sales");
  RowSink after;
  testing::Run(*executor_, kIdsAndTypes, after);
  ASSERT_FALSE(after.HasError()) << after.Text();
  EXPECT_EQ(Column(after, 0), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Column(after, 1), (std::vector<std::string>{"D", "L"}));
  EXPECT_EQ(Column(after, 2), Column(before, 2));
  // A new database of the same name continues the server-wide ids.
  CreateDatabaseOptions o;
  o.size_bytes = 1 << 20;
  ASSERT_TRUE(CreateDatabase(*catalog_, "sales", o).ok());
  Ok("BACKUP DATABASE sales TO DISK='" + File("g.bak") + "'");
  RowSink again;
  testing::Run(*executor_, kIdsAndTypes, again);
  EXPECT_EQ(Column(again, 0), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(BackupHistoryQueryTest, RestoreWithReplaceKeepsEarlierRows) {
  Ok("BACKUP DATABASE sales TO DISK='" + File("f.bak") + "' WITH NAME='first'");
  Work(1);
  Ok("BACKUP DATABASE sales TO DISK='" + File("d.bak") + "' WITH DIFFERENTIAL");
  RowSink before;
  testing::Run(*executor_, kIdsAndTypes, before);
  ASSERT_EQ(before.rows.size(), 2u) << before.Text();
  Ok("RESTORE DATABASE sales FROM DISK='" + File("f.bak") + "' WITH REPLACE");
  RowSink restored;
  testing::Run(*executor_, kIdsAndTypes, restored);
  EXPECT_EQ(Column(restored, 2), Column(before, 2));  // RESTORE rewrites nothing in backupset
  Ok("BACKUP DATABASE sales TO DISK='" + File("g.bak") + "' WITH NAME='after'");
  RowSink after;
  testing::Run(*executor_,
               "SELECT TOP (50) backup_set_id, type, name FROM msdb.dbo.backupset WHERE "
               "database_name = N'sales' ORDER BY backup_set_id",
               after);
  EXPECT_EQ(Column(after, 0), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(Column(after, 1), (std::vector<std::string>{"D", "I", "D"}));
  EXPECT_EQ(Column(after, 2), (std::vector<std::string>{"first", "NULL", "after"}));
}

TEST_F(BackupHistoryQueryTest, ConcurrentBackupsOfTwoDatabasesBothGetRows) {
  CreateDatabaseOptions o;
  o.size_bytes = 2 << 20;
  o.seed = 2;
  ASSERT_TRUE(CreateDatabase(*catalog_, "hr", o).ok());
  constexpr int kEach = 4;
  testing::RecordingSink sa, sb;
  std::thread ta([&] {
    for (int i = 0; i < kEach; ++i) {
      testing::Run(*executor_, "BACKUP DATABASE sales TO DISK='/dev/null'", sa);
    }
  });
  std::thread tb([&] {
    for (int i = 0; i < kEach; ++i) {
      testing::Run(*executor_, "BACKUP DATABASE hr TO DISK='/dev/null'", sb);
    }
  });
  ta.join();
  tb.join();
  ASSERT_FALSE(sa.HasError()) << sa.Text();
  ASSERT_FALSE(sb.HasError()) << sb.Text();
  std::set<std::string> ids;
  for (const char* db : {"sales", "hr"}) {
    RowSink rows;
    testing::Run(*executor_,
                 std::string("SELECT TOP (50) backup_set_id FROM msdb.dbo.backupset WHERE "
                             "database_name = N'") +
                     db + "' ORDER BY backup_set_id",
                 rows);
    EXPECT_EQ(rows.rows.size(), static_cast<size_t>(kEach)) << db;
    for (const std::string& id : Column(rows, 0)) ids.insert(id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(2 * kEach));  // server-wide ids, none reused
  // Both databases still take differentials (their metadata commits did not clobber each other).
  Ok("BACKUP DATABASE sales TO DISK='/dev/null' WITH DIFFERENTIAL");
  Ok("BACKUP DATABASE hr TO DISK='/dev/null' WITH DIFFERENTIAL");
}

}  // namespace
}  // namespace vdibk::emulator
