// Hostile repositories against a real `vdi-emulator serve`: a FIFO in place of a stripe makes
// verify --set, verify --all and restore fail at once (exit 4, naming it) instead of hanging;
// a symlinked database or set folder is refused (exit 78, naming it) by backup, restore, list,
// verify and prune, and nothing behind it changes; five concurrent backups of one database into
// one repository all succeed with distinct sets; the ipc directory of a SIGKILLed coordinator is
// removed by `vdibackup doctor`. Every command runs under `timeout`, so a hang fails in bounded
// time.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

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
using vdibk::testing::Finish;
using vdibk::testing::FlagValue;
using vdibk::testing::Outcome;
using vdibk::testing::PollUntil;
using vdibk::testing::RunMerged;
using vdibk::testing::SetDirs;
using vdibk::testing::ShmLeftovers;
using vdibk::testing::StartMerged;
using vdibk::testing::Subprocess;
using vdibk::testing::Workers;

// Longer than any of these commands needs; a hang is killed (exit 137) and fails the test.
constexpr int kTimeoutSeconds = 60;

class HostileRepoE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override { CreateDatabase("sales", "8M"); }
  void Serve(const std::vector<std::string>& extra = {}) { StartServer(extra); }
  // vdibackup ARGS under `timeout -s KILL`: a hang ends as exit 137.
  static Outcome Vdibackup(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"timeout", "-s", "KILL", std::to_string(kTimeoutSeconds),
                                  Bin("vdibackup")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunMerged(argv);
  }
  Outcome Backup(const std::string& repo, int devices = 2) {
    return Vdibackup({"backup", "--database", "sales", "--repo", repo, "--devices",
                      std::to_string(devices), "--server", endpoint_, "--no-progress"});
  }
  Outcome RestoreCopy(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"restore",
                                  "--database",
                                  "sales",
                                  "--repo",
                                  repo_,
                                  "--as",
                                  "copy",
                                  "--move",
                                  "sales=copy.mdf",
                                  "--move",
                                  "sales_log=copy_log.ldf",
                                  "--server",
                                  endpoint_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Vdibackup(args);
  }
  static void ExpectExit(const Outcome& o, int code, const std::string& text) {
    EXPECT_EQ(o.exit_code, code) << o.out;
    EXPECT_LT(o.seconds, kTimeoutSeconds - 5) << o.out;
    EXPECT_NE(o.out.find(text), std::string::npos) << "no '" << text << "' in:\n" << o.out;
  }
  // Every entry below `root` with its size (to show nothing changed there).
  static std::set<std::string> Tree(const std::string& root) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      out.insert(e.path().string() + " " +
                 (e.is_regular_file() ? std::to_string(fs::file_size(e.path())) : "d"));
    }
    return out;
  }
};

TEST_F(HostileRepoE2eTest, FifoInPlaceOfAStripeFailsVerifyAndRestoreAtOnce) {
  Serve();
  ASSERT_EQ(Backup(repo_).exit_code, 0);
  std::vector<fs::path> sets = SetDirs(repo_, "sales");
  ASSERT_EQ(sets.size(), 1u);
  const std::string set = sets[0].filename().string();
  const fs::path stripe = sets[0] / "stripe-02-of-02.lz4";
  ASSERT_TRUE(fs::remove(stripe));
  ASSERT_EQ(::mkfifo(stripe.c_str(), 0600), 0);
  const std::string named = stripe.string() + " is a FIFO, not a regular file";

  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--set", set}), 4, named);
  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--all"}), 4, named);
  Outcome r = RestoreCopy();
  ExpectExit(r, 4, named);
  EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/copy"));
  ExpectExit(Vdibackup({"list", "--repo", repo_}), 0, set);
}

