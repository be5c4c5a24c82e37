// Restore set selection and pre-flight validation: latest COMPLETE set, missing / foreign /
// extra stripes (kMissing), corrupt manifest (kIntegrity), on small stripes in a temp dir.
#include "coordinator/repo/restore_plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

using testing::StripeName;

// Writes a set of `n` stripes with set id `id` and its manifest (state `state`) into `dir`.
void WriteSet(const std::string& dir, uint32_t n, uint8_t id,
              proto::ManifestState state = proto::MANIFEST_STATE_COMPLETE) {
  fs::create_directories(dir);
  stripe::DirectoryTarget target(dir);
  proto::Manifest m;
  m.set_format_version(1);
  m.set_set_id(std::string(16, static_cast<char>(id)));
  m.set_database("sales");
  m.set_device_count(n);
  m.mutable_vdi()->set_block_size(65536);
  m.mutable_vdi()->set_max_transfer_size(1 << 20);
  m.set_state(state);
  for (uint32_t i = 0; i < n; ++i) {
    stripe::StripeHeader h;
    h.set_id.fill(id);
    h.database = "sales";
    h.backup_type = stripe::BackupType::kFull;
    h.device_index = i;
    h.device_count = n;
    Result<stripe::StripeWriter> w = stripe::StripeWriter::Create(target, StripeName(i, n), h);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    std::string data(10000 + i, static_cast<char>('a' + i));
    ASSERT_TRUE(w->Append(data.data(), data.size()).ok());
    Result<stripe::StripeSummary> s = w->Finalize();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    proto::StripeEntry* e = m.add_stripes();
    e->set_index(i);
    e->set_file_name(StripeName(i, n));
    e->set_raw_bytes(s->raw_bytes);
    e->set_raw_digest(stripe::DigestBytes(s->raw_xxh64));
  }
  ASSERT_TRUE(stripe::WriteManifest(target, stripe::kManifestFileName, m).ok());
}

class RestoreSetTest : public ::testing::Test {
 protected:
  std::string Set(const std::string& name) { return dir_.Join("repo/sales/" + name); }
  std::string repo() { return dir_.Join("repo"); }
  vdibk::testing::TempDir dir_;
};

TEST_F(RestoreSetTest, LatestIsTheNewestCompleteSet) {
  WriteSet(Set("20240101T000000Z_full"), 2, 1);
  WriteSet(Set("20240102T000000Z_full"), 1, 2);
  WriteSet(Set("20240103T000000Z_full"), 1, 3, proto::MANIFEST_STATE_PENDING);
  fs::create_directories(Set("20240104T000000Z_full"));  // in progress: no manifest
  Result<std::string> dir = FindSetDir(repo(), "sales", "latest");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*dir, Set("20240102T000000Z_full"));
  Result<RestorePlan> plan = LoadRestoreSet(*dir, "sales");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->stripe_files.size(), 1u);
  EXPECT_EQ(plan->block_size, 65536u);
}

TEST_F(RestoreSetTest, NamedSetAndMissingSets) {
  WriteSet(Set("20240101T000000Z_full"), 2, 1);
  EXPECT_TRUE(FindSetDir(repo(), "sales", "20240101T000000Z_full").ok());
  EXPECT_EQ(FindSetDir(repo(), "sales", "nope").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(FindSetDir(repo(), "other", "latest").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(FindSetDir(repo(), "sales", "../x").status().code(), ErrorCode::kUsage);
}

TEST_F(RestoreSetTest, ValidSetLoads) {
  WriteSet(Set("s"), 3, 1);
  Result<RestorePlan> plan = LoadRestoreSet(Set("s"), "sales");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->stripe_files[2], "stripe-03-of-03.lz4");
  EXPECT_EQ(plan->raw_bytes(), 30003u);
}

TEST_F(RestoreSetTest, MissingStripeIsKMissingNamingIt) {
  WriteSet(Set("s"), 3, 1);
  fs::remove(Set("s") + "/stripe-02-of-03.lz4");
  Result<RestorePlan> plan = LoadRestoreSet(Set("s"), "sales");
  ASSERT_EQ(plan.status().code(), ErrorCode::kMissing) << plan.status().ToString();
  EXPECT_NE(plan.status().message().find("stripe-02-of-03.lz4"), std::string::npos);
}

TEST_F(RestoreSetTest, ForeignStripeIsKMissing) {
  WriteSet(Set("s"), 2, 1);
  WriteSet(Set("other"), 2, 9);
  fs::copy_file(Set("other") + "/stripe-02-of-02.lz4", Set("s") + "/stripe-02-of-02.lz4",
                fs::copy_options::overwrite_existing);
  Result<RestorePlan> plan = LoadRestoreSet(Set("s"), "sales");
  ASSERT_EQ(plan.status().code(), ErrorCode::kMissing) << plan.status().ToString();
  EXPECT_NE(plan.status().message().find("stripe-02-of-02.lz4"), std::string::npos);
}

TEST_F(RestoreSetTest, StripeOfAnotherIndexIsKMissing) {
  WriteSet(Set("s"), 2, 1);
  fs::copy_file(Set("s") + "/stripe-01-of-02.lz4", Set("s") + "/stripe-02-of-02.lz4",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(LoadRestoreSet(Set("s"), "sales").status().code(), ErrorCode::kMissing);
}

TEST_F(RestoreSetTest, ExtraStripeIsKMissingNamingIt) {
  WriteSet(Set("s"), 2, 1);
  fs::copy_file(Set("s") + "/stripe-01-of-02.lz4", Set("s") + "/stripe-03-of-03.lz4");
  Result<RestorePlan> plan = LoadRestoreSet(Set("s"), "sales");
  ASSERT_EQ(plan.status().code(), ErrorCode::kMissing) << plan.status().ToString();
  EXPECT_NE(plan.status().message().find("stripe-03-of-03.lz4"), std::string::npos);
}

TEST_F(RestoreSetTest, CorruptManifestIsKIntegrity) {
  WriteSet(Set("s"), 1, 1);
  const std::string path = Set("s") + "/" + stripe::kManifestFileName;
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 40u);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_EQ(LoadRestoreSet(Set("s"), "sales").status().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(FindSetDir(repo(), "sales", "latest").status().code(), ErrorCode::kIntegrity);
}

TEST_F(RestoreSetTest, NoManifestOrPendingOrOtherDatabaseIsKMissing) {
  WriteSet(Set("p"), 1, 1, proto::MANIFEST_STATE_PENDING);
  EXPECT_EQ(LoadRestoreSet(Set("p"), "sales").status().code(), ErrorCode::kMissing);
  fs::create_directories(Set("empty"));
  EXPECT_EQ(LoadRestoreSet(Set("empty"), "sales").status().code(), ErrorCode::kMissing);
  WriteSet(Set("s"), 1, 1);
  EXPECT_EQ(LoadRestoreSet(Set("s"), "other").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::coordinator
