// End-to-end: the real `sqlcmd` binary against a SqlListener with the test executor on an ipc://
// endpoint; checks stdout byte-for-byte and exit codes with and without -b.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "emulator/frontend/sql_listener.h"
#include "emulator/frontend/test_executor.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator::frontend {
namespace {

struct SqlcmdRun {
  std::string out;
  int exit_code = -1;
};

class SqlcmdE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqlListenerOptions o;
    o.endpoint = "ipc://" + dir_.Join("sock/sql.sock");
    o.server_name = "emuhost";
    auto l = SqlListener::Start(o, &executor_);
    ASSERT_OK(l);
    listener_ = std::move(l).value();
  }

  SqlcmdRun Sqlcmd(std::vector<std::string> args, bool use_server = true) {
    std::vector<std::string> argv = {vdibk::testing::BinDir() + "/sqlcmd"};
    if (use_server) {
      argv.push_back("-S");
      argv.push_back(listener_->endpoint());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    vdibk::testing::Subprocess p(argv);
    SqlcmdRun run;
    while (auto line = p.ReadLine(std::chrono::seconds(30))) run.out += *line + "\n";
    auto status = p.Wait(std::chrono::seconds(30));
    if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
    return run;
  }

  vdibk::testing::TempDir dir_;
  TestStatementExecutor executor_;
  std::unique_ptr<SqlListener> listener_;
};

