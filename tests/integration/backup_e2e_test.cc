// vdibackup end to end: `vdi-emulator serve` plays SQL Server, `vdibackup backup` with real
// workers writes stripes (also with more workers than devices: fan-out), the stock lz4 CLI +
// RESTORE through the emulator proves them; a worker (owner or encoder) killed with SIGKILL
// mid-backup fails the backup cleanly.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Children;
using vdibk::testing::Finish;
using vdibk::testing::Outcome;
using vdibk::testing::ReadAll;
using vdibk::testing::RunProgram;
using vdibk::testing::SetDirs;
using vdibk::testing::Subprocess;

class BackupE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void StartEmulator(const std::string& fault = "") {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartServer(FaultArgs(fault));
  }
  std::vector<std::string> BackupArgv(int devices, int workers) {
    return {Bin("vdibackup"), "backup",
            "--database",     "sales",
            "--repo",         repo_,
            "--devices",      std::to_string(devices),
            "--workers",      std::to_string(workers),
            "--server",       endpoint_,
            "--json"};
  }
  // Backs up with `devices`/`workers`, decompresses every stripe with the lz4 CLI, restores them
  // as database `copy` and compares its files with the source's.
  void BackupAndRestore(int devices, int workers, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = BackupArgv(devices, workers);
    argv.insert(argv.end(), extra.begin(), extra.end());
    Outcome b = RunProgram(argv);
    ASSERT_EQ(b.exit_code, 0) << b.out;
    EXPECT_NE(b.out.find("\"status\":\"ok\""), std::string::npos) << b.out;
    std::vector<fs::path> sets = SetDirs(repo_, "sales");
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_TRUE(fs::exists(sets[0] / "manifest.vdbk"));
    std::string from;
    for (int i = 1; i <= devices; ++i) {
      char name[64];
      std::snprintf(name, sizeof(name), "stripe-%02d-of-%02d.lz4", i, devices);
      const fs::path stripe = sets[0] / name;
      ASSERT_TRUE(fs::exists(stripe)) << stripe;
      const std::string bak = dir_.Join("s" + std::to_string(i) + ".bak");
      Outcome d =
          RunProgram({"/bin/sh", "-c", "lz4 -dc '" + stripe.string() + "' > '" + bak + "'"});
      ASSERT_EQ(d.exit_code, 0) << d.out;
      from += std::string(i > 1 ? ", " : "") + "DISK='" + bak + "'";
    }
    Outcome r = Sql("RESTORE DATABASE copy FROM " + from +
                    " WITH MOVE 'sales' TO 'copy.mdf', MOVE 'sales_log' TO 'copy_log.ldf'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(ReadAll(data_ + "/sales/sales.mdf"), ReadAll(data_ + "/copy/copy.mdf"));
    EXPECT_EQ(ReadAll(data_ + "/sales/sales_log.ldf"), ReadAll(data_ + "/copy/copy_log.ldf"));
    EXPECT_GT(ReadAll(data_ + "/copy/copy.mdf").size(), 0u);
  }
};

TEST_F(BackupE2eTest, OneDeviceOneWorkerRestoresByteIdentical) {
  StartEmulator();
  BackupAndRestore(1, 1);
}

TEST_F(BackupE2eTest, FourDevicesTwoWorkersRestoreByteIdentical) {
  StartEmulator();
  BackupAndRestore(4, 2);
}

// More workers than devices: a device's buffers fan out to several encoders (proto §9); 64 KiB
// transfers make hundreds of frames go through every encoder out of order.
TEST_F(BackupE2eTest, OneDeviceTwoWorkersFanOutRestoresByteIdentical) {
  StartEmulator();
  BackupAndRestore(1, 2);
}

TEST_F(BackupE2eTest, OneDeviceEightWorkersFanOutWithSmallTransfersRestoresByteIdentical) {
  StartEmulator();
  BackupAndRestore(1, 8, {"--max-transfer-size", "65536"});
}

TEST_F(BackupE2eTest, FourDevicesEightWorkersRestoreByteIdentical) {
  StartEmulator();
  BackupAndRestore(4, 8, {"--max-transfer-size", "65536", "--compression", "none"});
}

TEST_F(BackupE2eTest, SixteenDevicesTwoWorkersRestoreByteIdentical) {
  StartEmulator();
  BackupAndRestore(16, 2, {"--max-transfer-size", "65536"});
}

TEST_F(BackupE2eTest, SqlErrorIsReportedWithExitCode7) {
  StartEmulator();
  std::vector<std::string> argv = BackupArgv(1, 1);
  argv[3] = "nosuchdb";
  Outcome b = RunProgram(argv);
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_NE(b.out.find("\"error\":\"sql"), std::string::npos) << b.out;
  EXPECT_TRUE(SetDirs(repo_, "nosuchdb").empty());
}

// The worker process with `--id id` among the children of `pid`, or 0.
pid_t ChildWithId(pid_t pid, const std::string& id) {
  for (pid_t c : Children(pid)) {
    std::string cmdline = ReadAll("/proc/" + std::to_string(c) + "/cmdline");
    if (cmdline.find(std::string("--id") + '\0' + id + '\0') != std::string::npos) return c;
  }
  return 0;
}

// Kills worker `victim` (an owner, or under fan-out an encoder) once the stripes are open.
class WorkerKilledTest : public BackupE2eTest {
 protected:
  void Run(int devices, int workers, const std::string& victim);
};

TEST_F(WorkerKilledTest, OwnerOfTwoDevicesKilledFailsTheBackupCleanly) { Run(2, 2, "w0"); }
TEST_F(WorkerKilledTest, FanOutEncoderKilledFailsTheBackupCleanly) { Run(1, 3, "w2"); }
TEST_F(WorkerKilledTest, FanOutOwnerKilledFailsTheBackupCleanly) { Run(1, 3, "w0"); }

void WorkerKilledTest::Run(int devices, int workers, const std::string& victim) {
  StartEmulator("slow-device=0:100");  // device 0 waits 100 ms before each command
  std::vector<std::string> argv = BackupArgv(devices, workers);
  argv.insert(argv.end(), {"--max-transfer-size", "65536"});
  std::string cmd;
  for (const std::string& a : argv) cmd += "'" + a + "' ";
  Subprocess backup({"/bin/sh", "-c", "exec " + cmd + "2>&1"});
  // Mid-backup = the workers have opened their stripes (".partial" files exist).
  bool partial = false;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       !partial && std::chrono::steady_clock::now() < deadline;) {
    for (const fs::path& set : SetDirs(repo_, "sales")) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(set, ec)) {
        partial |= e.path().extension() == ".partial";
      }
    }
    if (!partial) std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(partial);
  pid_t worker = ChildWithId(backup.pid(), victim);
  ASSERT_NE(worker, 0);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  Outcome b = Finish(backup);
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_NE(b.out.find("exited unexpectedly"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;  // the BACKUP failed
  EXPECT_TRUE(SetDirs(repo_, "sales").empty()) << "set directory left behind";
  // Our set names are "vdibackup_<coordinator pid>_<hex>"; shm objects "vdibackup.<set>...".
  EXPECT_EQ(
      vdibk::testing::ShmLeftovers("vdibackup.vdibackup_" + std::to_string(backup.pid()) + "_"),
      "");
}

}  // namespace
}  // namespace vdibk::coordinator
