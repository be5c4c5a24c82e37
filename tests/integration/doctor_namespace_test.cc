// The container failure mode without containers: vdi-emulator runs in its own IPC and mount
// namespace with a private tmpfs on /dev/shm (`unshare --mount --ipc`). `vdibackup doctor` reports
// the namespace mismatch (exit 78), `vdibackup backup` exits 78 at once with the fix (and, with
// the preflight off, 78 with the /dev/shm hint instead of 7 or a timeout); with the emulator in
// our namespaces both succeed.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::Subprocess;

// `s` as one sh word.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Outcome RunMerged(const std::vector<std::string>& argv, const std::string& env = "") {
  std::string cmd = "exec " + env;
  for (const std::string& a : argv) cmd += " " + ShellQuote(a);
  const auto t0 = Clock::now();
  Subprocess p({"/bin/sh", "-c", cmd + " 2>&1"});
  Outcome r;
  while (auto line = p.ReadLine(120s)) r.out += *line + "\n";
  auto st = p.Wait(60s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

const char* kUnshare = "/usr/bin/unshare";

class DoctorContainerModeTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override { CreateDatabase("sales", "8M"); }
  // Starts the emulator in our namespaces, or (isolated) in new IPC and mount namespaces with a
  // private /dev/shm. Returns false with `why` when that is not permitted here.
  bool StartEmulator(bool isolated, std::string* why) {
    const std::string serve = "'" + Bin("vdi-emulator") + "' serve --data-dir '" + data_ +
                              "' --listen '" + endpoint_ + "'";
    if (!isolated) {
      server_ =
          std::make_unique<Subprocess>(std::vector<std::string>{"/bin/sh", "-c", "exec " + serve});
    } else {
      if (!fs::exists(kUnshare)) {
        *why = "unshare(1) is not installed";
        return false;
      }
      Outcome probe = RunMerged({kUnshare, "--mount", "--ipc", "--propagation", "private",
                                 "/bin/sh", "-c", "mount -t tmpfs tmpfs /dev/shm"});
      if (probe.exit_code != 0) {
        *why = "unshare --mount --ipc + mount tmpfs not permitted: " + probe.out;
        return false;
      }
      server_ = std::make_unique<Subprocess>(std::vector<std::string>{
          kUnshare, "--mount", "--ipc", "--propagation", "private", "/bin/sh", "-c",
          "mount -t tmpfs tmpfs /dev/shm && exec " + serve});
    }
    if (!server_->WaitForLine("vdi-emulator: listening on", 20s)) {
      *why = "the emulator did not start";
      return false;
    }
    return true;
  }
  std::vector<std::string> DoctorArgv() {
    return {Bin("vdibackup"), "doctor", "--repo", repo_, "--server", endpoint_, "--devices", "1"};
  }
  std::vector<std::string> BackupArgv() {
    return {Bin("vdibackup"), "backup",  "--database", "sales", "--repo",       repo_,
            "--server",       endpoint_, "--devices",  "1",     "--no-progress"};
  }
};

TEST_F(DoctorContainerModeTest, SeparateIpcNamespaceAndShmFailWithExit78AndTheFix) {
  std::string why;
  if (!StartEmulator(true, &why)) GTEST_SKIP() << why;
  Outcome d = RunMerged(DoctorArgv());
  EXPECT_EQ(d.exit_code, 78) << d.out;
  EXPECT_NE(d.out.find("FAIL  namespace"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("SQL Server pid " + std::to_string(server_->pid())), std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("fix: run vdibackup in SQL Server's IPC namespace"), std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("PASS  sqlcmd"), std::string::npos) << d.out;

  // The backup stops in its preflight, before any device set exists.
  Outcome b = RunMerged(BackupArgv());
  EXPECT_EQ(b.exit_code, 78) << b.out;
  EXPECT_LT(b.seconds, 5.0) << b.out;
  EXPECT_NE(b.out.find("preflight failed"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("/dev/shm"), std::string::npos) << b.out;
  EXPECT_EQ(b.out.find("running: BACKUP"), std::string::npos) << b.out;

  // Without the preflight the server's Msg 3201 becomes 78 with the hint: never 7, never a
  // VDI timeout (the emulator gives up opening the set after 5 s).
  Outcome late = RunMerged(BackupArgv(), "env VDIBACKUP_PREFLIGHT=0");
  EXPECT_EQ(late.exit_code, 78) << late.out;
  EXPECT_LT(late.seconds, 30.0) << late.out;
  EXPECT_NE(late.out.find("Cannot open backup device"), std::string::npos) << late.out;
  EXPECT_NE(late.out.find("hint: SQL Server could not open the virtual device set"),
            std::string::npos)
      << late.out;
  EXPECT_TRUE(fs::is_empty(repo_ + "/sales") || !fs::exists(repo_ + "/sales")) << late.out;
}

TEST_F(DoctorContainerModeTest, SharedNamespacesPassAndTheBackupWorks) {
  std::string why;
  ASSERT_TRUE(StartEmulator(false, &why)) << why;
  Outcome d = RunMerged(DoctorArgv());
  EXPECT_EQ(d.exit_code, 0) << d.out;
  EXPECT_NE(d.out.find("PASS  namespace"), std::string::npos) << d.out;
  Outcome b = RunMerged(BackupArgv());
  EXPECT_EQ(b.exit_code, 0) << b.out;
}

}  // namespace
}  // namespace vdibk::coordinator
