// vdibackup restore under faults, with real processes against `vdi-emulator serve`: a worker
// killed with SIGKILL, a worker stopped with SIGSTOP (missed heartbeats) and SIGTERM to the
// coordinator, each mid-restore, and the server aborting the set. Each must fail the RESTORE
// statement in the emulator, leave no target database (nothing online, no files, no staging),
// exit 5 (DESIGN.md §7: aborted), and leave no worker running and nothing in /dev/shm.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Alive;
using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::PollUntil;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;
using vdibk::testing::StartMerged;
using vdibk::testing::WorkerId;
using vdibk::testing::Workers;
using Child = vdibk::testing::WorkerProcess;
using vdibk::testing::ShmLeftovers;
using vdibk::testing::Subprocess;
using Clock = std::chrono::steady_clock;

// The rest of a run whose first lines (`head`) the test already read.
Outcome Finish(Subprocess& p, const std::string& head, Clock::time_point t0 = Clock::now()) {
  Outcome r = vdibk::testing::Finish(p, t0);
  r.out = head + r.out;
  return r;
}

class RestoreFaultsTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    set_name_ = TestSetName("vdbkrfault_");
    CreateDatabase("sales", "64M");
  }
  // Serves with `fault` (default: device 0 waits 50 ms before every command, so a restore in
  // 64 KiB reads takes ~25 s) and backs `sales` up over 2 devices.
  // `max_transfer`: the backup's (which verify --sql streams with).
  void ServeAndBackUp(const std::string& fault = "slow-device=0:50",
                      const std::string& max_transfer = "4194304") {
    Serve("");
    Outcome b = RunMerged({Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                           "--devices", "2", "--workers", "2", "--max-transfer-size", max_transfer,
                           "--server", endpoint_});
    ASSERT_EQ(b.exit_code, 0) << b.out;
    server_->Kill(SIGTERM);
    ASSERT_TRUE(server_->Wait(20s));
    Serve(fault);  // the faults apply to every BACKUP/RESTORE of the server
  }
  void Serve(const std::string& fault) { StartServer(FaultArgs(fault)); }

  // Starts the restore to a new name and returns once the VDI set is configured and (with
  // `mid_stream`) the server is writing its staged files (data is flowing), with the workers in
  // `workers_`.
  std::unique_ptr<Subprocess> StartRestore(bool mid_stream = true) {
    auto p = StartMerged({Bin("vdibackup"), "restore",  "--database",
                          "sales",          "--repo",   repo_,
                          "--as",           "copy",     "--move",
                          "sales=copy.mdf", "--move",   "sales_log=copy_log.ldf",
                          "--workers",      "2",        "--max-transfer-size",
                          "65536",          "--server", endpoint_,
                          "--set-name",     set_name_,  "--json"});
    EXPECT_TRUE(WaitForOutput(*p, "VDI set configured")) << head_;
    workers_ = Workers(p->pid());
    if (!mid_stream) return p;
    EXPECT_TRUE(PollUntil([&] { return StagedBytes() > 0; }, 30s)) << head_;
    workers_ = Workers(p->pid());
    EXPECT_EQ(workers_.size(), 2u) << head_;
    return p;
  }
  // Reads (and keeps in head_) the restore's output until a line contains `text`.
  bool WaitForOutput(Subprocess& p, const std::string& text) {
    while (auto l = p.ReadLine(60s)) {
      head_ += *l + "\n";
      if (l->find(text) != std::string::npos) return true;
    }
    return false;
  }
  // Bytes in the emulator's staging area of running restores.
  uint64_t StagedBytes() const {
    uint64_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(data_ + "/.vdi-emulator", ec)) {
      if (e.path().string().find("/restore-") != std::string::npos && e.is_regular_file(ec)) {
        n += e.file_size(ec);
      }
    }
    return n;
  }
  bool StagingLeft() const {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_ + "/.vdi-emulator", ec)) {
      if (e.path().filename().string().rfind("restore-", 0) == 0) return true;
    }
    return false;
  }

  // The documented end state of an aborted restore.
  // `again`: also restore the same set afterwards (not under a fault that fails every restore).
  void ExpectAbortedCleanly(const Outcome& r, int exit_code = 5, bool again = true) {
    EXPECT_EQ(r.exit_code, exit_code) << r.out;
    EXPECT_LT(r.seconds, 40.0) << r.out;
    EXPECT_NE(r.out.find("Msg 3013"), std::string::npos) << r.out;  // the RESTORE failed
    EXPECT_NE(r.out.find("\"error\":"), std::string::npos) << r.out;
    for (const Child& w : workers_) {
      if (Alive(w.pid)) {
        ADD_FAILURE() << "worker still running: " << w.pid << " " << w.cmdline;
        kill(w.pid, SIGKILL);
      }
    }
    // The server ends the statement and drops the staging (its sqlcmd may have gone first).
    EXPECT_TRUE(PollUntil([&] { return !StagingLeft() && ShmLeftovers(set_name_).empty(); }, 30s))
        << "staging left: " << StagingLeft() << ", shm: " << ShmLeftovers(set_name_);
    EXPECT_FALSE(fs::exists(data_ + "/copy")) << r.out;
    EXPECT_FALSE(fs::exists(data_ + "/.vdi-emulator/copy.meta")) << r.out;
    Outcome list = RunMerged({Bin("vdi-emulator"), "list", "--data-dir", data_});
    EXPECT_EQ(list.out.find("copy"), std::string::npos) << list.out;
    if (!again) return;
    // The source is untouched and the server still serves restores of the same set.
    Outcome ok = RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_,
                            "--as", "copy", "--move", "sales=copy.mdf", "--move",
                            "sales_log=copy_log.ldf", "--server", endpoint_});
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    EXPECT_TRUE(ReadAll(data_ + "/sales/sales.mdf") == ReadAll(data_ + "/copy/copy.mdf"));
  }

  std::string set_name_, head_;
  std::vector<Child> workers_;
};

