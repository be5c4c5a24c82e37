// A backup the server committed is never lost (issue 13, cases 1-3 and the dead server):
// real vdibackup, workers, sqlcmd and vdi-emulator. A connection lost after the commit, a
// history that cannot be read, a manifest that cannot be promoted (a tmpfs out of inodes) keep
// the set; `vdibackup reconcile` confirms it from msdb; the chain of full, diff and log restores
// byte for byte. A restore never stops short quietly: a corrupt or unconfirmed set after the
// chain's start, or a backup the server's history has and the repository lacks, is exit 4.
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "proto/manifest.pb.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Finish;
using vdibk::testing::Outcome;
using vdibk::testing::PollUntil;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;
using vdibk::testing::SetDirs;
using vdibk::testing::StartMerged;

constexpr const char* kLinkFailure =
    "Sqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Communication link failure.";

class CommitOutcomeTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override { CreateDatabase("sales", "16M"); }
  void TearDown() override {
    EmulatorFixture::TearDown();
    if (!mount_.empty()) umount2(mount_.c_str(), MNT_DETACH);
  }
  void Serve(const std::vector<std::string>& extra = {}) { StartServer(extra); }
  // A sqlcmd that runs the real one, but loses the connection right after a BACKUP statement
  // completed (the server committed it; the client sees only a link failure). With
  // `history_down`, every msdb query fails the same way (the server cannot be asked).
  std::string LossySqlcmd(bool history_down) {
    const std::string path = dir_.Join(history_down ? "sqlcmd-down" : "sqlcmd-lossy");
    std::ofstream f(path);
    f << "#!/bin/sh\n";
    if (history_down) {
      f << "case \"$*\" in *msdb.dbo.backupset*) echo '" << kLinkFailure
        << "' >&2; exit 1;; esac\n";
    }
    f << "case \"$*\" in *'BACKUP '*)\n"
      << "  '" << Bin("sqlcmd") << "' \"$@\" || exit $?\n"
      << "  echo '" << kLinkFailure << "' >&2; exit 1;;\n"
      << "esac\n"
      << "exec '" << Bin("sqlcmd") << "' \"$@\"\n";
    f.close();
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }
  Outcome Backup(const std::string& type, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {Bin("vdibackup"),
                                     "backup",
                                     "--database",
                                     "sales",
                                     "--repo",
                                     repo_,
                                     "--devices",
                                     "2",
                                     "--type",
                                     type,
                                     "--server",
                                     endpoint_,
                                     "--json",
                                     "--confirm-timeout",
                                     "2"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::vector<fs::path> earlier = SetDirs(repo_, "sales");
    Outcome out = RunMerged(argv);
    for (const fs::path& d : SetDirs(repo_, "sales")) {
      if (std::find(earlier.begin(), earlier.end(), d) == earlier.end()) last_set_ = d.string();
    }
    return out;
  }
  Outcome Restore(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {Bin("vdibackup"), "restore",  "--database",
                                     "sales",          "--repo",   repo_,
                                     "--as",           "copy",     "--move",
                                     "sales=copy.mdf", "--move",   "sales_log=copy_log.ldf",
                                     "--replace",      "--server", endpoint_,
                                     "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunMerged(argv);
  }
  Outcome Tool(const std::string& command, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {Bin("vdibackup"), command, "--repo", repo_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunMerged(argv);
  }
  Outcome Reconcile() { return Tool("reconcile", {"--database", "sales", "--server", endpoint_}); }
  void Workload(int seed) {
    Outcome w = RunMerged({Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_,
                           "--changes", "60", "--seed", std::to_string(seed)});
    ASSERT_EQ(w.exit_code, 0) << w.out;
  }
  // The set directory the last Backup() made. Not the newest name: a backup in the same second
  // as the one before gets the same stamp, and "_diff"/"_log" sort before "_full".
  std::string NewestSet() const { return last_set_; }
  proto::Manifest Manifest(const std::string& set_dir) {
    stripe::DirectoryTarget t(set_dir);
    Result<proto::Manifest> m = stripe::ReadManifest(t, stripe::kManifestFileName);
    EXPECT_TRUE(m.ok()) << set_dir << ": " << m.status().ToString();
    return m.ok() ? *m : proto::Manifest();
  }
  void ExpectRestoredEquals(const std::string& mdf, const std::string& ldf) {
    EXPECT_TRUE(ReadAll(data_ + "/copy/copy.mdf") == mdf) << "data file differs";
    EXPECT_TRUE(ReadAll(data_ + "/copy/copy_log.ldf") == ldf) << "log file differs";
  }
  std::string Mdf() { return ReadAll(data_ + "/sales/sales.mdf"); }
  std::string Ldf() { return ReadAll(data_ + "/sales/sales_log.ldf"); }

  std::string mount_;
  std::string last_set_;
};

// Case 1: the connection drops after each commit (full, diff, log): every set survives,
// confirmed from msdb (exit 1, "warning"), and the chain restores byte for byte.
TEST_F(CommitOutcomeTest, LostConnectionAfterTheCommitKeepsEachSetAndTheChainRestores) {
  Serve();
  const std::string lossy = LossySqlcmd(false);
  for (const std::string type : {"full", "diff", "log"}) {
    if (type != "full") Workload(type == "diff" ? 1 : 2);
    Outcome b = Backup(type, {"--sqlcmd", lossy});
    EXPECT_EQ(b.exit_code, 1) << type << "\n" << b.out;
    EXPECT_NE(b.out.find("\"status\":\"warning\""), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("Communication link failure"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("records it"), std::string::npos) << b.out;
    const proto::Manifest m = Manifest(NewestSet());
    EXPECT_EQ(m.state(), proto::MANIFEST_STATE_COMPLETE) << type;
    EXPECT_FALSE(m.last_lsn().empty()) << type;
    EXPECT_NE(m.confirmed_by().find("unknown"), std::string::npos) << m.confirmed_by();
  }
  ASSERT_EQ(SetDirs(repo_, "sales").size(), 3u);
  const std::string mdf = Mdf(), ldf = Ldf();
  Outcome r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("RESTORE LOG [copy]"), std::string::npos) << r.out;
  ExpectRestoredEquals(mdf, ldf);
}

// Case 1 from the server's side: the emulator drops the connection right after each commit
// (serve --fault drop-after-commit=1), and a commit that stalls silently (commit-stall-ms) is
// waited for, not a link failure.
TEST_F(CommitOutcomeTest, ServerDroppingTheConnectionAfterEachCommitKeepsTheSets) {
  Serve({"--fault", "drop-after-commit=1"});
  for (const std::string type : {"full", "diff", "log"}) {
    if (type != "full") Workload(type == "diff" ? 1 : 2);
    Outcome b = Backup(type);
    EXPECT_EQ(b.exit_code, 1) << type << "\n" << b.out;
    EXPECT_NE(b.out.find("connection was lost"), std::string::npos) << b.out;
    EXPECT_EQ(Manifest(NewestSet()).state(), proto::MANIFEST_STATE_COMPLETE) << type;
  }
  const std::string mdf = Mdf(), ldf = Ldf();
  server_->Kill(SIGTERM);
  ASSERT_TRUE(server_->Wait(20s));
  Serve({"--fault", "commit-stall-ms=2500"});
  Workload(3);
  Outcome b = Backup("log");
  EXPECT_EQ(b.exit_code, 0) << b.out;  // a silent commit is waited for
  EXPECT_EQ(Manifest(NewestSet()).confirmed_by(), "statement");
  const std::string mdf2 = Mdf(), ldf2 = Ldf();
  server_->Kill(SIGTERM);
  ASSERT_TRUE(server_->Wait(20s));
  Serve();
  Outcome r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectRestoredEquals(mdf2, ldf2);
  EXPECT_NE(mdf, mdf2);
}

// Case 1 when the server cannot be asked either: the set stays PENDING (exit 2 naming
// reconcile); list shows it unconfirmed; restore and verify refuse (exit 4); reconcile confirms
// it once the server answers, and the restore reaches it.
TEST_F(CommitOutcomeTest, UnreachableHistoryKeepsThePendingSetUntilReconcile) {
  Serve();
  ASSERT_EQ(Backup("full").exit_code, 0);
  Workload(1);
  Outcome b = Backup("log", {"--sqlcmd", LossySqlcmd(true)});
  EXPECT_EQ(b.exit_code, 2) << b.out;
  EXPECT_NE(b.out.find("stays unconfirmed"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("vdibackup reconcile"), std::string::npos) << b.out;
  const std::string log = NewestSet();
  EXPECT_EQ(Manifest(log).state(), proto::MANIFEST_STATE_PENDING);
  const std::string mdf = Mdf(), ldf = Ldf();

  Outcome list = Tool("list", {"--database", "sales"});
  EXPECT_EQ(list.exit_code, 0) << list.out;
  EXPECT_NE(list.out.find("unconfirmed"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("vdibackup reconcile"), std::string::npos) << list.out;
  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("unconfirmed log backup " + fs::path(log).filename().string()),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  Outcome v = Tool("verify", {"--all"});
  EXPECT_EQ(v.exit_code, 4) << v.out;
  EXPECT_NE(v.out.find("(chain)"), std::string::npos) << v.out;

  Outcome rc = Reconcile();
  EXPECT_EQ(rc.exit_code, 0) << rc.out;
  EXPECT_NE(rc.out.find("confirmed sales/" + fs::path(log).filename().string()), std::string::npos)
      << rc.out;
  EXPECT_EQ(Manifest(log).state(), proto::MANIFEST_STATE_COMPLETE);
  EXPECT_EQ(Manifest(log).confirmed_by(), "reconcile");
  r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectRestoredEquals(mdf, ldf);
}

// Case 2: the COMPLETE manifest cannot be written (the repository runs out of inodes right
// after the PENDING one) for a full, a diff and a log: each set stays unconfirmed (exit 2),
// the server keeps its history, reconcile confirms each, and the latest restore is exact.
TEST_F(CommitOutcomeTest, FailedPromotionKeepsTheSetForReconcile) {
  const std::string mnt = dir_.Join("repo-tmpfs");
  fs::create_directories(mnt);
  if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256m,nr_inodes=4000") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root/CAP_SYS_ADMIN): " << strerror(errno);
  }
  mount_ = mnt;
  repo_ = mnt + "/repo";
  fs::create_directories(repo_ + "/sales");
  Serve();
  auto free_inodes = [&] {
    struct statvfs v {};
    EXPECT_EQ(statvfs(repo_.c_str(), &v), 0);
    return static_cast<int64_t>(v.f_ffree);
  };
  // What one complete 2-device set costs in inodes (set dir, stripes, manifest)...
  const int64_t before = free_inodes();
  ASSERT_EQ(Backup("full").exit_code, 0);
  const int64_t per_set = before - free_inodes();
  ASSERT_GT(per_set, 2);
  fs::remove_all(NewestSet());
  // ...plus the running backup's lock file: exactly enough for the PENDING manifest, and none
  // left for the COMPLETE one's temp file.
  auto squeeze = [&] {
    const std::string filler = mnt + "/filler";
    fs::create_directories(filler);
    for (int i = 0; free_inodes() > per_set + 1; ++i)
      std::ofstream(filler + "/" + std::to_string(i));
    ASSERT_EQ(free_inodes(), per_set + 1);
  };
  auto release = [&] { fs::remove_all(mnt + "/filler"); };
  for (const std::string type : {"full", "diff", "log"}) {
    if (type != "full") Workload(type == "diff" ? 1 : 2);
    squeeze();
    const std::vector<fs::path> earlier = SetDirs(repo_, "sales");
    Outcome b = Backup(type);
    release();
    EXPECT_EQ(b.exit_code, 2) << type << "\n" << b.out;
    EXPECT_NE(b.out.find("could not be promoted"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("stays unconfirmed"), std::string::npos) << b.out;
    // The set this backup made: not the newest name, since a backup in the same second as the
    // one before gets the same stamp and "_diff"/"_log" sort before "_full".
    std::string set;
    for (const fs::path& d : SetDirs(repo_, "sales")) {
      if (std::find(earlier.begin(), earlier.end(), d) == earlier.end()) set = d.string();
    }
    ASSERT_TRUE(set.ends_with("_" + type)) << set;
    EXPECT_EQ(Manifest(set).state(), proto::MANIFEST_STATE_PENDING) << type;
    if (type == "log") break;  // the last one is confirmed after the refused restore below
    Outcome rc = Reconcile();
    EXPECT_EQ(rc.exit_code, 0) << rc.out;
    EXPECT_EQ(Manifest(set).state(), proto::MANIFEST_STATE_COMPLETE) << rc.out;
  }
  const std::string mdf = Mdf(), ldf = Ldf();
  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;  // the newest log is unconfirmed: never a shorter chain
  Outcome rc = Reconcile();
  EXPECT_EQ(rc.exit_code, 0) << rc.out;
  r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ExpectRestoredEquals(mdf, ldf);
}

// Case 3: a flipped byte in the newest log's manifest: the restore refuses (exit 4) instead of
// restoring a shorter chain; --allow-partial-chain restores full + first log with exit 1.
TEST_F(CommitOutcomeTest, CorruptNewestLogRefusesTheRestoreUnlessPartialIsAllowed) {
  Serve();
  ASSERT_EQ(Backup("full").exit_code, 0);
  Workload(1);
  ASSERT_EQ(Backup("log").exit_code, 0);
  const std::string mdf1 = Mdf(), ldf1 = Ldf();
  Workload(2);
  ASSERT_EQ(Backup("log").exit_code, 0);
  const std::string log2 = NewestSet();
  const std::string manifest = log2 + "/" + stripe::kManifestFileName;
  std::string bytes = ReadAll(manifest);
  bytes[bytes.size() / 2] ^= 0x5A;
  std::ofstream(manifest, std::ios::binary | std::ios::trunc) << bytes;

  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("corrupt log backup " + fs::path(log2).filename().string()),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/copy"));
  // verify: the corrupt manifest is exit 3 (integrity outranks the chain's exit 4), and the
  // chain entry says what a latest-point restore would miss.
  Outcome v = Tool("verify", {"--all"});
  EXPECT_EQ(v.exit_code, 3) << v.out;
  EXPECT_NE(v.out.find("sales/(chain)"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("would stop short"), std::string::npos) << v.out;

  r = Restore({"--allow-partial-chain"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("PARTIAL RESTORE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"status\":\"warning\""), std::string::npos) << r.out;
  ExpectRestoredEquals(mdf1, ldf1);
}

// The server's history against the repository: the newest log set deleted from the repository
// is named from msdb (exit 4); --allow-partial-chain restores up to the previous log (exit 1).
TEST_F(CommitOutcomeTest, BackupTheServerTookButTheRepoLacksIsNamed) {
  Serve();
  ASSERT_EQ(Backup("full").exit_code, 0);
  Workload(1);
  ASSERT_EQ(Backup("log").exit_code, 0);
  const std::string mdf1 = Mdf(), ldf1 = Ldf();
  Workload(2);
  ASSERT_EQ(Backup("log").exit_code, 0);
  const std::string log2 = NewestSet();
  const std::string name = Manifest(log2).history_name();
  ASSERT_FALSE(name.empty());
  fs::remove_all(log2);

  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("log backup '" + name + "'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the repository does not have"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/copy"));
  r = Restore({"--allow-partial-chain"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  ExpectRestoredEquals(mdf1, ldf1);
}

// Case 8: kill -9 of the server mid-backup: "SQL Server process ended", exit 5, within seconds
// (not the SQL client's 30 s), and the uncommitted set is gone.
TEST_F(CommitOutcomeTest, KilledServerEndsTheBackupQuicklyWithExit5) {
  Outcome c = RunMerged(
      {Bin("vdi-emulator"), "create-database", "big", "--data-dir", data_, "--size", "64M"});
  ASSERT_EQ(c.exit_code, 0) << c.out;
  Serve({"--fault", "slow-device=0:50"});
  auto backup =
      StartMerged({Bin("vdibackup"), "backup", "--database", "big", "--repo", repo_, "--devices",
                   "2", "--max-transfer-size", "65536", "--server", endpoint_});
  ASSERT_TRUE(PollUntil(
      [&] {
        for (const fs::path& s : SetDirs(repo_, "big")) {
          for (const auto& e : fs::directory_iterator(s)) {
            if (e.path().extension() == ".partial") return true;
          }
        }
        return false;
      },
      30s));
  const auto t0 = std::chrono::steady_clock::now();
  server_->Kill(SIGKILL);
  server_->Wait(10s);
  server_.reset();
  Outcome b = Finish(*backup, t0);
  EXPECT_EQ(b.exit_code, 5) << b.out;
  EXPECT_NE(b.out.find("SQL Server process ended"), std::string::npos) << b.out;
  EXPECT_LT(b.seconds, 10.0) << b.out;  // the bound is 5 s; measured ~1.5 s
  EXPECT_TRUE(SetDirs(repo_, "big").empty());
}

}  // namespace
}  // namespace vdibk::coordinator
