// Backup history: the query text, parsing sqlcmd's `-h -1 -W -s ","` output, matching the
// backup's own row, and QueryBackupHistoryRow through a fake SqlRunner.
#include "coordinator/sql/backup_history_row.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "coordinator/pipeline/backup_manifest.h"
#include "coordinator/sql/tsql_builder.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

// Output as the emulator's and Microsoft's sqlcmd print it (NULLs, a message line, a footer).
constexpr const char* kOutput =
    "Changed database context to 'master'.\n"
    "7,L,0,120,170,150,100,NULL,2024-01-31 23:59:59.250,vdibackup 0102\n"
    "6,I,0,150,150,150,100,100,2024-01-31 23:00:00.000,vdibackup aa, with a comma\n"
    "5,D,1,130,130,130,100,NULL,NULL,NULL\n"
    "\n"
    "(3 rows affected)\n";

TEST(BackupHistoryTest, QueryTextIsTheNarrowMsdbQuery) {
  EXPECT_EQ(BuildBackupHistoryQuery("it's", 10),
            "SET NOCOUNT ON; SELECT TOP (10) backup_set_id, type, is_copy_only, first_lsn, "
            "last_lsn, checkpoint_lsn, database_backup_lsn, differential_base_lsn, "
            "backup_start_date, name FROM msdb.dbo.backupset WHERE database_name = N'it''s' "
            "ORDER BY backup_set_id DESC");
  EXPECT_EQ(BuildBackupLookupQuery("db", "vdibackup 'x'"),
            "SET NOCOUNT ON; SELECT TOP (1) backup_set_id, type, is_copy_only, first_lsn, "
            "last_lsn, checkpoint_lsn, database_backup_lsn, differential_base_lsn, "
            "backup_start_date, name FROM msdb.dbo.backupset WHERE database_name = N'db' AND "
            "name = N'vdibackup ''x''' ORDER BY backup_set_id DESC");
}

TEST(BackupHistoryTest, SqlDateTimesReadAsUtc) {
  EXPECT_EQ(ParseSqlDateTime("1970-01-01 00:00:01.500"), std::optional<int64_t>(1500));
  EXPECT_EQ(ParseSqlDateTime("2024-01-31 23:59:59"), std::optional<int64_t>(1706745599000));
  EXPECT_FALSE(ParseSqlDateTime("NULL"));
  EXPECT_FALSE(ParseSqlDateTime("2024-13-01 00:00:00.000"));
}

TEST(BackupHistoryTest, ParsesRowsAndSkipsEverythingElse) {
  std::vector<BackupHistoryRow> rows = ParseBackupHistoryOutput(kOutput);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].backup_set_id, 7u);
  EXPECT_EQ(rows[0].type, 'L');
  EXPECT_FALSE(rows[0].copy_only);
  EXPECT_EQ(rows[0].first_lsn, "120");
  EXPECT_EQ(rows[0].last_lsn, "170");
  EXPECT_EQ(rows[0].checkpoint_lsn, "150");
  EXPECT_EQ(rows[0].database_backup_lsn, "100");
  EXPECT_EQ(rows[0].differential_base_lsn, "");
  EXPECT_EQ(rows[0].start_date, "2024-01-31 23:59:59.250");
  EXPECT_EQ(rows[0].start_unix_ms, 1706745599250);
  EXPECT_EQ(rows[0].name, "vdibackup 0102");
  EXPECT_EQ(rows[2].start_unix_ms, 0);
  EXPECT_EQ(rows[1].name, "vdibackup aa, with a comma");
  EXPECT_EQ(rows[1].differential_base_lsn, "100");
  EXPECT_TRUE(rows[2].copy_only);
  EXPECT_EQ(rows[2].name, "");
  EXPECT_TRUE(ParseBackupHistoryOutput("Msg 208, Level 16, State 1, Server x, Line 1\n"
                                       "Invalid object name 'msdb.dbo.backupset'.\n")
                  .empty());
}

TEST(BackupHistoryTest, MatchesTheOwnRowByNameTypeAndCopyOnly) {
  std::vector<BackupHistoryRow> rows = ParseBackupHistoryOutput(kOutput);
  Result<BackupHistoryRow> r =
      MatchBackupHistoryRow(rows, "vdibackup aa, with a comma", BackupKind::kDiff, false);
  ASSERT_OK(r);
  EXPECT_EQ(r->backup_set_id, 6u);
  // Not there: a clear SQL error, never an empty LSN.
  Result<BackupHistoryRow> none =
      MatchBackupHistoryRow(rows, "vdibackup ffff", BackupKind::kLog, false);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(none.status().message().find("vdibackup ffff"), std::string::npos);
  // The named row of another type or copy-only flag is not ours either.
  Result<BackupHistoryRow> type =
      MatchBackupHistoryRow(rows, "vdibackup 0102", BackupKind::kFull, false);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(type.status().message().find("log backup"), std::string::npos);
  EXPECT_FALSE(MatchBackupHistoryRow(rows, "vdibackup 0102", BackupKind::kLog, true).ok());
}