TEST_F(RestoreFaultsTest, KilledWorkerAbortsTheRestoreWithExit5) {
  ServeAndBackUp();
  auto restore = StartRestore();
  ASSERT_EQ(workers_.size(), 2u) << head_;
  const std::string id = WorkerId(workers_[1].cmdline);
  const auto t0 = Clock::now();
  ASSERT_EQ(kill(workers_[1].pid, SIGKILL), 0);
  Outcome r = Finish(*restore, head_, t0);
  EXPECT_NE(r.out.find("worker " + id), std::string::npos) << r.out;
  ExpectAbortedCleanly(r);
}

TEST_F(RestoreFaultsTest, StoppedWorkerMissesHeartbeatsAndAbortsWithExit5) {
  ServeAndBackUp();
  auto restore = StartRestore();
  ASSERT_EQ(workers_.size(), 2u) << head_;
  const std::string id = WorkerId(workers_[1].cmdline);
  const auto t0 = Clock::now();
  ASSERT_EQ(kill(workers_[1].pid, SIGSTOP), 0);
  Outcome r = Finish(*restore, head_, t0);
  if (Alive(workers_[1].pid)) kill(workers_[1].pid, SIGKILL);  // never leave it stopped
  EXPECT_GE(r.seconds, 2.0) << r.out;                          // 3 x 1 s heartbeats
  // Our heartbeats (3 x 1 s) name the worker; libsqlvdi's own participant liveness may make the
  // server abort at the same moment, which the message then names instead.
  EXPECT_TRUE(r.out.find("worker " + id + " missed") != std::string::npos ||
              r.out.find("a participant process died") != std::string::npos)
      << r.out;
  ExpectAbortedCleanly(r);
}

TEST_F(RestoreFaultsTest, SigtermToCoordinatorAbortsTheRestoreWithExit5) {
  ServeAndBackUp();
  auto restore = StartRestore();
  ASSERT_EQ(workers_.size(), 2u) << head_;
  const auto t0 = Clock::now();
  restore->Kill(SIGTERM);
  Outcome r = Finish(*restore, head_, t0);
  EXPECT_NE(r.out.find("interrupted by a signal"), std::string::npos) << r.out;
  ExpectAbortedCleanly(r);
}

// The server aborts the set mid-restore (fault injection after 8 MiB): exit 5 with the server's
// reason, never the consequence on our side (a worker's buffer handle gone: exit 2).
TEST_F(RestoreFaultsTest, ServerAbortMidRestoreGivesTheServersReasonWithExit5) {
  ServeAndBackUp("abort-after=8388608");
  auto restore = StartRestore(/*mid_stream=*/false);
  Outcome r = Finish(*restore, head_);
  EXPECT_NE(r.out.find("the server aborted the RESTORE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("server abort after 8388608 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"error\":\"aborted\""), std::string::npos) << r.out;
  ExpectAbortedCleanly(r, 5, /*again=*/false);
}

// verify --sql runs the same machinery: a worker killed during RESTORE VERIFYONLY is exit 5, the
// statement fails, no worker is left and nothing stays in /dev/shm.
TEST_F(RestoreFaultsTest, KilledWorkerDuringVerifySqlAbortsWithExit5) {
  ServeAndBackUp("slow-device=0:50", "65536");  // VERIFYONLY in 64 KiB reads: ~25 s
  auto verify =
      StartMerged({Bin("vdibackup"), "verify", "--repo", repo_, "--database", "sales", "--workers",
                   "2", "--sql", "--server", endpoint_, "--set-name", set_name_, "--json"});
  ASSERT_TRUE(WaitForOutput(*verify, "VDI set configured")) << head_;
  // The workers are spawned before the set is configured.
  ASSERT_TRUE(PollUntil([&] { return Workers(verify->pid()).size() == 2; }, 10s)) << head_;
  workers_ = Workers(verify->pid());
  ASSERT_EQ(kill(workers_[0].pid, SIGKILL), 0);
  Outcome r = Finish(*verify, head_);
  EXPECT_EQ(r.exit_code, 5) << r.out;
  EXPECT_NE(r.out.find("\"sql\":\"failed\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RESTORE VERIFYONLY: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Msg 3013"), std::string::npos) << r.out;  // the statement failed
  for (const Child& w : workers_) {
    if (Alive(w.pid)) {
      ADD_FAILURE() << "worker still running: " << w.pid << " " << w.cmdline;
      kill(w.pid, SIGKILL);
    }
  }
  EXPECT_TRUE(PollUntil([&] { return ShmLeftovers(set_name_).empty(); }, 30s))
      << ShmLeftovers(set_name_);
  EXPECT_FALSE(StagingLeft());
}

}  // namespace
}  // namespace vdibk::coordinator
