// ClassifyStatement: a statement succeeded (exit 0), failed (the server's error of level >= 11)
// or has no verdict (lost connection, killed client, timeout) — the distinction that decides
// whether a backup the server may have committed can be thrown away.
#include "coordinator/sql/statement_outcome.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

TEST(StatementOutcomeTest, ExitZeroSucceeded) {
  EXPECT_EQ(ClassifyStatement({0, 0}, "BACKUP DATABASE successfully processed 10 pages.\n").verdict,
            StatementVerdict::kSucceeded);
}

TEST(StatementOutcomeTest, ServerErrorIsFailedWithItsText) {
  const StatementOutcome o =
      ClassifyStatement({1, 0},
                        "Msg 3201, Level 16, State 1, Server x, Line 1\nCannot open backup "
                        "device 'd'.\nMsg 3013, Level 16, State 1, Server x, Line 1\nBACKUP "
                        "DATABASE is terminating abnormally.\n");
  EXPECT_EQ(o.verdict, StatementVerdict::kFailed);
  EXPECT_NE(o.detail.find("Cannot open backup device"), std::string::npos) << o.detail;
  EXPECT_NE(o.detail.find("terminating abnormally"), std::string::npos) << o.detail;
}

TEST(StatementOutcomeTest, ServerErrorThenLostConnectionIsStillFailed) {
  EXPECT_EQ(ClassifyStatement({1, 0},
                              "Msg 3013, Level 16, State 1, Server x, Line 1\nBACKUP LOG is "
                              "terminating abnormally.\nSqlcmd: Error: Communication link "
                              "failure.\n")
                .verdict,
            StatementVerdict::kFailed);
}

TEST(StatementOutcomeTest, LostConnectionIsUnknown) {
  const StatementOutcome o = ClassifyStatement(
      {1, 0},
      "Processed 100 pages.\nSqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : "
      "Communication link failure.\n");
  EXPECT_EQ(o.verdict, StatementVerdict::kUnknown);
  EXPECT_NE(o.detail.find("Communication link failure"), std::string::npos) << o.detail;
  EXPECT_NE(o.detail.find("exit code 1"), std::string::npos) << o.detail;
}

TEST(StatementOutcomeTest, KilledClientAndTimeoutAreUnknown) {
  const StatementOutcome killed = ClassifyStatement({-1, 9}, "");
  EXPECT_EQ(killed.verdict, StatementVerdict::kUnknown);
  EXPECT_NE(killed.detail.find("signal 9"), std::string::npos) << killed.detail;
  EXPECT_EQ(
      ClassifyStatement({1, 0}, "Sqlcmd: Warning: vdi-emulator : Query timeout expired.\n").verdict,
      StatementVerdict::kUnknown);
}

TEST(StatementOutcomeTest, InformationalMessagesAreNotServerErrors) {
  EXPECT_FALSE(HasServerError("Msg 50000, Level 10, State 1, Server x, Line 1\nhello\n"));
  EXPECT_TRUE(HasServerError("Msg 50000, Level 11, State 1, Server x, Line 1\nhello\n"));
  EXPECT_FALSE(HasServerError("Msg 12, Level x\n"));
  EXPECT_FALSE(HasServerError("Message: Msg 3013, Level 16\n"));  // not at the start of a line
  EXPECT_EQ(
      ClassifyStatement({1, 0}, "Msg 50000, Level 10, State 1, Server x, Line 1\nhi\n").verdict,
      StatementVerdict::kUnknown);
}

}  // namespace
}  // namespace vdibk::coordinator