TEST(BackupHistoryTest, RowWithoutLsnsIsAnError) {
  std::vector<BackupHistoryRow> rows =
      ParseBackupHistoryOutput("1,D,0,NULL,NULL,NULL,0,NULL,NULL,vdibackup 01\n");
  ASSERT_EQ(rows.size(), 1u);
  Result<BackupHistoryRow> r =
      MatchBackupHistoryRow(rows, "vdibackup 01", BackupKind::kFull, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
}

TEST(BackupHistoryTest, SetNameIsUniquePerSetId) {
  std::array<uint8_t, 16> id{};
  id[0] = 0xab;
  id[15] = 0x01;
  EXPECT_EQ(BackupSetHistoryName(id), "vdibackup ab000000000000000000000000000001");
}

TEST(BackupHistoryTest, ManifestTakesTheRowsLsns) {
  BackupHistoryRow row;
  row.type = 'I';
  row.first_lsn = "150";
  row.last_lsn = "160";
  row.checkpoint_lsn = "155";
  row.database_backup_lsn = "99";
  row.differential_base_lsn = "100";
  proto::Manifest m;
  SetManifestLsns(row, &m);
  EXPECT_EQ(m.first_lsn(), "150");
  EXPECT_EQ(m.last_lsn(), "160");
  EXPECT_EQ(m.checkpoint_lsn(), "155");
  EXPECT_EQ(m.database_backup_lsn(), "100");  // a differential's base
  row.type = 'L';
  SetManifestLsns(row, &m);
  EXPECT_EQ(m.database_backup_lsn(), "99");
  EXPECT_EQ(ManifestBackupType(BackupKind::kLog), proto::BACKUP_TYPE_LOG);
  EXPECT_EQ(ManifestBackupType(BackupKind::kDiff), proto::BACKUP_TYPE_DIFF);
}

// A SqlRunner whose statements print a fixed text and exit with a fixed code.
class FakeExecution : public SqlExecution {
 public:
  FakeExecution(std::string out, int code) : out_(std::move(out)), code_(code) {}
  std::optional<ExitInfo> Poll() override { return Wait(); }
  ExitInfo Wait() override { return ExitInfo{code_, 0}; }
  std::string Output() const override { return out_; }
  void Cancel() override {}

 private:
  std::string out_;
  int code_;
};

class FakeRunner : public SqlRunner {
 public:
  FakeRunner(std::string out, int code) : out_(std::move(out)), code_(code) {}
  Result<std::unique_ptr<SqlExecution>> Start(const std::string& statement) override {
    statements.push_back(statement);
    return std::unique_ptr<SqlExecution>(new FakeExecution(out_, code_));
  }
  std::vector<std::string> statements;

 private:
  std::string out_;
  int code_;
};

TEST(BackupHistoryTest, QueryRunsThroughTheRunner) {
  FakeRunner ok(kOutput, 0);
  Result<BackupHistoryRow> r =
      QueryBackupHistoryRow(ok, "sales", "vdibackup 0102", BackupKind::kLog, false);
  ASSERT_OK(r);
  EXPECT_EQ(r->last_lsn, "170");
  ASSERT_EQ(ok.statements.size(), 1u);
  EXPECT_NE(ok.statements[0].find("FROM msdb.dbo.backupset WHERE database_name = N'sales' AND "
                                  "name = N'vdibackup 0102'"),
            std::string::npos);
  FakeRunner failing(
      "Msg 229, Level 14, State 5, Server x, Line 1\nThe SELECT permission was "
      "denied.\n",
      1);
  Result<BackupHistoryRow> denied =
      QueryBackupHistoryRow(failing, "sales", "vdibackup 0102", BackupKind::kLog, false);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(denied.status().message().find("permission was denied"), std::string::npos);
}

TEST(BackupHistoryTest, SqlcmdRunnerAsksForParseableOutput) {
  vdibk::testing::TempDir dir;
  const std::string path = dir.Join("fake-sqlcmd");
  std::ofstream(path) << "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n";
  ASSERT_EQ(chmod(path.c_str(), 0755), 0);
  SqlcmdRunner runner(path, "srv");
  Result<std::unique_ptr<SqlExecution>> run = runner.StartQuery("SELECT 1");
  ASSERT_OK(run);
  EXPECT_TRUE((*run)->Wait().ok());
  EXPECT_EQ((*run)->Output(), "[-S]\n[srv]\n[-b]\n[-h]\n[-1]\n[-W]\n[-s]\n[,]\n[-Q]\n[SELECT 1]\n");
}

}  // namespace
}  // namespace vdibk::coordinator
