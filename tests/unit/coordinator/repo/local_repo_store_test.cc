// LocalRepoStore over real directories: listings skip hidden entries and refuse symlinked
// folders, a FIFO in a set is never opened, sets are claimed once with mode 0750, hidden sets
// are listed and deleted, and a lease makes IsInUse true until it is released.
#include "coordinator/repo/local_repo_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "shared/stripe/manifest_io.h"
#include "tests/harness/fifo_guard.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class LocalRepoStoreTest : public ::testing::Test {
 protected:
  LocalRepoStoreTest() : store_(dir_.Join("repo")) { fs::create_directories(dir_.Join("repo")); }
  std::string Repo(const std::string& rel = "") const {
    return rel.empty() ? dir_.Join("repo") : dir_.Join("repo/" + rel);
  }
  vdibk::testing::TempDir dir_;
  LocalRepoStore store_;
};

TEST_F(LocalRepoStoreTest, ListsSkipHiddenEntriesAndFiles) {
  fs::create_directories(Repo("sales/20240101T000000Z_full"));
  fs::create_directories(Repo("sales/.pruning-20230101T000000Z_full"));
  fs::create_directories(Repo(".hidden_db"));
  testing::WriteAll(Repo("sales/notes.txt"), "x");
  testing::WriteAll(Repo("stray"), "x");
  EXPECT_EQ(store_.ListDatabases().value(), std::vector<std::string>{"sales"});
  EXPECT_EQ(store_.ListSets("sales").value(), std::vector<std::string>{"20240101T000000Z_full"});
  EXPECT_EQ(store_.ListSets("hr").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(store_.ListSets("../x").status().code(), ErrorCode::kUsage);
  EXPECT_OK(store_.CheckSet("sales", "20240101T000000Z_full"));
  EXPECT_EQ(store_.CheckSet("sales", "nope").code(), ErrorCode::kMissing);
}

TEST_F(LocalRepoStoreTest, SymlinkedFoldersAreRefusedNamingThem) {
  fs::create_directories(dir_.Join("elsewhere/S_full"));
  fs::create_directory_symlink(dir_.Join("elsewhere"), Repo("sales"));
  Result<std::vector<std::string>> dbs = store_.ListDatabases();
  ASSERT_FALSE(dbs.ok());
  EXPECT_EQ(dbs.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(dbs.status().message().find(Repo("sales")), std::string::npos);
  EXPECT_EQ(store_.ListSets("sales").status().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(store_.CheckSet("sales", "S_full").code(), ErrorCode::kConfiguration);
  // Never created through it either.
  EXPECT_EQ(store_.TryCreateSet("sales", "T_full").status().code(), ErrorCode::kConfiguration);
  EXPECT_FALSE(fs::exists(dir_.Join("elsewhere/T_full")));
}

TEST_F(LocalRepoStoreTest, AFifoInASetIsListedButNeverOpened) {
  fs::create_directories(Repo("sales/S_full"));
  ASSERT_TRUE(vdibk::testing::MakeFifo(Repo("sales/S_full/") + stripe::kManifestFileName));
  Result<SetListing> listing = store_.ListSetFiles("sales", "S_full");
  ASSERT_OK(listing);
  EXPECT_TRUE(listing->Has(stripe::kManifestFileName));
  Result<std::unique_ptr<stripe::Target>> set = store_.OpenSet("sales", "S_full");
  ASSERT_OK(set);
  Result<std::unique_ptr<stripe::ReadableFile>> opened = Status::Aborted("not run");
  EXPECT_TRUE(
      vdibk::testing::ReturnsWithin([&] { opened = (*set)->Open(stripe::kManifestFileName); }, 5s,
                                    {Repo("sales/S_full/") + stripe::kManifestFileName}));
  EXPECT_EQ(opened.status().code(), ErrorCode::kMissing);
}

TEST_F(LocalRepoStoreTest, ASetIsClaimedOnceWithMode0750) {
  Result<bool> first = store_.TryCreateSet("sales", "S_full");
  ASSERT_OK(first);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(store_.TryCreateSet("sales", "S_full").value());
  struct stat st {};
  ASSERT_EQ(::stat(Repo("sales/S_full").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0750, 0u);  // 0750 minus the umask
  EXPECT_EQ(store_.TryCreateSet("sales", "..").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(LocalRepoStore(dir_.Join("nope")).TryCreateSet("sales", "S").status().code(),
            ErrorCode::kConfiguration);
  store_.DiscardSet("sales", "S_full");
  EXPECT_FALSE(fs::exists(Repo("sales/S_full")));
}

TEST_F(LocalRepoStoreTest, HiddenSetsAreListedReadAndDeleted) {
  testing::SetSpec spec;
  spec.name = "S_full";
  spec.bytes_per_stripe = 1000;
  testing::WriteSet(Repo(), spec);
  ASSERT_OK(store_.HideSet("sales", "S_full"));
  EXPECT_TRUE(fs::is_directory(Repo("sales/.pruning-S_full")));
  EXPECT_TRUE(store_.ListSets("sales")->empty());
  EXPECT_EQ(store_.ListHiddenSets("sales").value(), std::vector<std::string>{"S_full"});
  Result<std::unique_ptr<stripe::Target>> hidden = store_.OpenHiddenSet("sales", "S_full");
  ASSERT_OK(hidden);
  EXPECT_OK(stripe::ReadManifest(**hidden, stripe::kManifestFileName));
  ASSERT_OK(store_.DeleteHiddenSet("sales", "S_full"));
  EXPECT_FALSE(fs::exists(Repo("sales/.pruning-S_full")));
  EXPECT_TRUE(store_.ListHiddenSets("sales")->empty());
  EXPECT_TRUE(store_.ListHiddenSets("nobody")->empty());
}

TEST_F(LocalRepoStoreTest, AHiddenSetThatIsASymlinkIsRefused) {
  fs::create_directories(Repo("sales"));
  fs::create_directories(dir_.Join("elsewhere"));
  fs::create_directory_symlink(dir_.Join("elsewhere"), Repo("sales/.pruning-S_full"));
  EXPECT_EQ(store_.ListHiddenSets("sales").status().code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(fs::exists(dir_.Join("elsewhere")));
}

TEST_F(LocalRepoStoreTest, ALeaseMakesTheSetInUseUntilReleased) {
  ASSERT_TRUE(store_.TryCreateSet("sales", "S_full").value());
  EXPECT_FALSE(store_.IsInUse("sales", "S_full"));
  {
    Result<std::unique_ptr<SetLease>> lease = store_.AcquireLease("sales", "S_full");
    ASSERT_OK(lease);
    EXPECT_TRUE(store_.IsInUse("sales", "S_full"));
    Result<std::unique_ptr<SetLease>> other = store_.TryAcquireLease("sales", "S_full");
    ASSERT_OK(other);
    EXPECT_EQ(*other, nullptr);
  }
  EXPECT_FALSE(store_.IsInUse("sales", "S_full"));
  EXPECT_FALSE(fs::exists(Repo("sales/S_full/.vdibackup.lock")));  // removed on release
  Result<std::unique_ptr<SetLease>> again = store_.TryAcquireLease("sales", "S_full");
  ASSERT_OK(again);
  ASSERT_NE(*again, nullptr);
  (*again)->KeepOnRelease();
  again->reset();
  EXPECT_TRUE(fs::exists(Repo("sales/S_full/.vdibackup.lock")));
}

TEST_F(LocalRepoStoreTest, AFifoInPlaceOfTheLockFileIsNeverOpened) {
  ASSERT_TRUE(store_.TryCreateSet("sales", "S_full").value());
  const std::string lock = Repo("sales/S_full/.vdibackup.lock");
  ASSERT_TRUE(vdibk::testing::MakeFifo(lock));
  Result<std::unique_ptr<SetLease>> lease = Status::Aborted("not run");
  EXPECT_TRUE(vdibk::testing::ReturnsWithin(
      [&] { lease = store_.TryAcquireLease("sales", "S_full"); }, 5s, {lock}));
  EXPECT_EQ(lease.status().code(), ErrorCode::kMissing);
  EXPECT_FALSE(store_.IsInUse("sales", "S_full"));
}

}  // namespace
}  // namespace vdibk::coordinator