// repo/sales is a symlink to a directory that holds a real backup: every command refuses it
// (78, naming it); nothing behind the link changes. The repository root may be a symlink.
TEST_F(HostileRepoE2eTest, SymlinkedDatabaseFolderIsRefusedByEveryCommand) {
  Serve();
  const std::string real = dir_.Join("real");
  fs::create_directories(real);
  ASSERT_EQ(Backup(real).exit_code, 0);
  const std::string set = SetDirs(real, "sales").at(0).filename().string();
  const std::string link = repo_ + "/sales";
  fs::create_directory_symlink(real + "/sales", link);
  const std::set<std::string> before = Tree(real);
  const std::string refused = link + " is a symbolic link";

  ExpectExit(Backup(repo_), 78, refused);
  ExpectExit(RestoreCopy(), 78, refused);
  ExpectExit(RestoreCopy({"--set", set}), 78, refused);
  ExpectExit(Vdibackup({"list", "--repo", repo_}), 78, refused);
  ExpectExit(Vdibackup({"list", "--repo", repo_, "--database", "sales"}), 78, refused);
  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--all"}), 78, refused);
  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--database", "sales"}), 78, refused);
  ExpectExit(Vdibackup({"prune", "--repo", repo_, "--database", "sales", "--keep-full", "1",
                        "--grace-minutes", "0"}),
             78, refused);
  EXPECT_EQ(Tree(real), before);
  EXPECT_FALSE(fs::exists(data_ + "/copy"));

  // The same backups through a symlinked repository root are fine.
  const std::string root_link = dir_.Join("repo-link");
  fs::create_directory_symlink(real, root_link);
  ExpectExit(Vdibackup({"list", "--repo", root_link}), 0, set);
  ExpectExit(Vdibackup({"verify", "--repo", root_link, "--all"}), 0, set);
}

// repo/sales/<set> is a symlink to another backup's set folder: refused by name and in scans.
TEST_F(HostileRepoE2eTest, SymlinkedSetFolderIsRefusedByEveryCommand) {
  Serve();
  const std::string real = dir_.Join("real");
  fs::create_directories(real);
  ASSERT_EQ(Backup(real).exit_code, 0);
  ASSERT_EQ(Backup(repo_).exit_code, 0);
  const fs::path real_set = SetDirs(real, "sales").at(0);
  const std::string link = repo_ + "/sales/99991231T235959Z_full";
  fs::create_directory_symlink(real_set, link);
  const std::set<std::string> before = Tree(real);
  const std::string refused = link + " is a symbolic link";

  ExpectExit(RestoreCopy({"--set", "99991231T235959Z_full"}), 78, refused);
  ExpectExit(Vdibackup({"list", "--repo", repo_}), 78, refused);
  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--all"}), 78, refused);
  ExpectExit(Vdibackup({"verify", "--repo", repo_, "--database", "sales", "--set",
                        "99991231T235959Z_full"}),
             78, refused);
  ExpectExit(Vdibackup({"prune", "--repo", repo_, "--keep-full", "1", "--grace-minutes", "0"}), 78,
             refused);
  EXPECT_EQ(Tree(real), before);
}

