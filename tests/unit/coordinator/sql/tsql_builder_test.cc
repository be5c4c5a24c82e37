// T-SQL building and quoting.
#include "coordinator/sql/tsql_builder.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

TEST(TsqlBuilderTest, QuotesIdentifiersAndStrings) {
  EXPECT_EQ(QuoteIdentifier("sales"), "[sales]");
  EXPECT_EQ(QuoteIdentifier("a]b"), "[a]]b]");
  EXPECT_EQ(QuoteString("x"), "N'x'");
  EXPECT_EQ(QuoteString("it's"), "N'it''s'");
}

TEST(TsqlBuilderTest, BackupStatementListsEveryDeviceAndOption) {
  BackupStatementSpec s;
  s.database = "db]1";
  s.device_names = {"set", "set_1"};
  s.buffer_count = 16;
  s.max_transfer_size = 4194304;
  s.block_size = 65536;
  EXPECT_EQ(BuildBackupStatement(s),
            "BACKUP DATABASE [db]]1] TO VIRTUAL_DEVICE=N'set', VIRTUAL_DEVICE=N'set_1' WITH "
            "BUFFERCOUNT=16, MAXTRANSFERSIZE=4194304, BLOCKSIZE=65536, CHECKSUM");
  s.checksum = false;
  EXPECT_NE(BuildBackupStatement(s).find(", NO_CHECKSUM"), std::string::npos);
}

TEST(TsqlBuilderTest, RestoreStatement) {
  RestoreStatementSpec s;
  s.database = "copy";
  s.device_names = {"set", "set_1"};
  s.block_size = 65536;
  s.max_transfer_size = 1048576;
  s.moves = {{"sales", "/d/it's.mdf"}};
  s.replace = true;
  s.norecovery = true;
  EXPECT_EQ(BuildRestoreStatement(s),
            "RESTORE DATABASE [copy] FROM VIRTUAL_DEVICE=N'set', VIRTUAL_DEVICE=N'set_1' WITH "
            "BLOCKSIZE=65536, MAXTRANSFERSIZE=1048576, MOVE N'sales' TO N'/d/it''s.mdf', REPLACE, "
            "NORECOVERY");
}

}  // namespace
}  // namespace vdibk::coordinator
