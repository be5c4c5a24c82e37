// A hostile repository: FIFOs, devices and symlinks where vdibackup expects its own files. Every
// file the repository tools open (stripes, manifests, the targets file, set locks) is refused at
// once naming it; nothing blocks, nothing is followed, nothing outside the repository changes.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/cli/prune_command.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/repo/set_lock.h"
#include "coordinator/cli/verify_command.h"
#include "coordinator/repo/set_verification.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/fifo_guard.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::SetSpec;
using testing::WriteSet;
using vdibk::testing::MakeFifo;
using vdibk::testing::ReturnsWithin;

constexpr auto kLimit = 5s;

class HostileRepoTest : public ::testing::Test {
 protected:
  std::string repo() const { return dir_.Join("repo"); }
  std::string SetDirOf(const std::string& name) const { return repo() + "/sales/" + name; }
  // A good set of 2 stripes.
  std::string GoodSet(const std::string& name, uint8_t id = 1) {
    SetSpec s;
    s.name = name;
    s.id = id;
    s.bytes_per_stripe = 20'000;
    s.started_unix_ms = *ParseSetStamp(name);
    WriteSet(repo(), s);
    return SetDirOf(name);
  }
  // Replaces `path` with a FIFO.
  void FifoAt(const std::string& path) {
    fs::remove(path);
    ASSERT_TRUE(MakeFifo(path)) << path;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(HostileRepoTest, FifoStripeIsRefusedByRestoreAndVerify) {
  const std::string set = GoodSet("20240101T000000Z_full");
  const std::string fifo = set + "/" + testing::StripeName(1, 2);
  FifoAt(fifo);
  Result<RestorePlan> plan = Status::Failed("not run");
  EXPECT_TRUE(ReturnsWithin([&] { plan = LoadRestoreSet(set, "sales"); }, kLimit, {fifo}));
  EXPECT_EQ(plan.status().code(), ErrorCode::kMissing);
  EXPECT_NE(plan.status().message().find(fifo + " is a FIFO, not a regular file"),
            std::string::npos)
      << plan.status().ToString();

  VerifyOptions o;
  o.repo = repo();
  o.all = true;
  Result<VerifyRun> run = Status::Failed("not run");
  EXPECT_TRUE(ReturnsWithin([&] { run = RunVerify(o); }, kLimit, {fifo}));
  ASSERT_OK(run);
  EXPECT_EQ(run->code(), ErrorCode::kMissing);
  EXPECT_NE(FormatVerifyText(*run).find("is a FIFO"), std::string::npos) << FormatVerifyText(*run);
}

TEST_F(HostileRepoTest, FifoManifestIsRefusedAndListedAsGarbage) {
  const std::string set = GoodSet("20240101T000000Z_full");
  const std::string fifo = set + "/" + stripe::kManifestFileName;
  FifoAt(fifo);
  Result<proto::Manifest> m = Status::Failed("not run");
  stripe::DirectoryTarget target(set);
  EXPECT_TRUE(ReturnsWithin([&] { m = stripe::ReadManifest(target, stripe::kManifestFileName); },
                            kLimit, {fifo}));
  EXPECT_EQ(m.status().code(), ErrorCode::kMissing);
  EXPECT_NE(m.status().message().find("is a FIFO"), std::string::npos) << m.status().ToString();
  Result<RepoCatalog> c = Status::Failed("not run");
  EXPECT_TRUE(ReturnsWithin([&] { c = ScanRepo(repo()); }, kLimit, {fifo}));
  ASSERT_OK(c);
  ASSERT_EQ(c->sets.size(), 1u);
  EXPECT_EQ(c->sets[0].state, SetState::kGarbage);
  Result<std::string> latest = Status::Failed("not run");
  EXPECT_TRUE(
      ReturnsWithin([&] { latest = FindSetDir(repo(), "sales", "latest"); }, kLimit, {fifo}));
  EXPECT_EQ(latest.status().code(), ErrorCode::kMissing) << latest.status().ToString();
}

TEST_F(HostileRepoTest, FifoPlacementFileIsRefused) {
  const std::string set = GoodSet("20240101T000000Z_full");
  const std::string fifo = set + "/stripe-09-of-09.lz4" + stripe::kPartialSuffix;
  ASSERT_TRUE(MakeFifo(fifo));
  stripe::DirectoryTarget target(set);
  Status st;
  EXPECT_TRUE(ReturnsWithin(
      [&] {
        auto f = target.OpenForPlacement("stripe-09-of-09.lz4");
        st = f.ok() ? Status::Ok() : f.status();
      },
      kLimit, {fifo}));
  EXPECT_EQ(st.code(), ErrorCode::kMissing);
  EXPECT_NE(st.message().find("is a FIFO"), std::string::npos) << st.ToString();
}

TEST_F(HostileRepoTest, FifoTargetsFileReadsAsNone) {
  const std::string set = SetDirOf("20240101T000000Z_full");
  fs::create_directories(set);
  const std::string fifo = set + "/" + kTargetsFileName;
  ASSERT_TRUE(MakeFifo(fifo));
  std::vector<std::string> roots{"x"};
  EXPECT_TRUE(ReturnsWithin([&] { roots = ReadTargetsFile(set); }, kLimit, {fifo}));
  EXPECT_TRUE(roots.empty());
}

// The lock file of a set: a FIFO is refused by every lock call; a symlink is never followed
// (the file it points to is neither created nor locked).
TEST_F(HostileRepoTest, FifoOrSymlinkLockFileIsRefusedNeverBlockedOnOrFollowed) {
  const std::string set = SetDirOf("20231201T000000Z_full");
  fs::create_directories(set);
  const std::string lock = set + "/" + kSetLockFileName;
  ASSERT_TRUE(MakeFifo(lock));
  bool held = true;
  Status acquire, try_acquire;
  EXPECT_TRUE(ReturnsWithin(
      [&] {
        held = SetDirLock::IsHeld(set);
        auto a = SetDirLock::Acquire(set);
        acquire = a.ok() ? Status::Ok() : a.status();
        auto t = SetDirLock::TryAcquire(set);
        try_acquire = t.ok() ? Status::Ok() : t.status();
      },
      kLimit, {lock}));
  EXPECT_FALSE(held);
  for (const Status& st : {acquire, try_acquire}) {
    EXPECT_EQ(st.code(), ErrorCode::kMissing);
    EXPECT_NE(st.message().find(lock + " is a FIFO"), std::string::npos) << st.ToString();
  }

  fs::remove(lock);
  const std::string outside = dir_.Join("outside.lock");
  fs::create_symlink(outside, lock);
  auto a = SetDirLock::Acquire(set);
  EXPECT_EQ(a.status().code(), ErrorCode::kMissing) << a.status().ToString();
  EXPECT_NE(a.status().message().find("is a symbolic link"), std::string::npos);
  EXPECT_FALSE(fs::exists(outside));  // never created through the link
  EXPECT_FALSE(SetDirLock::IsHeld(set));
}

// list, verify --all and prune over a repository with a FIFO lock file and a FIFO targets file
// in a garbage set: all return, prune refuses naming the lock and removes nothing.
TEST_F(HostileRepoTest, ToolsReturnOverFifosInAGarbageSet) {
  GoodSet("20240101T000000Z_full");
  const std::string garbage = SetDirOf("20231201T000000Z_full");
  fs::create_directories(garbage);
  const std::string lock = garbage + "/" + kSetLockFileName;
  const std::string targets = garbage + "/" + kTargetsFileName;
  ASSERT_TRUE(MakeFifo(lock));
  ASSERT_TRUE(MakeFifo(targets));
  const std::vector<std::string> fifos{lock, targets};

  Result<RepoCatalog> c = Status::Failed("not run");
  EXPECT_TRUE(ReturnsWithin([&] { c = ScanRepo(repo()); }, kLimit, fifos));
  ASSERT_OK(c);
  EXPECT_EQ(c->sets.size(), 2u);

  VerifyOptions v;
  v.repo = repo();
  v.all = true;
  EXPECT_TRUE(ReturnsWithin([&] { (void)RunVerify(v); }, kLimit, fifos));

  PruneOptions p;
  p.repo = repo();
  p.keep_full = 1;
  p.grace_minutes = 0;
  Status st;
  std::string report;
  EXPECT_TRUE(ReturnsWithin([&] { st = RunPrune(p, 4102444800000, &report); }, kLimit, fifos));
  EXPECT_EQ(st.code(), ErrorCode::kMissing) << st.ToString() << "\n" << report;
  EXPECT_NE(st.message().find(lock), std::string::npos) << st.ToString();
  EXPECT_TRUE(fs::exists(lock));
  EXPECT_TRUE(fs::exists(SetDirOf("20240101T000000Z_full") + "/manifest.vdbk"));
}

}  // namespace
}  // namespace vdibk::coordinator