// Five backups of one database into one repository at once, all in the same second or two:
// every one succeeds with its own set directory, and every set verifies.
TEST_F(HostileRepoE2eTest, ConcurrentBackupsOfOneDatabaseAllSucceedWithDistinctSets) {
  Serve();
  constexpr int kBackups = 5;
  std::vector<std::unique_ptr<Subprocess>> runs;
  for (int i = 0; i < kBackups; ++i) {
    runs.push_back(StartMerged({"timeout", "-s", "KILL", std::to_string(kTimeoutSeconds),
                                Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                                "--devices", "1", "--server", endpoint_, "--no-progress"}));
  }
  for (auto& p : runs) {
    Outcome o = Finish(*p);
    EXPECT_EQ(o.exit_code, 0) << o.out;
  }
  std::vector<fs::path> sets = SetDirs(repo_, "sales");
  ASSERT_EQ(sets.size(), static_cast<size_t>(kBackups));
  for (const fs::path& s : sets) EXPECT_TRUE(fs::exists(s / "manifest.vdbk")) << s;
  Outcome v = Vdibackup({"verify", "--repo", repo_, "--all", "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  Outcome l = Vdibackup({"list", "--repo", repo_, "--json"});
  ASSERT_EQ(l.exit_code, 0) << l.out;
  size_t good = 0;
  for (size_t at = 0; (at = l.out.find("\"state\":\"good\"", at)) != std::string::npos; ++at) {
    ++good;
  }
  EXPECT_EQ(good, static_cast<size_t>(kBackups)) << l.out;
  EXPECT_EQ(l.out.find("\"type\":\"unknown\""), std::string::npos) << l.out;
}

// kill -9 of the coordinator leaves its ipc directory; `vdibackup doctor` removes it and says so.
// The kill comes once data flows (the server has attached to the VDI set), so the server removes
// the set's /dev/shm objects when it sees the coordinator die: killed earlier, between its
// Create and the server's attach, nobody would, and the orphan (vdi_orphans.h) would outlive the
// test. The set is named by the test, so TearDown removes whatever a failed run left.
TEST_F(HostileRepoE2eTest, DoctorRemovesTheIpcDirectoryOfAKilledCoordinator) {
  Serve({"--fault", "slow-device=0:50"});
  // A TMPDIR of its own: no other test's vdibackup sweeps this directory first.
  const std::string tmp = dir_.Join("tmp");
  fs::create_directories(tmp);
  const std::vector<std::string> env{"TMPDIR=" + tmp};
  const std::string set_name = TestSetName("vdbkhostile_");
  auto backup = StartMerged({Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                             "--devices", "2", "--max-transfer-size", "65536", "--server",
                             endpoint_, "--no-progress", "--set-name", set_name},
                            env);
  ASSERT_TRUE(PollUntil(
      [&] {
        std::error_code ec;
        for (const fs::path& s : SetDirs(repo_, "sales")) {
          for (const auto& e : fs::directory_iterator(s, ec)) {
            if (e.path().extension() == ".partial") return true;
          }
        }
        return false;
      },
      30s));
  std::vector<vdibk::testing::WorkerProcess> workers = Workers(backup->pid());
  ASSERT_EQ(workers.size(), 2u);
  const std::string endpoint = FlagValue(workers[0].cmdline, "--connect");
  ASSERT_EQ(endpoint.rfind("ipc://", 0), 0u) << workers[0].cmdline;
  const fs::path ipc_dir = fs::path(endpoint.substr(6)).parent_path();
  ASSERT_EQ(ipc_dir.filename().string().rfind("vdibackup-ipc-", 0), 0u) << endpoint;
  EXPECT_EQ(ipc_dir.parent_path().string(), tmp);
  backup->Kill(SIGKILL);
  ASSERT_TRUE(backup->Wait(10s));
  EXPECT_TRUE(fs::is_directory(ipc_dir)) << ipc_dir;  // nothing of the dead coordinator ran
  auto doctor = StartMerged({"timeout", "-s", "KILL", std::to_string(kTimeoutSeconds),
                             Bin("vdibackup"), "doctor", "--server", endpoint_},
                            env);
  Outcome d = Finish(*doctor);
  EXPECT_NE(d.out.find("ipc-dirs"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find(ipc_dir.string()), std::string::npos) << d.out;
  EXPECT_FALSE(fs::exists(ipc_dir)) << d.out;
  for (const auto& w : workers) {
    if (Alive(w.pid)) {
      EXPECT_TRUE(PollUntil([&] { return !Alive(w.pid); }, 15s)) << w.cmdline;
    }
  }
  // The server saw the primary die, aborted the BACKUP and removed the set's objects.
  EXPECT_TRUE(PollUntil([&] { return ShmLeftovers(set_name).empty(); }, 30s))
      << ShmLeftovers(set_name);
}

}  // namespace
}  // namespace vdibk::coordinator
