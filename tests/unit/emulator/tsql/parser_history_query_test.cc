// The backup history query (SELECT TOP (n) ... FROM msdb.dbo.backupset WHERE database_name =
// N'db' ORDER BY backup_set_id DESC): what parses, and the SQL Server errors for what does not.
#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {
namespace {

TEST(ParserHistoryQueryTest, ParsesTheHistoryQuery) {
  auto b = ParseBatch(
      "SET NOCOUNT ON; SELECT TOP (10) backup_set_id, type, is_copy_only, first_lsn, last_lsn, "
      "checkpoint_lsn, database_backup_lsn, differential_base_lsn, name FROM msdb.dbo.backupset "
      "WHERE database_name = N'it''s' ORDER BY backup_set_id DESC");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->statements.size(), 2u);
  const auto& s = std::get<SelectStatement>(b->statements[1].body);
  ASSERT_TRUE(s.backup_history.has_value());
  EXPECT_EQ(s.backup_history->top, 10);
  EXPECT_EQ(s.backup_history->database, "it's");
  EXPECT_TRUE(s.backup_history->descending);
  ASSERT_EQ(s.backup_history->columns.size(), 9u);
  EXPECT_EQ(s.backup_history->columns[0], "backup_set_id");
  EXPECT_EQ(s.backup_history->columns[8], "name");
}

TEST(ParserHistoryQueryTest, SpellingsSqlServerAccepts) {
  auto b = ParseBatch(
      "select top 1 [Type], LAST_LSN from [msdb].[dbo].[backupset] where DATABASE_NAME='x' "
      "order by BACKUP_SET_ID; SELECT TOP(2) name FROM msdb..backupset WHERE database_name = "
      "N'y' ORDER BY backup_set_id ASC");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const auto& s0 = std::get<SelectStatement>(b->statements[0].body);
  ASSERT_TRUE(s0.backup_history.has_value());
  EXPECT_EQ(s0.backup_history->top, 1);
  EXPECT_FALSE(s0.backup_history->descending);  // ORDER BY without DESC is ascending
  EXPECT_EQ(s0.backup_history->columns, (std::vector<std::string>{"type", "last_lsn"}));
  const auto& s1 = std::get<SelectStatement>(b->statements[1].body);
  ASSERT_TRUE(s1.backup_history.has_value());
  EXPECT_EQ(s1.backup_history->database, "y");
}

TEST(ParserHistoryQueryTest, NameFilter) {
  auto b = ParseBatch(
      "SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'db' AND [Name] = "
      "N'vdibackup 00ff' ORDER BY backup_set_id DESC");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const auto& s = std::get<SelectStatement>(b->statements[0].body);
  ASSERT_TRUE(s.backup_history.has_value());
  EXPECT_EQ(s.backup_history->name, std::optional<std::string>("vdibackup 00ff"));
  auto plain = ParseBatch(
      "SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'db' ORDER BY "
      "backup_set_id DESC");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(std::get<SelectStatement>(plain->statements[0].body).backup_history->name);
}

int ErrorNumber(const char* sql) {
  ParseOutput out = Parse(sql);
  if (out.ok()) return 0;
  return out.errors.items().front().number;
}

TEST(ParserHistoryQueryTest, ErrorsAreSqlServers) {
  // A column backupset does not have: 207.
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) no_such FROM msdb.dbo.backupset WHERE database_name = "
                        "N'x' ORDER BY backup_set_id DESC"),
            207);
  // Other tables, filters or orders: not supported by the emulator.
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) name FROM msdb.dbo.backupfile WHERE database_name = N'x' "
                        "ORDER BY backup_set_id DESC"),
            50000);
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) name FROM msdb.dbo.backupset WHERE type = N'D' ORDER BY "
                        "backup_set_id DESC"),
            50000);
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'x' "
                        "AND type = N'D' ORDER BY backup_set_id DESC"),
            50000);
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'x' "
                        "ORDER BY last_lsn DESC"),
            50000);
  // Syntax errors: 102 / 156.
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) name FROM msdb.dbo.backupset WHERE database_name = N'x'"),
            102);
  EXPECT_EQ(ErrorNumber("SELECT TOP (1 name FROM msdb.dbo.backupset WHERE database_name = N'x' "
                        "ORDER BY backup_set_id"),
            102);
  EXPECT_EQ(ErrorNumber("SELECT TOP (1) FROM msdb.dbo.backupset WHERE database_name = N'x' "
                        "ORDER BY backup_set_id"),
            156);
  // Constants without FROM still work as before.
  EXPECT_EQ(ErrorNumber("SELECT 1"), 0);
}

}  // namespace
}  // namespace vdibk::emulator::tsql
