// BackupDiscard: the set is removed once, when the last device's VDC_Discard arrives (from any
// device thread, in any order); repeats and unknown devices change nothing.
#include "coordinator/pipeline/backup_discard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "coordinator/pipeline/backup_targets.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

class BackupDiscardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"repo", "t1", "t2"}) fs::create_directories(dir_.Join(d));
    BackupSpec o;
    o.database = "db";
    o.repo = dir_.Join("repo");
    o.devices = 3;
    o.targets = {dir_.Join("t1"), dir_.Join("t2")};
    Result<BackupTargets> t = BackupTargets::Create(o, "S_full");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    targets_.emplace(std::move(t).value());
    for (uint32_t d = 0; d < 3; ++d) {  // what the workers wrote so far
      std::ofstream(targets_->StripeDir(d) + "/stripe-0" + std::to_string(d + 1) +
                    "-of-03.lz4.partial")
          << "frames";
    }
  }
  bool AnySetDirLeft() const {
    return fs::exists(dir_.Join("repo/db/S_full")) || fs::exists(dir_.Join("t1/db/S_full")) ||
           fs::exists(dir_.Join("t2/db/S_full"));
  }

  vdibk::testing::TempDir dir_;
  std::optional<BackupTargets> targets_;
  std::atomic<int> removals_{0};
};

TEST_F(BackupDiscardTest, TheLastDevicesDiscardRemovesTheSetOnce) {
  BackupDiscard discard(3, [&] {
    ++removals_;
    targets_->RemoveAll();
  });
  EXPECT_FALSE(discard.OnDiscard(2));
  EXPECT_FALSE(discard.OnDiscard(2));  // a repeat is not another device
  EXPECT_FALSE(discard.OnDiscard(7));  // no such device
  EXPECT_FALSE(discard.OnDiscard(0));
  EXPECT_TRUE(AnySetDirLeft());  // device 1 may still be writing
  EXPECT_FALSE(discard.removed());
  EXPECT_TRUE(discard.OnDiscard(1));
  EXPECT_TRUE(discard.removed());
  EXPECT_FALSE(AnySetDirLeft());
  EXPECT_FALSE(discard.OnDiscard(1));
  EXPECT_EQ(removals_.load(), 1);
}

TEST_F(BackupDiscardTest, ConcurrentDeviceThreadsRemoveExactlyOnce) {
  BackupDiscard discard(3, [&] {
    ++removals_;
    targets_->RemoveAll();
  });
  std::atomic<int> last{0};
  std::vector<std::thread> threads;
  for (uint32_t d = 0; d < 3; ++d) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      threads.emplace_back([&, d] { last += discard.OnDiscard(d) ? 1 : 0; });
    }
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(last.load(), 1);
  EXPECT_EQ(removals_.load(), 1);
  EXPECT_FALSE(AnySetDirLeft());
}

}  // namespace
}  // namespace vdibk::coordinator
