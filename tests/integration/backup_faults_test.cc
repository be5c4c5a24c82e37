// vdibackup under faults, with real processes: SIGTERM to the coordinator, a stopped worker, a
// SIGKILLed coordinator, workers killed at each protocol point (fan-out too), a full target,
// failing fsync and rename, and a statement the server rejects. Each failure must
// give its documented exit code and leave no manifest, no stripes, no history and no shm behind.
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "coordinator/repo/set_lock.h"
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
using vdibk::testing::Children;
using vdibk::testing::Cmdline;
using vdibk::testing::Finish;
using vdibk::testing::FlagValue;
using vdibk::testing::Outcome;
using vdibk::testing::PollUntil;
using vdibk::testing::ReadAll;
using vdibk::testing::RunProgram;
using vdibk::testing::SetDirs;
using vdibk::testing::StartMerged;
using vdibk::testing::WorkerId;
using vdibk::testing::Workers;
using Child = vdibk::testing::WorkerProcess;
using vdibk::testing::ShmLeftovers;
using vdibk::testing::Subprocess;
using Clock = std::chrono::steady_clock;

// Every file below the database's folder of the repository (stripes, partials, manifests).
std::vector<fs::path> RepoFiles(const std::string& repo, const std::string& database) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(repo + "/" + database, ec)) {
    if (!e.is_directory()) out.push_back(e.path());
  }
  return out;
}

bool HasPartial(const std::string& repo, const std::string& database) {
  for (const fs::path& p : RepoFiles(repo, database)) {
    if (p.extension() == ".partial") return true;
  }
  return false;
}

std::string Describe(const std::vector<fs::path>& paths) {
  std::string s;
  for (const fs::path& p : paths) s += p.string() + " ";
  return s;
}

class BackupFaultsTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override { set_name_ = TestSetName("vdbkfault_"); }

  void StartEmulator(const std::string& size, const std::string& fault = "") {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", size));
    ASSERT_NO_FATAL_FAILURE(StartServer(FaultArgs(fault)));
    meta_before_ = ReadAll(HistoryPath());
    ldf_before_ = ReadAll(data_ + "/sales/sales_log.ldf");
    ASSERT_FALSE(ldf_before_.empty());
  }

  void TearDown() override {
    EmulatorFixture::TearDown();
    if (!mount_.empty()) umount2(mount_.c_str(), MNT_DETACH);
  }

  std::vector<std::string> BackupArgv(int devices, int workers,
                                      const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{Bin("vdibackup"), "backup",
                                  "--database",     "sales",
                                  "--repo",         repo_,
                                  "--devices",      std::to_string(devices),
                                  "--workers",      std::to_string(workers),
                                  "--server",       endpoint_,
                                  "--json"};
    // The test's VDI set name, unless `extra` gives one (an option may be given once).
    if (std::find(extra.begin(), extra.end(), "--set-name") == extra.end()) {
      argv.insert(argv.end(), {"--set-name", set_name_});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // The backup with stdout+stderr merged, its pid being vdibackup's (exec); `env` ("VAR=value")
  // reaches the workers, e.g. VDIBK_WORKER_FAILPOINT (workers/failpoint.h).
  std::unique_ptr<Subprocess> StartBackup(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& environment = {}) {
    return StartMerged(argv, environment);
  }

  // Worker `id` dies (SIGKILL, by its own failpoint) when it receives `failpoint`'s request:
  // the backup fails with exit 5 naming the worker, and nothing changed anywhere.
  void ExpectWorkerDeathFailsCleanly(int devices, int workers, const std::string& failpoint,
                                     const std::string& id, const std::string& type = "full") {
    StartEmulator("32M");
    if (type != "full") {
      // A full first, so that a log backup has a base; it truncates nothing it should not.
      Outcome full = Finish(*StartBackup(BackupArgv(devices, 1, {"--set-name", set_name_ + "f"})));
      ASSERT_EQ(full.exit_code, 0) << full.out;
      for (const fs::path& p : SetDirs(repo_, "sales")) fs::remove_all(p);
      Outcome w = RunProgram(
          {Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_, "--changes", "50"});
      ASSERT_EQ(w.exit_code, 0) << w.out;
      meta_before_ = ReadAll(HistoryPath());
      ldf_before_ = ReadAll(data_ + "/sales/sales_log.ldf");
    }
    auto backup =
        StartBackup(BackupArgv(devices, workers, {"--max-transfer-size", "65536", "--type", type}),
                    {"VDIBK_WORKER_FAILPOINT=" + failpoint + "@" + id});
    Outcome b = Finish(*backup);
    EXPECT_EQ(b.exit_code, 5) << b.out;
    EXPECT_NE(b.out.find("worker " + id), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;  // the BACKUP failed
    ExpectNothingChanged();
  }

  // The failed backup changed nothing on the server, left nothing in the repo or /dev/shm.
  void ExpectNothingChanged() {
    EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(meta_before_))
        << "the emulator recorded the failed BACKUP in its history";
    EXPECT_TRUE(ReadAll(data_ + "/sales/sales_log.ldf") == ldf_before_) << "the log changed";
    EXPECT_TRUE(SetDirs(repo_, "sales").empty())
        << "set directory left behind: " << Describe(SetDirs(repo_, "sales"));
    EXPECT_EQ(ShmLeftovers(set_name_), "");
  }

  std::string set_name_, mount_;
  std::string meta_before_, ldf_before_;
};

// SIGTERM to vdibackup mid-backup: abort, exit 5 quickly, workers reaped, nothing left.
TEST_F(BackupFaultsTest, SigtermToCoordinatorAbortsWithExit5) {
  StartEmulator("64M", "slow-device=0:50");
  auto backup = StartBackup(BackupArgv(2, 2, {"--max-transfer-size", "65536"}));
  ASSERT_TRUE(PollUntil([&] { return HasPartial(repo_, "sales"); }, 30s));
  std::vector<Child> workers = Workers(backup->pid());
  ASSERT_EQ(workers.size(), 2u);
  const auto t0 = Clock::now();
  backup->Kill(SIGTERM);
  Outcome b = Finish(*backup, t0);
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_LT(b.seconds, 30.0) << b.out;
  EXPECT_NE(b.out.find("interrupted by a signal"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;  // the BACKUP failed
  for (const Child& w : workers) EXPECT_FALSE(Alive(w.pid)) << w.pid << " " << w.cmdline;
  ExpectNothingChanged();
}

// A SIGSTOPped worker misses its heartbeats: the coordinator names it and exits 5.
TEST_F(BackupFaultsTest, StoppedWorkerMissesHeartbeatsAndAbortsWithExit5) {
  StartEmulator("64M", "slow-device=0:50");
  auto backup = StartBackup(BackupArgv(2, 2, {"--max-transfer-size", "65536"}));
  ASSERT_TRUE(PollUntil([&] { return HasPartial(repo_, "sales"); }, 30s));
  std::vector<Child> workers = Workers(backup->pid());
  ASSERT_EQ(workers.size(), 2u);
  const Child& victim = workers[1];
  const std::string id = WorkerId(victim.cmdline);
  ASSERT_FALSE(id.empty()) << victim.cmdline;
  const auto t0 = Clock::now();
  ASSERT_EQ(kill(victim.pid, SIGSTOP), 0);
  Outcome b = Finish(*backup, t0);
  if (Alive(victim.pid)) kill(victim.pid, SIGKILL);  // never leave a stopped process behind
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_GE(b.seconds, 2.0) << b.out;  // liveness 3 x 1 s heartbeats
  EXPECT_LT(b.seconds, 30.0) << b.out;
  EXPECT_NE(b.out.find("worker " + id + " missed"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;
  for (const Child& w : workers) EXPECT_FALSE(Alive(w.pid)) << w.pid << " " << w.cmdline;
  ExpectNothingChanged();
}

// A coordinator SIGKILLed after it created its VDI set but before the server attached: nobody is
// left to remove /dev/shm/vdibackup.<set>.ctl. Deterministic: the coordinator's sqlcmd (a wrapper)
// kills it the moment it is asked to run the BACKUP statement, i.e. right after the set exists;
// the server never hears of it. `vdibackup doctor` removes such an orphan once it is older than
// the age guard and keeps a younger one; the next backup removes that one once it is old, and
// says so. VDIBACKUP_ORPHAN_MIN_AGE=20 with orphans aged 30 s: the default 60 s guard of other
// tests' vdibackup runs never takes them first.
TEST_F(BackupFaultsTest, OrphanedSetOfACoordinatorKilledBeforeTheServerAttachedIsSwept) {
  StartEmulator("8M");
  const std::string killer = dir_.Join("sqlcmd-killer");
  const std::string orphans_children = dir_.Join("children");
  {
    std::ofstream f(killer);
    f << "#!/bin/sh\n"
      << "case \"$*\" in *'BACKUP DATABASE'*)\n"
      << "  cat /proc/$PPID/task/$PPID/children >> '" << orphans_children << "'\n"
      << "  kill -9 $PPID; exit 1;;\n"
      << "esac\n"
      << "exec '" << Bin("sqlcmd") << "' \"$@\"\n";
  }
  fs::permissions(killer, fs::perms::owner_all);
  const std::string first = set_name_, second = TestSetName("vdbkorphan_");
  for (const std::string& name : {first, second}) {
    Outcome o = Finish(*StartBackup(BackupArgv(1, 1, {"--set-name", name, "--sqlcmd", killer})));
    EXPECT_EQ(o.exit_code, -1) << o.out;  // SIGKILL
    ASSERT_TRUE(fs::exists("/dev/shm/vdibackup." + name + ".ctl")) << name << ":\n" << o.out;
  }
  // Its workers (and the wrapper) end by themselves once the coordinator is silent.
  std::istringstream kids(ReadAll(orphans_children));
  for (pid_t pid; kids >> pid;) {
    EXPECT_TRUE(PollUntil([&] { return !Alive(pid); }, 15s)) << Cmdline(pid);
    if (Alive(pid)) kill(pid, SIGKILL);
  }
  auto age = [](const std::string& name) {
    const fs::path ctl = "/dev/shm/vdibackup." + name + ".ctl";
    fs::last_write_time(ctl, fs::last_write_time(ctl) - 30s);
  };
  age(first);
  const std::vector<std::string> env{"VDIBACKUP_ORPHAN_MIN_AGE=20"};
  Outcome d = Finish(*StartMerged({Bin("vdibackup"), "doctor", "--server", endpoint_}, env));
  EXPECT_NE(d.out.find("orphan-sets"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("'" + first + "'"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("'" + second + "'"), std::string::npos) << d.out;
  EXPECT_EQ(ShmLeftovers(first), "");
  EXPECT_NE(ShmLeftovers(second), "") << "a set younger than the guard was removed";
  age(second);
  set_name_ += "n";
  Outcome again = Finish(*StartBackup(BackupArgv(1, 1), env));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("removed the orphaned VDI set of an ended vdibackup: '" + second + "'"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(ShmLeftovers(second), "");
}

// SIGKILL to vdibackup: its workers notice the silence and exit, the emulator aborts the BACKUP
// (the primary died), the set's shm objects go, and the next backup of the repo succeeds.
TEST_F(BackupFaultsTest, KilledCoordinatorLeavesNoWorkersAndNextBackupWorks) {
  StartEmulator("64M", "slow-device=0:50");
  auto backup = StartBackup(BackupArgv(2, 2, {"--max-transfer-size", "65536"}));
  ASSERT_TRUE(PollUntil([&] { return HasPartial(repo_, "sales"); }, 30s));
  std::vector<Child> workers = Workers(backup->pid());
  ASSERT_EQ(workers.size(), 2u);
  std::vector<pid_t> others;  // sqlcmd
  for (pid_t c : Children(backup->pid())) {
    if (Cmdline(c).find("vdibackup-worker") == std::string::npos) others.push_back(c);
  }
  // The coordinator's private endpoint directory (ipc:///tmp/vdibackup-ipc-PID-XXXXXX/hub): it
  // removes it on every exit it lives through; after SIGKILL the next run does (JobIpcDir).
  const std::string endpoint = FlagValue(workers[0].cmdline, "--connect");
  ASSERT_EQ(endpoint.rfind("ipc://", 0), 0u) << workers[0].cmdline;
  const fs::path ipc_dir = fs::path(endpoint.substr(6)).parent_path();
  ASSERT_EQ(ipc_dir.filename().string().rfind("vdibackup-ipc-", 0), 0u) << endpoint;
  backup->Kill(SIGKILL);
  ASSERT_TRUE(backup->Wait(10s));
  // Liveness 3 x 1 s: every worker is gone within ~3 intervals; the slack covers a loaded
  // 2-core CI machine (the elapsed time is printed on failure).
  const auto t0 = Clock::now();
  bool gone = PollUntil(
      [&] {
        for (const Child& w : workers) {
          if (Alive(w.pid)) return false;
        }
        return true;
      },
      10s);
  const double took = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const Child& w : workers) {
    if (Alive(w.pid)) kill(w.pid, SIGKILL);
  }
  EXPECT_TRUE(gone) << "workers still running " << took << " s after the coordinator died";
  // The emulator ends the statement (its client may go first) and drops the set's shm objects.
  EXPECT_TRUE(PollUntil(
      [&] {
        for (pid_t p : others) {
          if (Alive(p)) return false;
        }
        return ShmLeftovers(set_name_).empty();
      },
      60s))
      << "shm: " << ShmLeftovers(set_name_);
  for (pid_t p : others) {
    if (Alive(p)) kill(p, SIGKILL);
  }
  EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(meta_before_));
  EXPECT_TRUE(ReadAll(data_ + "/sales/sales_log.ldf") == ldf_before_);
  // The dead coordinator could not remove its set directory; the workers removed their partial
  // stripes on abort, and no manifest exists, so it is garbage by design (DESIGN.md §6). Only its
  // set lock file remains, no longer held (the lock died with the process), so prune may take it.
  for (const fs::path& p : RepoFiles(repo_, "sales")) {
    if (p.filename() == coordinator::kSetLockFileName) {
      EXPECT_FALSE(coordinator::SetDirLock::IsHeld(p.parent_path().string())) << p;
      continue;
    }
    ADD_FAILURE() << "file left by the killed backup: " << p;
  }
  const std::vector<fs::path> before = SetDirs(repo_, "sales");
  // A later backup of the same repository works (new set name: the old one may linger).
  set_name_ += "b";
  Outcome again = RunProgram(BackupArgv(2, 2));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(meta_before_) + 1);
  int manifests = 0;
  for (const fs::path& p : RepoFiles(repo_, "sales")) manifests += p.filename() == "manifest.vdbk";
  EXPECT_EQ(manifests, 1);
  EXPECT_EQ(SetDirs(repo_, "sales").size(), before.size() + 1);
  // The dead coordinator's ipc directory went with that next run at the latest.
  EXPECT_FALSE(fs::exists(ipc_dir)) << ipc_dir << "\n" << again.out;
}

// A 2 MiB target for a 64 MiB database: ENOSPC -> exit 6, "target full", nothing committed.
TEST_F(BackupFaultsTest, FullTargetFailsWithExit6) {
  const std::string small = dir_.Join("small");
  fs::create_directories(small);
  if (mount("tmpfs", small.c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a 2 MiB tmpfs (needs root/CAP_SYS_ADMIN): " << strerror(errno);
  }
  mount_ = small;
  StartEmulator("64M");
  repo_ = small;
  auto backup = StartBackup(BackupArgv(2, 2, {"--compression", "none"}));
  Outcome b = Finish(*backup);
  EXPECT_EQ(b.exit_code, 6) << b.out;
  EXPECT_NE(b.out.find("target full"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("No space left on device"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;
  EXPECT_TRUE(RepoFiles(repo_, "sales").empty()) << Describe(RepoFiles(repo_, "sales"));
  ExpectNothingChanged();
}

// kill -9 of a worker at each point of the protocol (its own failpoint makes it exact).
TEST_F(BackupFaultsTest, WorkerKilledBeforeItsFirstWriteFailsCleanly) {
  ExpectWorkerDeathFailsCleanly(2, 2, "write", "w1");
}
TEST_F(BackupFaultsTest, WorkerKilledDuringFlushFailsCleanly) {
  ExpectWorkerDeathFailsCleanly(2, 2, "flush", "w0");
}
TEST_F(BackupFaultsTest, WorkerKilledDuringCompleteFailsCleanlyAndKeepsTheLog) {
  ExpectWorkerDeathFailsCleanly(2, 2, "complete", "w1", "log");
}
TEST_F(BackupFaultsTest, FanOutEncoderKilledWhilePlacingFailsCleanly) {
  ExpectWorkerDeathFailsCleanly(1, 3, "place:3", "w2");
}
TEST_F(BackupFaultsTest, FanOutOwnerKilledWhileAdoptingFailsCleanly) {
  ExpectWorkerDeathFailsCleanly(1, 2, "adopt:2", "w0");
}

// The disk fails fsync (EIO) or the final rename: exit 6, the BACKUP fails, the log is kept.
TEST_F(BackupFaultsTest, FailingFsyncFailsWithExit6AndKeepsTheLog) {
  StartEmulator("32M");
  auto backup = StartBackup(BackupArgv(2, 2), {"VDIBK_WORKER_TARGET_FAULT=sync-eio"});
  Outcome b = Finish(*backup);
  EXPECT_EQ(b.exit_code, 6) << b.out;
  EXPECT_NE(b.out.find("Input/output error"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;
  ExpectNothingChanged();
}
TEST_F(BackupFaultsTest, FailingPublishOfAStripeFailsWithExit6) {
  StartEmulator("32M");
  auto backup = StartBackup(BackupArgv(1, 2), {"VDIBK_WORKER_TARGET_FAULT=commit-eio"});
  Outcome b = Finish(*backup);
  EXPECT_EQ(b.exit_code, 6) << b.out;
  EXPECT_NE(b.out.find("Msg 3013"), std::string::npos) << b.out;
  ExpectNothingChanged();
}

// A missing database: the server's error, exit 7, long before any VDI timeout.
TEST_F(BackupFaultsTest, MissingDatabaseFailsQuicklyWithExit7) {
  StartEmulator("16M");
  std::vector<std::string> argv = BackupArgv(2, 2);
  argv[3] = "nosuchdb";
  Subprocess p(argv);
  Outcome b = Finish(p);
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_LT(b.seconds, 10.0) << b.out;
  EXPECT_NE(b.out.find("\"error\":\"sql"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("nosuchdb"), std::string::npos) << b.out;
  EXPECT_TRUE(SetDirs(repo_, "nosuchdb").empty());
  ExpectNothingChanged();
}

// A statement the server rejects (a log backup without a full one): exit 7 quickly.
TEST_F(BackupFaultsTest, RejectedStatementFailsQuicklyWithExit7) {
  StartEmulator("16M");
  Subprocess p(BackupArgv(1, 1, {"--type", "log"}));
  Outcome b = Finish(p);
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_LT(b.seconds, 10.0) << b.out;
  EXPECT_NE(b.out.find("no current database backup"), std::string::npos) << b.out;
  ExpectNothingChanged();
}

}  // namespace
}  // namespace vdibk::coordinator
