// vdibackup doctor --config: the agent's YAML config as the defaults of the doctor plan (the
// command line overrides it), and the listen check on real sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "coordinator/doctor/doctor_checks.h"
#include "coordinator/cli/doctor_command.h"
#include "coordinator/doctor/doctor_runner.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using vdibk::testing::TempDir;

std::string WriteConfig(const TempDir& dir, const std::string& text) {
  const std::string path = dir.Join("agent.yaml");
  std::ofstream(path) << text;
  return path;
}

const char* kConfig =
    "listen: 127.0.0.1:8089\n"
    "repo: /srv/backups\n"
    "server: ipc:///run/sql.sock\n"
    "sqlcmd: /opt/mssql-tools/bin/sqlcmd\n"
    "defaults:\n  devices: 3\n  buffer_count: 20\n  max_transfer_size: 1048576\n"
    "tapes: [/dev/nst0, /dev/nst1]\n";

TEST(DoctorConfigTest, TheAgentsConfigGivesThePlan) {
  TempDir dir;
  Result<DoctorOptions> o = ParseDoctorOptions({"--config", WriteConfig(dir, kConfig)}, "/bin");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->plan.repo, "/srv/backups");
  EXPECT_EQ(o->plan.server, "ipc:///run/sql.sock");
  EXPECT_EQ(o->plan.sqlcmd, "/opt/mssql-tools/bin/sqlcmd");
  EXPECT_EQ(o->plan.buffer_count, 20u);
  EXPECT_EQ(o->plan.max_transfer_size, 1048576u);
  EXPECT_EQ(o->plan.tapes, (std::vector<std::string>{"/dev/nst0", "/dev/nst1"}));
  ASSERT_TRUE(o->plan.listen);
  EXPECT_EQ(o->plan.listen->first, "127.0.0.1");
  EXPECT_EQ(o->plan.listen->second, 8089);
}

// As backup would take them (DefaultBufferArea): 4 per device, transfers halved to stay in 64 MiB.
TEST(DoctorConfigTest, WithoutBufferSettingsItIsBackupsDefaultForTheConfiguredDevices) {
  TempDir dir;
  Result<DoctorOptions> o = ParseDoctorOptions(
      {"--config", WriteConfig(dir, "repo: /r\ndefaults:\n  devices: 5\n")}, "/bin");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->plan.buffer_count, 20u);
  EXPECT_EQ(o->plan.max_transfer_size, 2u << 20);
  EXPECT_EQ(o->plan.sqlcmd, "/bin/sqlcmd");  // as the agent: the default next to vdibackup
}

TEST(DoctorConfigTest, CommandLineOptionsOverrideTheFileInAnyOrder) {
  TempDir dir;
  const std::string cfg = WriteConfig(dir, kConfig);
  Result<DoctorOptions> o =
      ParseDoctorOptions({"--repo", "/other", "--config", cfg, "--buffer-count", "7", "--tape",
                          "/dev/st9", "--server", "s2", "--max-transfer-size", "65536"},
                         "/bin");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->plan.repo, "/other");
  EXPECT_EQ(o->plan.buffer_count, 7u);
  EXPECT_EQ(o->plan.max_transfer_size, 65536u);
  EXPECT_EQ(o->plan.server, "s2");
  EXPECT_EQ(o->plan.tapes, std::vector<std::string>{"/dev/st9"});  // replaces the file's list
  EXPECT_EQ(o->plan.sqlcmd, "/opt/mssql-tools/bin/sqlcmd");        // not overridden
  // --devices alone recomputes the default buffer count from the new device count.
  o = ParseDoctorOptions({"--config", WriteConfig(dir, "repo: /r\n"), "--devices", "2"}, "/b");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->plan.buffer_count, 8u);
}

TEST(DoctorConfigTest, ABadConfigIsAConfigurationErrorNamingTheLine) {
  TempDir dir;
  Result<DoctorOptions> o =
      ParseDoctorOptions({"--config", WriteConfig(dir, "repo: /r\ncolour: blue\n")}, "/bin");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(o.status().message().find("line 2: colour: unknown field"), std::string::npos)
      << o.status().message();
  o = ParseDoctorOptions({"--config", dir.Join("missing.yaml")}, "/bin");
  EXPECT_EQ(o.status().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(ParseDoctorOptions({"--config"}, "/bin").status().code(), ErrorCode::kUsage);
  // A defaults value the CLI would refuse is refused in the file too.
  o = ParseDoctorOptions(
      {"--config", WriteConfig(dir, "repo: /r\ndefaults:\n  max_transfer_size: 100000\n")}, "/b");
  EXPECT_EQ(o.status().code(), ErrorCode::kConfiguration);
}

TEST(DoctorListenTest, FreeInUseAndForeignAddresses) {
  OsDoctorSystem sys;
  EXPECT_EQ(CheckListen(sys, "127.0.0.1", 0).status, CheckStatus::kPass);
  // A port with a listener: WARN (the agent itself, most likely).
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const uint16_t port = ntohs(a.sin_port);
  CheckResult busy = CheckListen(sys, "127.0.0.1", port);
  ::close(fd);
  EXPECT_EQ(busy.status, CheckStatus::kWarn) << busy.detail;
  EXPECT_NE(busy.detail.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  // TEST-NET-1 is no address of this host: FAIL with the fix.
  CheckResult foreign = CheckListen(sys, "192.0.2.1", 8080);
  EXPECT_EQ(foreign.status, CheckStatus::kFail) << foreign.detail;
  EXPECT_NE(foreign.fix.find("listen:"), std::string::npos);
  EXPECT_EQ(CheckListen(sys, "not-an-ip", 8080).status, CheckStatus::kFail);
  EXPECT_EQ(CheckListen(sys, "::1", 0).detail.rfind("[::1]:0", 0), 0u);
}

}  // namespace
}  // namespace vdibk::coordinator
