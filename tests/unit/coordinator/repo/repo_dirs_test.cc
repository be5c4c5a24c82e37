// The repository's folder rule: a symlinked database or set folder is refused, kConfiguration
// naming it, by every reader (catalog, set lookup, restore/verify loading, prune) and by backup's
// set directory creation; nothing behind the link is read, created or removed. The repository
// root itself may be a symlink.
#include "coordinator/repo/repo_dirs.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/cli/prune_command.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_layout.h"
#include "coordinator/repo/restore_plan.h"
#include "tests/harness/fifo_guard.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using testing::SetSpec;
using testing::WriteSet;

class RepoDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(repo());
    fs::create_directories(elsewhere());
  }
  std::string repo() const { return dir_.Join("repo"); }
  std::string elsewhere() const { return dir_.Join("elsewhere"); }
  // A good full of `database` named `name` written under `root`.
  void Set(const std::string& root, const std::string& database, const std::string& name) {
    SetSpec s;
    s.database = database;
    s.name = name;
    s.devices = 1;
    s.bytes_per_stripe = 5000;
    s.started_unix_ms = *ParseSetStamp(name);
    WriteSet(root, s);
  }
  static void ExpectRefused(const Status& st, const std::string& path) {
    EXPECT_EQ(st.code(), ErrorCode::kConfiguration) << st.ToString();
    EXPECT_NE(st.message().find(path + " is a symbolic link"), std::string::npos) << st.ToString();
  }
  // Every file below `root` (to show nothing changed there).
  static std::vector<std::string> Files(const std::string& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(RepoDirsTest, CheckRepoDirTellsDirectoriesFromSymlinksAndFiles) {
  EXPECT_OK(CheckRepoDir(repo()));
  EXPECT_EQ(CheckRepoDir(repo() + "/none").code(), ErrorCode::kMissing);
  fs::create_directory_symlink(elsewhere(), repo() + "/link");
  ExpectRefused(CheckRepoDir(repo() + "/link"), repo() + "/link");
  testing::WriteAll(repo() + "/file", "x");
  Status st = CheckRepoDir(repo() + "/file");
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_NE(st.message().find("is a regular file, not a directory"), std::string::npos);
  EXPECT_TRUE(IsRepoComponent("sales"));
  for (const char* bad : {"", ".", "..", "a/b"}) EXPECT_FALSE(IsRepoComponent(bad)) << bad;
}

TEST_F(RepoDirsTest, ListRepoDirsSkipsFilesAndHiddenEntriesAndRefusesLinkedFolders) {
  fs::create_directories(repo() + "/b");
  fs::create_directories(repo() + "/a");
  fs::create_directories(repo() + "/.pruning-x");
  testing::WriteAll(repo() + "/notes", "x");
  ASSERT_TRUE(vdibk::testing::MakeFifo(repo() + "/fifo"));
  fs::create_symlink(repo() + "/notes", repo() + "/file-link");  // not a folder: skipped
  Result<std::vector<std::string>> dirs = ListRepoDirs(repo());
  ASSERT_OK(dirs);
  EXPECT_EQ(*dirs, (std::vector<std::string>{"a", "b"}));
  fs::create_directory_symlink(elsewhere(), repo() + "/c");
  ExpectRefused(ListRepoDirs(repo()).status(), repo() + "/c");
}

// repo/sales -> elsewhere/sales: list, list --database, verify's set lookup, restore's set
// loading and backup's set creation all refuse it, and nothing there changes.
TEST_F(RepoDirsTest, SymlinkedDatabaseFolderIsRefusedEverywhere) {
  Set(elsewhere(), "sales", "20240101T000000Z_full");
  Set(repo(), "hr", "20240101T000000Z_full");
  const std::string link = repo() + "/sales";
  fs::create_directory_symlink(elsewhere() + "/sales", link);
  const std::vector<std::string> before = Files(elsewhere());

  ExpectRefused(ScanRepo(repo()).status(), link);
  ExpectRefused(ScanRepo(repo(), "sales").status(), link);
  EXPECT_OK(ScanRepo(repo(), "hr"));  // another database is unaffected
  ExpectRefused(ListDatabases(repo()).status(), link);
  ExpectRefused(FindSetDir(repo(), "sales", "latest").status(), link);
  ExpectRefused(FindSetDir(repo(), "sales", "20240101T000000Z_full").status(), link);
  ExpectRefused(DatabaseDir(repo(), "sales").status(), link);
  ExpectRefused(LoadRestoreSet(link + "/20240101T000000Z_full", "sales").status(), link);
  ExpectRefused(TryCreateSetDir(repo(), "sales", "20240102T000000Z_full").status(), link);
  PruneOptions p;
  p.repo = repo();
  p.database = "sales";
  p.keep_full = 1;
  std::string report;
  ExpectRefused(RunPrune(p, 4102444800000, &report), link);
  EXPECT_EQ(Files(elsewhere()), before);
}

// repo/sales/<set> -> a set directory elsewhere: refused by the catalog, by name and by loading;
// prune removes nothing.
TEST_F(RepoDirsTest, SymlinkedSetFolderIsRefusedEverywhere) {
  Set(repo(), "sales", "20240101T000000Z_full");
  Set(elsewhere(), "sales", "20240102T000000Z_full");
  const std::string link = repo() + "/sales/20240102T000000Z_full";
  fs::create_directory_symlink(elsewhere() + "/sales/20240102T000000Z_full", link);
  const std::vector<std::string> before = Files(elsewhere());

  ExpectRefused(ScanRepo(repo()).status(), link);
  ExpectRefused(FindSetDir(repo(), "sales", "latest").status(), link);
  ExpectRefused(FindSetDir(repo(), "sales", "20240102T000000Z_full").status(), link);
  ExpectRefused(LoadRestoreSet(link, "sales").status(), link);
  EXPECT_OK(FindSetDir(repo(), "sales", "20240101T000000Z_full"));
  PruneOptions p;
  p.repo = repo();
  p.keep_full = 1;
  p.grace_minutes = 0;
  std::string report;
  ExpectRefused(RunPrune(p, 4102444800000, &report), link);
  EXPECT_EQ(Files(elsewhere()), before);
  EXPECT_TRUE(fs::exists(repo() + "/sales/20240101T000000Z_full/manifest.vdbk"));
}

// A leftover of an interrupted prune that is a symlink is never followed (its "targets" could
// name other directories) nor removed through.
TEST_F(RepoDirsTest, SymlinkedPruningLeftoverIsRefused) {
  Set(repo(), "sales", "20240101T000000Z_full");
  Set(elsewhere(), "sales", "20240102T000000Z_full");
  const std::string link = repo() + "/sales/" + kPruningPrefix + "20240102T000000Z_full";
  fs::create_directory_symlink(elsewhere() + "/sales/20240102T000000Z_full", link);
  const std::vector<std::string> before = Files(elsewhere());
  PruneOptions p;
  p.repo = repo();
  p.keep_full = 1;
  std::string report;
  ExpectRefused(RunPrune(p, 4102444800000, &report), link);
  EXPECT_EQ(Files(elsewhere()), before);
}

// The repository root itself may be a symlink.
TEST_F(RepoDirsTest, TheRepositoryRootMayBeASymlink) {
  Set(repo(), "sales", "20240101T000000Z_full");
  const std::string root = dir_.Join("repo-link");
  fs::create_directory_symlink(repo(), root);
  Result<RepoCatalog> c = ScanRepo(root);
  ASSERT_OK(c);
  EXPECT_EQ(c->sets.size(), 1u);
  Result<std::string> dir = FindSetDir(root, "sales", "latest");
  ASSERT_OK(dir);
  EXPECT_OK(LoadRestoreSet(*dir, "sales"));
  EXPECT_OK(TryCreateSetDir(root, "sales", "20240102T000000Z_full"));
}

}  // namespace
}  // namespace vdibk::coordinator
