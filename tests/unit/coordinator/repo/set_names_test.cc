// Set directory names under concurrency: a taken name (in the repo or on any --target) moves the
// backup to the next "-NN" name, atomically claimed by mkdir; 8 threads creating sets of one
// second at once all get distinct directories; the catalog reads the kind of a suffixed name.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_layout.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

class SetNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"repo", "t1", "t2"}) fs::create_directories(dir_.Join(d));
  }
  BackupSpec Options(std::vector<std::string> targets = {}) {
    BackupSpec o;
    o.database = "db";
    o.repo = dir_.Join("repo");
    o.devices = 2;
    for (const std::string& t : targets) o.targets.push_back(dir_.Join(t));
    return o;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(SetNamesTest, CandidatesSortInClaimOrder) {
  EXPECT_EQ(SetDirCandidate("S_full", 0), "S_full");
  EXPECT_EQ(SetDirCandidate("S_full", 1), "S_full-02");
  EXPECT_EQ(SetDirCandidate("S_full", 8), "S_full-09");
  EXPECT_EQ(SetDirCandidate("S_full", 9), "S_full-10");
  for (uint32_t i = 1; i < kMaxSetDirAttempts; ++i) {
    EXPECT_LT(SetDirCandidate("S_full", i - 1), SetDirCandidate("S_full", i)) << i;
  }
}

TEST_F(SetNamesTest, ATakenNameMovesTheBackupToTheNextOne) {
  Result<BackupTargets> first = BackupTargets::Create(Options(), "S_full");
  ASSERT_OK(first);
  Result<BackupTargets> second = BackupTargets::Create(Options(), "S_full");
  ASSERT_OK(second);
  EXPECT_EQ(first->set_dir(), dir_.Join("repo/db/S_full"));
  EXPECT_EQ(second->set_dir(), dir_.Join("repo/db/S_full-02"));
}

// Free in the repo, taken on t2 (another repository's backup of that second): every directory
// of this backup takes the next name, and the other backup's directory is left alone.
TEST_F(SetNamesTest, ANameTakenOnATargetMovesEveryDirectory) {
  fs::create_directories(dir_.Join("t2/db/S_full"));
  fs::create_directories(dir_.Join("t2/db/S_full/keep"));
  Result<BackupTargets> t = BackupTargets::Create(Options({"t1", "t2"}), "S_full");
  ASSERT_OK(t);
  EXPECT_EQ(t->set_dir(), dir_.Join("repo/db/S_full-02"));
  EXPECT_EQ(t->StripeDir(0), dir_.Join("t1/db/S_full-02"));
  EXPECT_EQ(t->StripeDir(1), dir_.Join("t2/db/S_full-02"));
  EXPECT_FALSE(fs::exists(dir_.Join("repo/db/S_full")));  // the first try was undone
  EXPECT_FALSE(fs::exists(dir_.Join("t1/db/S_full")));
  EXPECT_TRUE(fs::exists(dir_.Join("t2/db/S_full/keep")));
  EXPECT_EQ(ReadTargetsFile(t->set_dir()),
            (std::vector<std::string>{dir_.Join("t1"), dir_.Join("t2")}));
}

TEST_F(SetNamesTest, ConcurrentCreationsGetDistinctDirectories) {
  constexpr int kThreads = 8;
  std::mutex mu;
  std::set<std::string> dirs;
  std::vector<Status> errors;
  std::vector<BackupTargets> keep;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      Result<BackupTargets> t = BackupTargets::Create(Options({"t1"}), "S_log");
      std::lock_guard<std::mutex> lock(mu);
      if (!t.ok()) {
        errors.push_back(t.status());
        return;
      }
      dirs.insert(t->set_dir());
      keep.push_back(std::move(t).value());
    });
  }
  for (std::thread& th : threads) th.join();
  for (const Status& e : errors) ADD_FAILURE() << e.ToString();
  EXPECT_EQ(dirs.size(), static_cast<size_t>(kThreads));
  for (const std::string& d : dirs) {
    EXPECT_TRUE(fs::is_directory(d)) << d;
    EXPECT_TRUE(fs::is_directory(dir_.Join("t1/db/") + fs::path(d).filename().string())) << d;
  }
}

TEST_F(SetNamesTest, AllNamesTakenIsTargetIo) {
  for (uint32_t i = 0; i < kMaxSetDirAttempts; ++i) {
    fs::create_directories(dir_.Join("repo/db/") + SetDirCandidate("S_full", i));
  }
  Result<BackupTargets> t = BackupTargets::Create(Options(), "S_full");
  EXPECT_EQ(t.status().code(), ErrorCode::kTargetIo);
  EXPECT_NE(t.status().message().find("no free set directory name"), std::string::npos);
}

// A set without a manifest (garbage) is typed by its name, suffix or not.
TEST_F(SetNamesTest, CatalogReadsTheKindOfASuffixedName) {
  for (const char* n : {"20240101T000000Z_full", "20240101T000000Z_log-02",
                        "20240101T000000Z_diff-17", "20240101T000000Z_x-02"}) {
    fs::create_directories(dir_.Join("repo/db/") + n);
  }
  Result<RepoCatalog> c = ScanRepo(dir_.Join("repo"));
  ASSERT_OK(c);
  std::map<std::string, SetKind> kinds;
  for (const CatalogSet& s : c->sets) kinds[s.name] = s.kind;
  EXPECT_EQ(kinds["20240101T000000Z_full"], SetKind::kFull);
  EXPECT_EQ(kinds["20240101T000000Z_log-02"], SetKind::kLog);
  EXPECT_EQ(kinds["20240101T000000Z_diff-17"], SetKind::kDiff);
  EXPECT_EQ(kinds["20240101T000000Z_x-02"], SetKind::kUnknown);
  EXPECT_EQ(*ParseSetStamp("20240101T000000Z_log-02"), *ParseSetStamp("20240101T000000Z_log"));
}

}  // namespace
}  // namespace vdibk::coordinator
