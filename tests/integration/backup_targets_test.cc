// Backup targets and the progress display with real processes: 3 devices over 2 --target dirs
// restored byte for byte, a missing stripe in a target dir (exit 4), --target null (exit 0,
// nothing kept), missing/duplicate targets (78/64), a full target that must clean every target,
// the database size query, and the live progress line on a terminal (pty).
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;
using vdibk::testing::ShmLeftovers;
using vdibk::testing::Subprocess;

// Runs argv with stdin/stdout/stderr on a new pseudo-terminal; everything it printed, raw.
Outcome RunOnTerminal(const std::vector<std::string>& argv) {
  Outcome r;
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  struct winsize ws {};
  ws.ws_row = 24;
  ws.ws_col = 200;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) {
    r.out = std::string("forkpty: ") + strerror(errno);
    return r;
  }
  if (pid == 0) {
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0) break;  // EIO: every slave end is closed
    r.out.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int status = 0;
  if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

std::vector<fs::path> Entries(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  return out;
}

// Every file below `dir`.
std::vector<fs::path> Files(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (!e.is_directory()) out.push_back(e.path());
  }
  return out;
}

std::string Describe(const std::vector<fs::path>& paths) {
  std::string s;
  for (const fs::path& p : paths) s += p.string() + " ";
  return s;
}

class BackupTargetsE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    t1_ = dir_.Join("t1");
    t2_ = dir_.Join("t2");
    for (const std::string& d : {t1_, t2_}) fs::create_directories(d);
    set_name_ = TestSetName("vdbktgt_");
  }
  void StartEmulator(const std::string& size, const std::string& fault = "") {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", size));
    StartServer(FaultArgs(fault));
  }
  void TearDown() override {
    EmulatorFixture::TearDown();
    if (!mount_.empty()) umount2(mount_.c_str(), MNT_DETACH);
  }
  std::vector<std::string> BackupArgv(int devices, int workers,
                                      const std::vector<std::string>& extra) {
    std::vector<std::string> argv{Bin("vdibackup"), "backup",
                                  "--database",     "sales",
                                  "--repo",         repo_,
                                  "--devices",      std::to_string(devices),
                                  "--workers",      std::to_string(workers),
                                  "--server",       endpoint_,
                                  "--set-name",     set_name_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  Outcome Restore() {
    return RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--as",
                      "copy", "--move", "sales=copy.mdf", "--move", "sales_log=copy_log.ldf",
                      "--server", endpoint_, "--json"});
  }

  std::string t1_, t2_, set_name_, mount_;
};

// 3 devices over 2 targets: stripes 1 and 3 on t1, stripe 2 on t2, the manifest alone in the
// repo; the restore finds them through the manifest and gives back identical files.
TEST_F(BackupTargetsE2eTest, ThreeDevicesOverTwoTargetsRestoreByteIdentical) {
  StartEmulator("16M");
  Outcome b = RunMerged(BackupArgv(3, 2, {"--target", t1_, "--target", t2_, "--json"}));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  EXPECT_NE(b.out.find("\"targets\":[\"" + t1_ + "\",\"" + t2_ + "\"]"), std::string::npos)
      << b.out;
  EXPECT_NE(b.out.find("\"kept\":true"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"mb_per_s\""), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"location\":\"" + t2_ + "\""), std::string::npos) << b.out;
  std::vector<fs::path> sets = Entries(repo_ + "/sales");
  ASSERT_EQ(sets.size(), 1u);
  const std::string set = sets[0].filename().string();
  // The repo set dir: the manifest, and the targets file written before any stripe (prune's
  // way to the other targets when there is no usable manifest).
  std::vector<fs::path> in_set = Files(sets[0]);
  std::sort(in_set.begin(), in_set.end());
  EXPECT_EQ(Describe(in_set),
            (sets[0] / "manifest.vdbk").string() + " " + (sets[0] / "targets").string() + " ");
  const fs::path on1 = fs::path(t1_) / "sales" / set, on2 = fs::path(t2_) / "sales" / set;
  EXPECT_TRUE(fs::exists(on1 / "stripe-01-of-03.lz4"));
  EXPECT_TRUE(fs::exists(on2 / "stripe-02-of-03.lz4"));
  EXPECT_TRUE(fs::exists(on1 / "stripe-03-of-03.lz4"));
  EXPECT_EQ(Files(t1_).size(), 2u) << Describe(Files(t1_));
  EXPECT_EQ(Files(t2_).size(), 1u) << Describe(Files(t2_));
  // The stripes are plain LZ4 frames wherever they are.
  Outcome d = RunMerged(
      {"/bin/sh", "-c", "lz4 -dc '" + (on2 / "stripe-02-of-03.lz4").string() + "' > /dev/null"});
  EXPECT_EQ(d.exit_code, 0) << d.out;

  Outcome r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_GT(ReadAll(data_ + "/copy/copy.mdf").size(), 0u);
  EXPECT_TRUE(ReadAll(data_ + "/sales/sales.mdf") == ReadAll(data_ + "/copy/copy.mdf"));
  EXPECT_TRUE(ReadAll(data_ + "/sales/sales_log.ldf") == ReadAll(data_ + "/copy/copy_log.ldf"));
}

