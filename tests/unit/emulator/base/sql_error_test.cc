// Tests of the one SQL-error encoding in a Status: the engine's form, the T-SQL layer's lists,
// decoding with context and foreign statuses.
#include "emulator/base/sql_error.h"

#include <gtest/gtest.h>

namespace vdibk::emulator {
namespace {

TEST(SqlErrorTest, StatusRoundTripAndForeignStatuses) {
  SqlMessages in;
  in.Info(4035, "Processed 1 pages.");
  in.Add(SqlError{3201, 16, 2, "Cannot open backup device 'x'.", 4, ""});
  in.Add(SqlError{3013, 16, 1, "RESTORE DATABASE is terminating abnormally.", 4, ""});
  SqlMessages out = SqlMessagesFromStatus(ToStatus(in));
  ASSERT_EQ(out.size(), 2u);  // informational messages are not errors
  EXPECT_EQ(out.items()[0], in.items()[1]);
  EXPECT_EQ(out.items()[1], in.items()[2]);
  // Without ", Line X" (line 1), possibly with context, decodes too.
  SqlMessages db = SqlMessagesFromStatus(
      Status::SqlError("restore: Msg 3154, Level 16, State 1: The backup set holds ..."));
  ASSERT_EQ(db.size(), 1u);
  EXPECT_EQ(db.items()[0].number, 3154);
  EXPECT_EQ(db.items()[0].text, "The backup set holds ...");
  SqlMessages generic = SqlMessagesFromStatus(Status::TargetIo("disk full"));
  EXPECT_EQ(generic.items()[0].number, 50000);
  EXPECT_EQ(generic.items()[0].text, "disk full");
  EXPECT_TRUE(SqlMessagesFromStatus(Status::Ok()).empty());
  EXPECT_EQ(in.MaxLevel(), 16);
  EXPECT_EQ(in.FirstError().number, 3201);
}

TEST(SqlErrorTest, EngineErrorsReadMsgLevelStateText) {
  Status st = SqlErrorStatus(1801, "Database 'd' already exists.");
  EXPECT_EQ(st.code(), ErrorCode::kSqlError);
  EXPECT_EQ(st.message(), "Msg 1801, Level 16, State 1: Database 'd' already exists.");
  Status corrupt = SqlErrorStatus(3183, "RESTORE detected an error.", ErrorCode::kIntegrity);
  EXPECT_EQ(corrupt.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(SqlErrorNumber(corrupt), 3183);
  Status info = SqlErrorStatus(3701, "Cannot drop.", ErrorCode::kSqlError, 11);
  EXPECT_EQ(info.message(), "Msg 3701, Level 11, State 1: Cannot drop.");
  // The executor places an engine error on its statement's line.
  SqlMessages m = SqlMessagesFromStatus(st.WithContext("create"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.items()[0], (SqlError{1801, 16, 1, "Database 'd' already exists.", 1, ""}));
}

TEST(SqlErrorTest, NumberAndTextOfAStatus) {
  Status st = SqlErrorStatus(4305, "The log in this backup set begins at LSN 7.");
  EXPECT_EQ(SqlErrorNumber(st), 4305);
  EXPECT_EQ(SqlErrorText(st), "The log in this backup set begins at LSN 7.");
  EXPECT_EQ(SqlErrorNumber(st.WithContext("restore")), 4305);
  EXPECT_EQ(SqlErrorText(st.WithContext("restore")), "The log in this backup set begins at LSN 7.");
  EXPECT_EQ(SqlErrorNumber(Status::TargetIo("disk full")), 0);
  EXPECT_EQ(SqlErrorText(Status::TargetIo("disk full")), "disk full");
  EXPECT_EQ(SqlErrorNumber(Status::Ok()), 0);
  // A list: the first error's.
  SqlMessages two;
  two.Add(SqlError{3201, 16, 2, "Cannot open backup device 'x'.", 3, ""});
  two.Add(SqlError{3013, 16, 1, "BACKUP DATABASE is terminating abnormally.", 3, ""});
  EXPECT_EQ(SqlErrorNumber(ToStatus(two)), 3201);
  EXPECT_EQ(SqlErrorText(ToStatus(two)), "Cannot open backup device 'x'.");
}

TEST(SqlErrorTest, OneLinePerErrorAndLineOneLeftOut) {
  SqlMessages m;
  m.Add(SqlError{102, 15, 1, "Incorrect syntax\nnear 'x'.", 3, ""});
  m.Add(SqlError{105, 15, 1, "Unclosed quotation mark.", 1, ""});
  Status st = ToStatus(m);
  EXPECT_EQ(st.message(),
            "Msg 102, Level 15, State 1, Line 3: Incorrect syntax near 'x'.\n"
            "Msg 105, Level 15, State 1: Unclosed quotation mark.");
  SqlMessages back = SqlMessagesFromStatus(st);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.items()[0].line, 3);
  EXPECT_EQ(back.items()[0].text, "Incorrect syntax near 'x'.");
  EXPECT_EQ(back.items()[1], m.items()[1]);
  EXPECT_TRUE(ToStatus(SqlMessages{}).ok());
}

TEST(SqlErrorTest, OnlyKSqlErrorStatusesDecodeIntoTheirErrors) {
  // Another code keeps its message whole in one generic error (the executor's behaviour for
  // corrupt or missing media).
  Status corrupt = SqlErrorStatus(3183, "RESTORE detected an error.", ErrorCode::kIntegrity);
  SqlMessages m = SqlMessagesFromStatus(corrupt);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.items()[0].number, 50000);
  EXPECT_EQ(m.items()[0].level, 16);
  EXPECT_EQ(m.items()[0].text, corrupt.message());
  // A kSqlError Status with a line of another shape is generic too.
  SqlMessages other = SqlMessagesFromStatus(Status::SqlError("Msg 1, Level 16, State 1: a\nb"));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other.items()[0].number, 50000);
}

}  // namespace
}  // namespace vdibk::emulator
