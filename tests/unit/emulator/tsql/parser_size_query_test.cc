// The one catalog query the emulator answers: the database size from sys.master_files (used by
// vdibackup's progress ETA). Anything else SELECT ... FROM stays unsupported.
#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {
namespace {

TEST(ParserSizeQueryTest, RecognizesTheDatabaseSizeQuery) {
  auto b = ParseBatch(
      "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = "
      "DB_ID(N'sales'); select sum(cast(SIZE as BIGINT)) * 8192 from SYS.MASTER_FILES where "
      "DATABASE_ID=db_id('it''s')");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->statements.size(), 2u);
  const auto& s0 = std::get<SelectStatement>(b->statements[0].body);
  ASSERT_TRUE(s0.database_size_of.has_value());
  EXPECT_EQ(*s0.database_size_of, "sales");
  EXPECT_TRUE(s0.items.empty());
  const auto& s1 = std::get<SelectStatement>(b->statements[1].body);
  EXPECT_EQ(s1.database_size_of.value_or(""), "it's");
}

TEST(ParserSizeQueryTest, OtherShapesStayUnsupported) {
  for (const char* sql :
       {"SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files",
        "SELECT SUM(CAST(size AS int))*8192 FROM sys.master_files WHERE database_id = DB_ID(N'x')",
        "SELECT SUM(CAST(size AS bigint))*8 FROM sys.master_files WHERE database_id = DB_ID(N'x')",
        "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.databases WHERE database_id = "
        "DB_ID(N'x')"}) {
    ParseOutput out = Parse(sql);
    EXPECT_FALSE(out.ok()) << sql;
  }
  auto plain = ParseBatch("SELECT 1");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(std::get<SelectStatement>(plain->statements[0].body).database_size_of);
}

}  // namespace
}  // namespace vdibk::emulator::tsql