TEST_F(BackupTargetsE2eTest, MissingStripeInATargetDirFailsRestoreWithExit4) {
  StartEmulator("16M");
  Outcome b = RunMerged(BackupArgv(3, 3, {"--target", t1_, "--target", t2_, "--json"}));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  std::vector<fs::path> sets = Entries(repo_ + "/sales");
  ASSERT_EQ(sets.size(), 1u);
  const fs::path gone = fs::path(t2_) / "sales" / sets[0].filename() / "stripe-02-of-03.lz4";
  ASSERT_TRUE(fs::remove(gone));
  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find(gone.string()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/copy/copy.mdf"));
}

// --target null: compressed and counted, nothing kept, the BACKUP completes on the server.
TEST_F(BackupTargetsE2eTest, NullTargetCompletesAndKeepsNothing) {
  StartEmulator("16M");
  const int history = HistoryEntries(ReadAll(HistoryPath()));
  Outcome b = RunMerged(BackupArgv(2, 2, {"--target", "null", "--json"}));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  EXPECT_NE(b.out.find("\"status\":\"ok\""), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"kept\":false"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"target_kind\":\"null\""), std::string::npos) << b.out;
  EXPECT_EQ(b.out.find("\"raw_bytes\":0,"), std::string::npos) << b.out;         // data flowed
  EXPECT_EQ(b.out.find("\"compressed_bytes\":0,"), std::string::npos) << b.out;  // and was lz4'd
  EXPECT_TRUE(Entries(repo_).empty()) << Describe(Entries(repo_));
  EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), history + 1);  // the server saw a good BACKUP
  EXPECT_EQ(ShmLeftovers(set_name_), "");
  // The workers were told to shut down, not terminated (which each logs as an abort).
  EXPECT_EQ(b.out.find("stopped by a signal"), std::string::npos) << b.out;
  EXPECT_EQ(b.out.find(" error "), std::string::npos) << b.out;
  // The text summary says so too.
  set_name_ += "t";
  Outcome t = RunMerged(BackupArgv(1, 1, {"--target", "null"}));
  ASSERT_EQ(t.exit_code, 0) << t.out;
  EXPECT_NE(t.out.find("nothing kept"), std::string::npos) << t.out;
  EXPECT_TRUE(Entries(repo_).empty()) << Describe(Entries(repo_));
}

TEST_F(BackupTargetsE2eTest, MissingTargetExits78BeforeAnyBackup) {
  StartEmulator("16M");
  const std::string meta = ReadAll(HistoryPath());
  Outcome b = RunMerged(BackupArgv(2, 2, {"--target", t1_, "--target", dir_.Join("nope")}));
  EXPECT_EQ(b.exit_code, 78) << b.out;
  EXPECT_NE(b.out.find(dir_.Join("nope")), std::string::npos) << b.out;
  EXPECT_EQ(b.out.find("running: BACKUP"), std::string::npos) << b.out;
  EXPECT_TRUE(Entries(repo_).empty()) << Describe(Entries(repo_));
  EXPECT_TRUE(Entries(t1_).empty()) << Describe(Entries(t1_));
  EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(meta));
  EXPECT_EQ(ShmLeftovers(set_name_), "");
}

TEST_F(BackupTargetsE2eTest, SameTargetTwiceIsUsage) {
  Outcome b = RunMerged(BackupArgv(2, 2, {"--target", t1_, "--target", t1_ + "/"}));
  EXPECT_EQ(b.exit_code, 64) << b.out;
  EXPECT_NE(b.out.find("twice"), std::string::npos) << b.out;
  EXPECT_TRUE(Entries(t1_).empty());
}

// t2 is a 2 MiB tmpfs: ENOSPC there fails the backup with exit 6, and the stripes already
// finished or in progress on t1, the set dirs on both targets and the repo set dir all go.
TEST_F(BackupTargetsE2eTest, FullTargetCleansEveryTarget) {
  if (mount("tmpfs", t2_.c_str(), "tmpfs", 0, "size=2m") != 0) {
    GTEST_SKIP() << "cannot mount a 2 MiB tmpfs (needs root/CAP_SYS_ADMIN): " << strerror(errno);
  }
  mount_ = t2_;
  StartEmulator("64M");
  const std::string meta = ReadAll(HistoryPath());
  Outcome b = RunMerged(
      BackupArgv(4, 2, {"--target", t1_, "--target", t2_, "--compression", "none", "--json"}));
  EXPECT_EQ(b.exit_code, 6) << b.out;
  EXPECT_NE(b.out.find("target full"), std::string::npos) << b.out;
  EXPECT_TRUE(Files(repo_).empty()) << Describe(Files(repo_));
  EXPECT_TRUE(Files(t1_).empty()) << Describe(Files(t1_));
  EXPECT_TRUE(Files(t2_).empty()) << Describe(Files(t2_));
  EXPECT_TRUE(Entries(repo_ + "/sales").empty()) << Describe(Entries(repo_ + "/sales"));
  EXPECT_TRUE(Entries(t1_ + "/sales").empty()) << Describe(Entries(t1_ + "/sales"));
  EXPECT_TRUE(Entries(t2_ + "/sales").empty()) << Describe(Entries(t2_ + "/sales"));
  EXPECT_EQ(HistoryEntries(ReadAll(HistoryPath())), HistoryEntries(meta));
  EXPECT_EQ(ShmLeftovers(set_name_), "");
}

