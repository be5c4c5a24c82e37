// Restore sets whose stripes are on --target directories (StripeEntry.location): stripe_dirs,
// missing and extra stripes in a target dir (kMissing), invalid locations: relative or with ".."
// parts (kIntegrity).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "coordinator/repo/restore_plan.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
constexpr const char* kSet = "20240101T000000Z_full";

using testing::StripeName;

class RestoreSetTargetsTest : public ::testing::Test {
 protected:
  std::string repo() { return dir_.Join("repo"); }
  std::string set_dir() { return repo() + "/sales/" + kSet; }
  std::string target(int t) { return dir_.Join("t" + std::to_string(t)); }
  std::string target_set(int t) { return target(t) + "/sales/" + kSet; }

  // `n` stripes, stripe i on target i % targets (targets = 0: all in the set dir).
  proto::Manifest WriteSet(uint32_t n, int targets) {
    fs::create_directories(set_dir());
    proto::Manifest m;
    m.set_format_version(1);
    m.set_set_id(std::string(16, '\x07'));
    m.set_database("sales");
    m.set_device_count(n);
    m.mutable_vdi()->set_block_size(65536);
    m.mutable_vdi()->set_max_transfer_size(1 << 20);
    m.set_state(proto::MANIFEST_STATE_COMPLETE);
    for (uint32_t i = 0; i < n; ++i) {
      const std::string dir = targets == 0 ? set_dir() : target_set(static_cast<int>(i) % targets);
      fs::create_directories(dir);
      stripe::DirectoryTarget t(dir);
      stripe::StripeHeader h;
      h.set_id.fill(7);
      h.database = "sales";
      h.device_index = i;
      h.device_count = n;
      Result<stripe::StripeWriter> w = stripe::StripeWriter::Create(t, StripeName(i, n), h);
      EXPECT_TRUE(w.ok()) << w.status().ToString();
      if (!w.ok()) return m;
      std::string data(5000 + i, static_cast<char>('a' + i));
      EXPECT_TRUE(w->Append(data.data(), data.size()).ok());
      Result<stripe::StripeSummary> s = w->Finalize();
      EXPECT_TRUE(s.ok());
      proto::StripeEntry* e = m.add_stripes();
      e->set_index(i);
      e->set_file_name(StripeName(i, n));
      e->set_raw_bytes(s->raw_bytes);
      e->set_raw_digest(stripe::DigestBytes(s->raw_xxh64));
      if (targets) e->set_location(target(static_cast<int>(i) % targets));
    }
    WriteManifest(m);
    return m;
  }
  void WriteManifest(const proto::Manifest& m) {
    stripe::DirectoryTarget t(set_dir());
    stripe::CreateOptions replace;
    replace.replace = true;
    ASSERT_TRUE(stripe::WriteManifest(t, stripe::kManifestFileName, m, replace).ok());
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(RestoreSetTargetsTest, StripeDirsComeFromTheManifestLocations) {
  WriteSet(3, 2);
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->stripe_dirs.size(), 3u);
  EXPECT_EQ(plan->stripe_dirs[0], target_set(0));
  EXPECT_EQ(plan->stripe_dirs[1], target_set(1));
  EXPECT_EQ(plan->stripe_dirs[2], target_set(0));
  EXPECT_EQ(plan->stripe_files[2], "stripe-03-of-03.lz4");
}

TEST_F(RestoreSetTargetsTest, WithoutLocationTheStripesAreInTheSetDir) {
  WriteSet(2, 0);
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->stripe_dirs, (std::vector<std::string>{set_dir(), set_dir()}));
}

TEST_F(RestoreSetTargetsTest, MissingStripeInATargetDirIsMissing) {
  WriteSet(3, 2);
  fs::remove(target_set(1) + "/stripe-02-of-03.lz4");
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kMissing);
  EXPECT_NE(plan.status().message().find(target_set(1) + "/stripe-02-of-03.lz4"), std::string::npos)
      << plan.status().ToString();
}

TEST_F(RestoreSetTargetsTest, ExtraStripeInATargetDirIsMissing) {
  WriteSet(3, 2);
  std::ofstream(target_set(1) + "/stripe-04-of-03.lz4") << "x";
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kMissing);
  EXPECT_NE(plan.status().message().find("extra stripe " + target_set(1)), std::string::npos)
      << plan.status().ToString();
}

TEST_F(RestoreSetTargetsTest, ExtraStripeInTheSetDirIsMissingToo) {
  WriteSet(2, 2);
  std::ofstream(set_dir() + "/stripe-01-of-02.lz4") << "x";  // listed, but on t0
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kMissing);
  EXPECT_NE(plan.status().message().find("extra stripe " + set_dir()), std::string::npos)
      << plan.status().ToString();
}

TEST_F(RestoreSetTargetsTest, LocationWithDotDotIsIntegrity) {
  proto::Manifest m = WriteSet(2, 2);
  // Resolves to the real target, but a location must not climb out of where it names.
  m.mutable_stripes(1)->set_location(dir_.Join("elsewhere/../t1"));
  WriteManifest(m);
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(plan.status().message().find("stripe entry 1 is invalid"), std::string::npos)
      << plan.status().ToString();
  EXPECT_TRUE(IsSafeLocation("/a/./b//c/"));
  EXPECT_FALSE(IsSafeLocation("/a/../b"));
  EXPECT_FALSE(IsSafeLocation("a/b"));
  EXPECT_FALSE(IsSafeLocation(""));
}

TEST_F(RestoreSetTargetsTest, RelativeLocationIsIntegrity) {
  proto::Manifest m = WriteSet(2, 2);
  m.mutable_stripes(1)->set_location("t1");
  WriteManifest(m);
  Result<RestorePlan> plan = LoadRestoreSet(set_dir(), "sales");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace vdibk::coordinator