TEST_F(SqlcmdE2eTest, SelectOne) {
  SqlcmdRun r = Sqlcmd({"-U", "sa", "-P", "x", "-Q", "SELECT 1"});
  EXPECT_EQ(r.out, "           \n-----------\n          1\n\n(1 rows affected)\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, BackupSuccess) {
  SqlcmdRun r = Sqlcmd(
      {"-Q", "BACKUP DATABASE db1 TO VIRTUAL_DEVICE='set' WITH FORMAT, MAXTRANSFERSIZE=1048576"});
  EXPECT_EQ(r.out,
            "Processed 344 pages for database 'db1', file 'db1' on file 1.\n"
            "Processed 2 pages for database 'db1', file 'db1_log' on file 1.\n"
            "BACKUP DATABASE successfully processed 346 pages in 0.120 seconds (22.526 MB/sec).\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, SqlErrorExitCodeDependsOnDashB) {
  const std::string expected =
      "Msg 911, Level 16, State 11, Server emuhost, Line 1\n"
      "Database 'missing' does not exist. Make sure that the name is entered correctly.\n"
      "Msg 3013, Level 16, State 1, Server emuhost, Line 1\n"
      "BACKUP DATABASE is terminating abnormally.\n";
  SqlcmdRun plain = Sqlcmd({"-Q", "BACKUP DATABASE missing TO VIRTUAL_DEVICE='s'"});
  EXPECT_EQ(plain.out, expected);
  EXPECT_EQ(plain.exit_code, 0);
  SqlcmdRun with_b = Sqlcmd({"-b", "-Q", "BACKUP DATABASE missing TO VIRTUAL_DEVICE='s'"});
  EXPECT_EQ(with_b.out, expected);
  EXPECT_EQ(with_b.exit_code, 1);
  SqlcmdRun high_v =
      Sqlcmd({"-b", "-V", "17", "-Q", "BACKUP DATABASE missing TO VIRTUAL_DEVICE='s'"});
  EXPECT_EQ(high_v.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, SyntaxErrorAndValidation) {
  SqlcmdRun r = Sqlcmd({"-b", "-Q", "BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH BLOCKSIZE=1000"});
  EXPECT_EQ(r.out,
            "Msg 3253, Level 16, State 1, Server emuhost, Line 1\n"
            "The block size parameter must supply a value that is a power of 2.\n"
            "Msg 3013, Level 16, State 1, Server emuhost, Line 1\n"
            "BACKUP DATABASE is terminating abnormally.\n");
  EXPECT_EQ(r.exit_code, 1);
  SqlcmdRun s = Sqlcmd({"-Q", "SELECT 1\nBACKUP DATABSE d"});
  EXPECT_EQ(
      s.out,
      "Msg 102, Level 15, State 1, Server emuhost, Line 2\nIncorrect syntax near 'DATABSE'.\n");
  EXPECT_EQ(s.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, InputFileWithGoAndFormattingOptions) {
  std::string path = dir_.Join("script.sql");
  std::ofstream(path) << "PRINT 'first'\nGO\nSELECT 'abc' AS name, 42 AS n\nGO 2\n";
  SqlcmdRun r = Sqlcmd({"-i", path, "-h", "-1", "-W", "-s", "|"});
  EXPECT_EQ(r.out, "first\nabc|42\n\n(1 rows affected)\nabc|42\n\n(1 rows affected)\n");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, DashBStopsAtFirstFailingBatch) {
  std::string path = dir_.Join("two.sql");
  std::ofstream(path) << "DROP DATABASE nosuch\nGO\nPRINT 'after'\n";
  SqlcmdRun r = Sqlcmd({"-b", "-i", path});
  EXPECT_EQ(r.out,
            "Msg 3701, Level 11, State 1, Server emuhost, Line 1\n"
            "Cannot drop the database 'nosuch', because it does not exist or you do not have "
            "permission.\n");
  EXPECT_EQ(r.exit_code, 1);
  SqlcmdRun go_on = Sqlcmd({"-i", path});
  EXPECT_NE(go_on.out.find("after\n"), std::string::npos);
  EXPECT_EQ(go_on.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, ConnectionProblems) {
  SqlcmdRun login = Sqlcmd({"-d", "nosuchdb", "-Q", "SELECT 1"});
  EXPECT_EQ(login.out,
            "Sqlcmd: Error: vdi-emulator : Cannot open database \"nosuchdb\" requested by the "
            "login. The login failed.\n");
  EXPECT_EQ(login.exit_code, 1);
  SqlcmdRun none =
      Sqlcmd({"-S", "ipc://" + dir_.Join("none.sock"), "-l", "1", "-Q", "SELECT 1"}, false);
  EXPECT_EQ(none.out.rfind("Sqlcmd: Error: vdi-emulator : Login timeout expired.\n", 0), 0u);
  EXPECT_EQ(none.exit_code, 1);
  SqlcmdRun remote = Sqlcmd({"-S", "far.example.com", "-Q", "SELECT 1"}, false);
  EXPECT_EQ(remote.exit_code, 1);
}

TEST_F(SqlcmdE2eTest, UsageErrorsAndHelp) {
  SqlcmdRun bad = Sqlcmd({"-n"});
  EXPECT_EQ(bad.out, "");  // the message goes to stderr
  EXPECT_EQ(bad.exit_code, 1);
  SqlcmdRun help = Sqlcmd({"-?"}, false);
  EXPECT_EQ(help.out.rfind("usage: sqlcmd", 0), 0u);
  EXPECT_EQ(help.exit_code, 0);
}

TEST_F(SqlcmdE2eTest, QueryTimeoutCancelsLongBackup) {
  SqlcmdRun r = Sqlcmd({"-b", "-t", "1", "-Q", "BACKUP DATABASE slow TO VIRTUAL_DEVICE='s'"});
  EXPECT_NE(r.out.find("1 percent processed.\n"), std::string::npos);
  EXPECT_NE(r.out.find("Sqlcmd: Warning: vdi-emulator : Query timeout expired.\n"),
            std::string::npos);
  EXPECT_EQ(r.exit_code, 1);
}

// -t N bounds a statement that sends nothing at all (no keepalive resets it), and the server's
// statement is cancelled.
TEST_F(SqlcmdE2eTest, QueryTimeoutCancelsSilentStatement) {
  const auto start = std::chrono::steady_clock::now();
  SqlcmdRun r = Sqlcmd({"-b", "-t", "1", "-Q", "BACKUP DATABASE silent TO VIRTUAL_DEVICE='s'"});
  EXPECT_EQ(r.out, "Sqlcmd: Warning: vdi-emulator : Query timeout expired.\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(executor_.WaitForCancelled(1, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace vdibk::emulator::frontend
