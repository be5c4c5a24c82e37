// The SQL Server doctor checks with fake sqlcmd scripts and a faked /proc: missing sqlcmd, failing
// or hanging statement, parsing the server's pid, namespace comparison.
#include <unistd.h>

#include <gtest/gtest.h>

#include "coordinator/doctor/doctor_checks.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/doctor/doctor_fake_system.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;

TEST(DoctorSqlcmdTest, MissingProgramFailsWithTheFlag) {
  FakeDoctorSystem sys;
  SqlcmdRunner sql("/nonexistent/sqlcmd", ".");
  CheckResult r = CheckSqlcmd(sys, sql, "/nonexistent/sqlcmd", ".");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "/nonexistent/sqlcmd")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "--sqlcmd")) << r.fix;
}

TEST(DoctorSqlcmdTest, FailingStatementFailsWithTheServersMessage) {
  vdibk::testing::TempDir dir;
  const std::string program =
      WriteFakeSqlcmd(dir,
                      "echo 'Msg 18456, Level 14, State 1, Server x, Line 1'\n"
                      "echo \"Login failed for user 'sa'.\"\nexit 1\n");
  FakeDoctorSystem sys;
  SqlcmdRunner sql(program, "srv");
  CheckResult r = CheckSqlcmd(sys, sql, program, "srv");
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "Login failed for user 'sa'.")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "-S srv")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "--server")) << r.fix;
}

TEST(DoctorSqlcmdTest, HangingStatementTimesOut) {
  vdibk::testing::TempDir dir;
  const std::string program = WriteFakeSqlcmd(dir, "exec sleep 60\n");
  FakeDoctorSystem sys;
  SqlcmdRunner sql(program, ".");
  const auto t0 = std::chrono::steady_clock::now();
  CheckResult r = CheckSqlcmd(sys, sql, program, ".", 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_EQ(r.status, CheckStatus::kFail);
  EXPECT_TRUE(Has(r.detail, "no answer")) << r.detail;
}

TEST(DoctorSqlcmdTest, OneStatementPassesAndNamesTheServersPid) {
  vdibk::testing::TempDir dir;
  const std::string program =
      WriteFakeSqlcmd(dir,
                      "[ \"$5\" = \"SELECT SERVERPROPERTY('ProcessID')\" ] || exit 3\n"
                      "printf '\\n-----------\\n77\\n\\n(1 rows affected)\\n'\n");
  FakeDoctorSystem sys;
  SqlcmdRunner sql(program, ".");
  Result<int> pid = 0;
  CheckResult r = CheckSqlcmd(sys, sql, program, ".", kSqlCheckTimeout, &pid);
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  EXPECT_EQ(*pid, 77);
}

TEST(DoctorSqlcmdTest, NoPidInTheOutputPassesButSaysWhy) {
  vdibk::testing::TempDir dir;
  const std::string program =
      WriteFakeSqlcmd(dir, "printf '\\n-----------\\nNULL\\n\\n(1 rows affected)\\n'\n");
  FakeDoctorSystem sys;
  SqlcmdRunner sql(program, ".");
  Result<int> pid = 1;
  CheckResult r = CheckSqlcmd(sys, sql, program, ".", kSqlCheckTimeout, &pid);
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), ErrorCode::kMissing);
}

TEST(DoctorSqlcmdTest, FailedCheckLeavesNoPid) {
  FakeDoctorSystem sys;
  SqlcmdRunner sql("/nonexistent/sqlcmd", ".");
  Result<int> pid = 1;
  CheckSqlcmd(sys, sql, "/nonexistent/sqlcmd", ".", kSqlCheckTimeout, &pid);
  ASSERT_FALSE(pid.ok());
  EXPECT_TRUE(Has(pid.status().message(), "sqlcmd check failed")) << pid.status().ToString();
}

TEST(DoctorServerPidTest, ParsesSqlcmdOutput) {
  EXPECT_EQ(ParseServerPid("\n-----------\n4242       \n\n(1 rows affected)\n"), 4242);
  EXPECT_EQ(ParseServerPid("4242\n"), 4242);
  EXPECT_FALSE(ParseServerPid("\n-----\nNULL\n\n(1 rows affected)\n").has_value());
  EXPECT_FALSE(ParseServerPid("").has_value());
}

class DoctorNamespaceTest : public ::testing::Test {
 protected:
  // Our own process plays SQL Server: same namespaces unless the fake says otherwise.
  void SetUp() override { sys.files[Proc() + "/comm"] = "vdi-emulator\n"; }
  std::string Proc() const { return "/proc/" + std::to_string(pid); }
  FakeDoctorSystem sys;
  int pid = getpid();
};

TEST_F(DoctorNamespaceTest, SameNamespacesPass) {
  CheckResult r = CheckNamespaces(sys, pid, "");
  EXPECT_EQ(r.status, CheckStatus::kPass) << r.detail;
  EXPECT_TRUE(Has(r.detail, "(same as ours)")) << r.detail;
}

TEST_F(DoctorNamespaceTest, OtherIpcNamespaceFails) {
  sys.links[Proc() + "/ns/ipc"] = "ipc:[1]";
  CheckResult r = CheckNamespaces(sys, pid, "");
  EXPECT_EQ(r.status, CheckStatus::kFail) << r.detail;
  EXPECT_TRUE(Has(r.detail, "ipc:[1] vs ours")) << r.detail;
  EXPECT_TRUE(Has(r.fix, "/dev/shm")) << r.fix;
  EXPECT_TRUE(Has(r.fix, "--ipc=container:")) << r.fix;
}

TEST_F(DoctorNamespaceTest, UnknownPidWarnsWithTheReason) {
  CheckResult r = CheckNamespaces(sys, std::nullopt, "SERVERPROPERTY gave NULL");
  EXPECT_EQ(r.status, CheckStatus::kWarn);
  EXPECT_TRUE(Has(r.detail, "SERVERPROPERTY gave NULL")) << r.detail;
}

TEST_F(DoctorNamespaceTest, InvisibleProcessWarnsAndSaysWhy) {
  sys.missing.insert(Proc());
  CheckResult r = CheckNamespaces(sys, pid, "");
  EXPECT_EQ(r.status, CheckStatus::kWarn);
  EXPECT_TRUE(Has(r.detail, "not visible here")) << r.detail;
  EXPECT_TRUE(Has(r.detail, "PID namespace")) << r.detail;
}

TEST_F(DoctorNamespaceTest, ProcessThatIsNotSqlServerWarns) {
  sys.files[Proc() + "/comm"] = "bash\n";
  CheckResult r = CheckNamespaces(sys, pid, "");
  EXPECT_EQ(r.status, CheckStatus::kWarn);
  EXPECT_TRUE(Has(r.detail, "'bash'")) << r.detail;
}

TEST_F(DoctorNamespaceTest, ServerCredentialsComeFromProcStatus) {
  sys.files[Proc() + "/status"] =
      "Uid:\t10001\t10001\t10001\t10001\nGid:\t0\t0\t0\t0\nGroups:\t0\n";
  std::optional<Credentials> c = ServerProcessCredentials(sys, pid);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->uid, 10001u);
  sys.files[Proc() + "/comm"] = "bash\n";
  EXPECT_FALSE(ServerProcessCredentials(sys, pid).has_value());
}

}  // namespace
}  // namespace vdibk::coordinator
