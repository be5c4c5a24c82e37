// SqlcmdRunner against a fake sqlcmd script: arguments, captured output, exit codes.
#include "coordinator/sql/sql_runner.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

std::string WriteScript(const vdibk::testing::TempDir& dir, const std::string& body) {
  const std::string path = dir.Join("fake-sqlcmd");
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0700);
  return path;
}

TEST(SqlRunnerTest, PassesServerAndStatementAndCapturesOutput) {
  vdibk::testing::TempDir dir;
  SqlcmdRunner runner(WriteScript(dir, "echo \"args: $*\"\necho oops >&2\nexit 0\n"), "srv");
  Result<std::unique_ptr<SqlExecution>> e = runner.Start("SELECT 1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExitInfo x = (*e)->Wait();
  EXPECT_TRUE(x.ok());
  EXPECT_NE((*e)->Output().find("args: -S srv -b -Q SELECT 1"), std::string::npos)
      << (*e)->Output();
  EXPECT_NE((*e)->Output().find("oops"), std::string::npos);
}

TEST(SqlRunnerTest, ReportsFailureAndSummarizesMessages) {
  vdibk::testing::TempDir dir;
  SqlcmdRunner runner(WriteScript(dir,
                                  "echo 'Msg 911, Level 16, State 1, Server x, Line 1'\n"
                                  "echo \"Database 'd' does not exist.\"\nexit 1\n"),
                      ".");
  Result<std::unique_ptr<SqlExecution>> e = runner.Start("BACKUP");
  ASSERT_TRUE(e.ok());
  ExitInfo x = (*e)->Wait();
  EXPECT_EQ(x.exit_code, 1);
  EXPECT_EQ(SummarizeSqlErrors((*e)->Output()), "Database 'd' does not exist.");
  EXPECT_EQ(SummarizeSqlErrors("plain failure\n"), "plain failure");
}

TEST(SqlRunnerTest, CancelEndsALongStatement) {
  vdibk::testing::TempDir dir;
  SqlcmdRunner runner(WriteScript(dir, "echo started\nexec sleep 60\n"), ".");
  Result<std::unique_ptr<SqlExecution>> e = runner.Start("WAITFOR");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE((*e)->Poll().has_value());
  (*e)->Cancel();
  ExitInfo x = (*e)->Wait();
  EXPECT_EQ(x.signal, SIGTERM);
}

TEST(SqlRunnerTest, MissingProgramIsAConfigurationError) {
  SqlcmdRunner runner("/nonexistent/sqlcmd", ".");
  EXPECT_EQ(runner.Start("x").status().code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace vdibk::coordinator