// sqlcmd -Q QUERY without a shell (the query has quotes), stdout only.
Outcome Sqlcmd(const std::string& endpoint, const std::string& query) {
  Subprocess p({Bin("sqlcmd"), "-S", endpoint, "-b", "-h", "-1", "-Q", query});
  Outcome r;
  while (auto line = p.ReadLine(60s)) r.out += *line + "\n";
  auto st = p.Wait(30s);
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  return r;
}

// The size query SQL Server answers from sys.master_files, answered by the emulator.
TEST_F(BackupTargetsE2eTest, DatabaseSizeQueryGivesTheFileSizes) {
  StartEmulator("16M");
  uint64_t expected = 0;
  for (const fs::path& f : Files(data_ + "/sales")) {
    expected += (fs::file_size(f) + 8191) / 8192 * 8192;
  }
  ASSERT_GT(expected, 16u << 20);
  Outcome q = Sqlcmd(endpoint_,
                     "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE "
                     "database_id = DB_ID(N'sales')");
  ASSERT_EQ(q.exit_code, 0) << q.out;
  EXPECT_NE(q.out.find(std::to_string(expected)), std::string::npos) << q.out;
  Outcome none = Sqlcmd(endpoint_,
                        "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE "
                        "database_id = DB_ID(N'nosuchdb')");
  ASSERT_EQ(none.exit_code, 0) << none.out;
  EXPECT_NE(none.out.find("NULL"), std::string::npos) << none.out;
}

// On a terminal: a live line with bytes, MB/s, device letters and an ETA (from the size query),
// redrawn in place, log lines intact at the start of their own lines, erased at the end.
TEST_F(BackupTargetsE2eTest, ProgressLineOnATerminal) {
  StartEmulator("16M", "slow-device=0:40");
  Outcome b = RunOnTerminal(BackupArgv(1, 1, {"--target", t1_, "--max-transfer-size", "262144"}));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  int frames = 0, with_eta = 0, logs = 0;
  std::istringstream in(b.out);
  for (std::string line; std::getline(in, line, '\r');) {  // every redraw starts with '\r'
    // After a log line (the pty turns its "\n" into "\r\n") the line is redrawn at once.
    if (line.rfind("\n", 0) == 0) line.erase(0, 1);
    if (line.find(" MB/s  [") != std::string::npos) {
      ++frames;
      with_eta += line.find("ETA ") != std::string::npos;
      EXPECT_EQ(line.find('\n'), std::string::npos) << "progress line broken: " << line;
    }
  }
  // What a terminal shows of each line: the text after its last carriage return.
  std::istringstream rows(b.out);
  std::string last_visible;
  for (std::string row; std::getline(rows, row, '\n');) {
    if (!row.empty() && row.back() == '\r') row.pop_back();  // the pty's "\r\n"
    std::string visible =
        row.substr(row.rfind('\r') == std::string::npos ? 0 : row.rfind('\r') + 1);
    if (visible.rfind("\x1b[K", 0) == 0) visible.erase(0, 3);
    if (visible.find(" info ") != std::string::npos) {
      ++logs;
      EXPECT_TRUE(visible.rfind("20", 0) == 0) << "garbled log line: " << visible;
    }
    if (!visible.empty()) last_visible = visible;
  }
  EXPECT_GE(frames, 3) << b.out;
  EXPECT_GE(with_eta, 1) << b.out;
  EXPECT_GE(logs, 1) << b.out;
  // The summary follows an erased progress line.
  const size_t summary = b.out.find("backup of sales:");
  ASSERT_NE(summary, std::string::npos) << b.out;
  EXPECT_NE(b.out.rfind("\r\x1b[K", summary), std::string::npos);
  EXPECT_EQ(b.out.find(" MB/s  [", summary), std::string::npos) << "progress after the summary";
  EXPECT_EQ(last_visible.find(" MB/s  ["), std::string::npos) << last_visible;
}

// --json on a terminal: no progress line, just the JSON summary.
TEST_F(BackupTargetsE2eTest, NoProgressLineWithJson) {
  StartEmulator("16M");
  Outcome b = RunOnTerminal(BackupArgv(1, 1, {"--json"}));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  EXPECT_EQ(b.out.find(" MB/s  ["), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"status\":\"ok\""), std::string::npos) << b.out;
}

}  // namespace
}  // namespace vdibk::coordinator
