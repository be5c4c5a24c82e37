// The doctor as a whole: check order and results, the backup/restore preflight (exit 78 with the
// fix), the 3201 hint, the SQL identity rules, option parsing and the report formats.
#include "coordinator/doctor/doctor_runner.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "coordinator/cli/doctor_command.h"
#include "tests/harness/programs.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/doctor/doctor_fake_system.h"

namespace vdibk::coordinator {
namespace {

// A fake sqlcmd that answers SELECT 1 and SERVERPROPERTY('ProcessID') with `pid`.
std::string GoodSqlcmd(const vdibk::testing::TempDir& dir, int pid) {
  return WriteFakeSqlcmd(dir, "case \"$5\" in\n  *ProcessID*) echo " + std::to_string(pid) +
                                  ";;\n  *) echo 1;;\nesac\n");
}

class DoctorRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys.space = FsSpace{1024 * kMiB, 1024 * kMiB};
    sys.files["/proc/" + std::to_string(getpid()) + "/comm"] = "vdi-emulator\n";
    sys.env["VDIBACKUP_SHM_MODE"] = std::nullopt;
    sys.env["VDIBACKUP_PREFLIGHT"] = std::nullopt;
    plan.sqlcmd = GoodSqlcmd(dir, getpid());
    plan.server = "srv";
    plan.repo = dir.path();
  }
  vdibk::testing::TempDir dir;
  FakeDoctorSystem sys;
  DoctorPlan plan;
};

TEST_F(DoctorRunnerTest, AllChecksPassInOrder) {
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  plan.tapes = {"/dev/null"};
  std::vector<CheckResult> results = RunDoctorChecks(plan, sys, sql);
  std::vector<std::string> names;
  for (const CheckResult& r : results) {
    names.push_back(r.name);
    EXPECT_EQ(r.status, CheckStatus::kPass) << r.name << ": " << r.detail;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"shm-space", "sqlcmd", "shm-probe", "libsqlvdi",
                                             "namespace", "repo", "tape /dev/null"}));
  // The "server" is this process: the probe used its credentials.
  EXPECT_TRUE(Has(results[2].detail, "SQL Server process " + std::to_string(getpid())))
      << results[2].detail;
}

TEST_F(DoctorRunnerTest, PreflightPassesAndSkipsNonFatalChecks) {
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  EXPECT_TRUE(RunPreflight(plan, sys, sql).ok());
}

// The preflight runs before every backup and restore: one sqlcmd run (a process start and a
// login) both checks the connection and finds the server's process for the namespace check.
TEST_F(DoctorRunnerTest, PreflightRunsSqlcmdOnce) {
  const std::string runs = dir.Join("runs");
  plan.sqlcmd =
      WriteFakeSqlcmd(dir, "echo \"$5\" >> " + runs + "\necho " + std::to_string(getpid()) + "\n");
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  EXPECT_TRUE(RunPreflight(plan, sys, sql).ok());
  EXPECT_EQ(vdibk::testing::ReadAll(runs), "SELECT SERVERPROPERTY('ProcessID')\n");
}

TEST_F(DoctorRunnerTest, PreflightFailsWithConfigurationAndTheFix) {
  sys.space = FsSpace{kMiB, kMiB};
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  Status st = RunPreflight(plan, sys, sql);
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_EQ(ExitCodeFor(st.code()), 78);
  EXPECT_TRUE(Has(st.message(), "shm-space: /dev/shm")) << st.message();
  EXPECT_TRUE(Has(st.message(), "Fix: grow /dev/shm")) << st.message();
}

TEST_F(DoctorRunnerTest, PreflightFailsOnANamespaceMismatch) {
  sys.links["/proc/" + std::to_string(getpid()) + "/ns/ipc"] = "ipc:[1]";
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  Status st = RunPreflight(plan, sys, sql);
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(Has(st.message(), "namespace:")) << st.message();
}

TEST_F(DoctorRunnerTest, PreflightFailsWhenSqlcmdIsMissing) {
  plan.sqlcmd = dir.Join("no-sqlcmd");
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  Status st = RunPreflight(plan, sys, sql);
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(Has(st.message(), "sqlcmd:")) << st.message();
}

TEST_F(DoctorRunnerTest, PreflightCanBeSwitchedOff) {
  sys.space = FsSpace{kMiB, kMiB};
  sys.env["VDIBACKUP_PREFLIGHT"] = "0";
  SqlcmdRunner sql(plan.sqlcmd, plan.server);
  EXPECT_TRUE(RunPreflight(plan, sys, sql).ok());
}

