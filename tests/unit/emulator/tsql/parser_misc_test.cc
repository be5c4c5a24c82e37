// Tests of the small statements, multi-statement batches, comments/quoting and error numbers.
#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/emulator/tsql/parse_error.h"

namespace vdibk::emulator::tsql {
namespace {

Batch ParseOk(std::string_view sql) {
  auto r = ParseBatch(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : Batch{};
}

TEST(ParserMiscTest, CreateDatabaseSimpleAndWithFiles) {
  auto b = ParseOk("CREATE DATABASE [Sales]");
  ASSERT_EQ(b.statements.size(), 1u);
  EXPECT_EQ(std::get<CreateDatabaseStatement>(b.statements[0].body).name, "Sales");
  auto f = ParseOk(
      "create database s on primary (NAME = s_data, FILENAME = '/d/s.mdf', SIZE = 64MB, "
      "MAXSIZE = UNLIMITED, FILEGROWTH = 10%) LOG ON (NAME='s_log', FILENAME='/d/s.ldf', "
      "SIZE=512KB, "
      "MAXSIZE = 1 GB, FILEGROWTH = 16)");
  const auto& c = std::get<CreateDatabaseStatement>(f.statements[0].body);
  ASSERT_EQ(c.data_files.size(), 1u);
  EXPECT_EQ(c.data_files[0].logical_name, "s_data");
  EXPECT_EQ(c.data_files[0].file_name, "/d/s.mdf");
  EXPECT_EQ(c.data_files[0].size_bytes, 64ull << 20);
  EXPECT_FALSE(c.data_files[0].max_size_bytes.has_value());
  EXPECT_EQ(c.data_files[0].growth, "10%");
  ASSERT_EQ(c.log_files.size(), 1u);
  EXPECT_EQ(c.log_files[0].size_bytes, 512ull << 10);
  EXPECT_EQ(c.log_files[0].max_size_bytes, 1ull << 30);
  EXPECT_EQ(c.log_files[0].growth, "16MB");
  EXPECT_EQ(c.log_files[0].logical_name, "s_log");
}

TEST(ParserMiscTest, DropAndAlterDatabase) {
  auto d =
      std::get<DropDatabaseStatement>(ParseOk("DROP DATABASE IF EXISTS a, [b]").statements[0].body);
  EXPECT_TRUE(d.if_exists);
  EXPECT_EQ(d.names, (std::vector<std::string>{"a", "b"}));
  auto a = std::get<AlterDatabaseStatement>(
      ParseOk("ALTER DATABASE db SET RECOVERY simple WITH NO_WAIT").statements[0].body);
  EXPECT_EQ(a.option, "RECOVERY");
  EXPECT_EQ(a.value, "SIMPLE");
  auto o = std::get<AlterDatabaseStatement>(
      ParseOk("ALTER DATABASE db SET OFFLINE WITH ROLLBACK IMMEDIATE").statements[0].body);
  EXPECT_EQ(o.option, "OFFLINE");
  EXPECT_EQ(o.value, "");
}

TEST(ParserMiscTest, HealthChecks) {
  auto b = ParseOk("SELECT 1; select @@version; SELECT 'x' AS [name], n = N'y', -3 z; PRINT 'hi'");
  ASSERT_EQ(b.statements.size(), 4u);
  auto s1 = std::get<SelectStatement>(b.statements[0].body);
  ASSERT_EQ(s1.items.size(), 1u);
  EXPECT_EQ(s1.items[0].kind, SelectItem::Kind::kInteger);
  EXPECT_EQ(s1.items[0].integer, 1);
  auto s2 = std::get<SelectStatement>(b.statements[1].body);
  EXPECT_EQ(s2.items[0].kind, SelectItem::Kind::kGlobalVariable);
  EXPECT_EQ(s2.items[0].text, "@@VERSION");
  auto s3 = std::get<SelectStatement>(b.statements[2].body);
  ASSERT_EQ(s3.items.size(), 3u);
  EXPECT_EQ(s3.items[0].alias, "name");
  EXPECT_EQ(s3.items[1].alias, "n");
  EXPECT_TRUE(s3.items[1].national);
  EXPECT_EQ(s3.items[2].integer, -3);
  EXPECT_EQ(s3.items[2].alias, "z");
  EXPECT_EQ(std::get<PrintStatement>(b.statements[3].body).value.text, "hi");
  auto f = std::get<SelectStatement>(
      ParseOk("SELECT SERVERPROPERTY('ProductVersion'), DB_NAME()").statements[0].body);
  EXPECT_EQ(f.items[0].kind, SelectItem::Kind::kFunction);
  EXPECT_EQ(f.items[0].argument, "ProductVersion");
  EXPECT_EQ(f.items[1].text, "DB_NAME");
}

TEST(ParserMiscTest, UseSetAndStatementText) {
  auto b = ParseOk("USE [master]\nSET NOCOUNT ON\nBACKUP DATABASE d TO DISK='x' -- tail\n;");
  ASSERT_EQ(b.statements.size(), 3u);
  EXPECT_EQ(std::get<UseStatement>(b.statements[0].body).database, "master");
  EXPECT_TRUE(std::get<SetStatement>(b.statements[1].body).on);
  EXPECT_EQ(b.statements[2].line, 3);
  EXPECT_EQ(b.statements[2].text.rfind("BACKUP DATABASE d TO DISK='x'", 0), 0u);
}

TEST(ParserMiscTest, EmptyBatchAndComments) {
  EXPECT_TRUE(ParseOk("").statements.empty());
  EXPECT_TRUE(ParseOk("  -- nothing\n/* at all */ ;;").statements.empty());
}

TEST(ParserMiscTest, ErrorNumbersAndStatus) {
  EXPECT_EQ(FirstError("SELEC 1").number, 2812);
  EXPECT_EQ(FirstError("SELECT 1 SELEC 2").number, 102);
  EXPECT_EQ(FirstError("SELECT name FROM sys.databases").number, 207);
  EXPECT_EQ(FirstError("SELECT 1 FROM t").number, 50000);
  EXPECT_EQ(FirstError("INSERT INTO t VALUES (1)").number, 50000);
  EXPECT_EQ(FirstError("SELECT @x").number, 137);
  EXPECT_EQ(FirstError("CREATE DATABASE").number, 156);
  EXPECT_EQ(FirstError("DROP DATABASE x,").number, 102);
  EXPECT_EQ(FirstError("CREATE DATABASE x ON (FOO=1)").text, "Incorrect syntax near 'FOO'.");
  // The Result form encodes the error in a Status that decodes back to the same error.
  auto r = ParseBatch("SELECT 1\nSELECT 'x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlError);
  SqlMessages m = SqlMessagesFromStatus(r.status());
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.items()[0].number, 105);
  EXPECT_EQ(m.items()[0].line, 2);
  EXPECT_EQ(m.items()[0].text, "Unclosed quotation mark after the character string 'x'.");
}

}  // namespace
}  // namespace vdibk::emulator::tsql