TEST_F(DoctorRunnerTest, SqlUidFlagAndGroupsWinOverTheServerProcess) {
  plan.sql_uid = 10001;
  plan.sql_gids = {7, 8};
  SqlIdentity who = ResolveSqlIdentity(plan, sys, getpid());
  EXPECT_EQ(who.creds.uid, 10001u);
  EXPECT_EQ(who.creds.gids, (std::vector<uint32_t>{7, 8}));
  EXPECT_TRUE(who.groups_known);
  EXPECT_EQ(who.source, "--sql-uid");
}

TEST_F(DoctorRunnerTest, DefaultIdentityIsUid10001FromPasswdWhenKnown) {
  sys.user_set = true;
  sys.user = std::nullopt;  // no passwd entry
  SqlIdentity who = ResolveSqlIdentity(plan, sys, std::nullopt);
  EXPECT_EQ(who.creds.uid, 10001u);
  EXPECT_FALSE(who.groups_known);
  sys.user = Credentials{10001, {0, 10001}};
  who = ResolveSqlIdentity(plan, sys, std::nullopt);
  EXPECT_TRUE(who.groups_known);
  EXPECT_EQ(who.creds.gids, (std::vector<uint32_t>{0, 10001}));
}

TEST(DoctorHintTest, DeviceOpenFailureBecomesAConfigurationErrorWithTheHint) {
  Status st = ExplainDeviceOpenFailure(Status::SqlError(
      "the BACKUP statement failed before it reached VDI (exit 1): Cannot open backup device "
      "'s-0'. Operating system error 0x80770004(the virtual device set does not exist)."));
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(Has(st.message(), "/dev/shm")) << st.message();
  EXPECT_TRUE(Has(st.message(), "IPC namespace")) << st.message();
  EXPECT_TRUE(Has(st.message(), "Cannot open backup device 's-0'")) << st.message();
  // Other SQL errors and other codes pass unchanged.
  Status other = Status::SqlError("Database 'x' does not exist.");
  EXPECT_EQ(ExplainDeviceOpenFailure(other).code(), ErrorCode::kSqlError);
  Status aborted = Status::Aborted("Cannot open backup device. Operating system error 5");
  EXPECT_EQ(ExplainDeviceOpenFailure(aborted).code(), ErrorCode::kAborted);
}

TEST(DoctorOptionsTest, DefaultsAndFlags) {
  Result<DoctorOptions> o = ParseDoctorOptions(
      {"--devices", "2", "--max-transfer-size", "1048576", "--tape", "/dev/nst0", "--tape",
       "/dev/nst1", "--sql-uid", "10001", "--sql-gid", "0", "--json", "--server", "s"},
      "/bin-dir");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->plan.buffer_count, 8u);  // 4 per device
  EXPECT_EQ(o->plan.max_transfer_size, 1048576u);
  EXPECT_EQ(o->plan.tapes.size(), 2u);
  EXPECT_EQ(o->plan.sql_uid, 10001u);
  EXPECT_EQ(o->plan.sqlcmd, "/bin-dir/sqlcmd");
  EXPECT_EQ(o->plan.server, "s");
  EXPECT_TRUE(o->json);
  EXPECT_EQ(ParseDoctorOptions({"--bogus"}, ".").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseDoctorOptions({"--max-transfer-size", "1000"}, ".").status().code(),
            ErrorCode::kUsage);
}

TEST(DoctorFormatTest, TextShowsStatusAndFixJsonIsOneObject) {
  std::vector<CheckResult> results{{"shm-space", CheckStatus::kPass, "ok \"fine\"", ""},
                                   {"repo", CheckStatus::kFail, "denied", "chown it"}};
  const std::string text = FormatDoctorText(results);
  EXPECT_TRUE(Has(text, "PASS  shm-space")) << text;
  EXPECT_TRUE(Has(text, "FAIL  repo       denied\n      fix: chown it\n")) << text;
  EXPECT_TRUE(Has(text, "2 checks: 1 failed")) << text;
  const std::string json = FormatDoctorJson(results);
  EXPECT_EQ(json.rfind("{\"status\":\"fail\",\"checks\":[{\"name\":\"shm-space\"", 0), 0u) << json;
  EXPECT_TRUE(Has(json, "\"detail\":\"ok \\\"fine\\\"\"")) << json;
  EXPECT_TRUE(Has(json, "\"status\":\"fail\",\"detail\":\"denied\",\"fix\":\"chown it\"")) << json;
}

}  // namespace
}  // namespace vdibk::coordinator
