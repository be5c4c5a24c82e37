// Tests of manifest persistence: round trip, checksum, corruption, atomic replace.
#include "shared/stripe/manifest_io.h"

#include <gtest/gtest.h>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/fault_target.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

proto::Manifest MakeManifest() {
  proto::Manifest m;
  m.set_format_version(1);
  m.set_set_id(std::string(16, '\x5a'));
  m.set_database("SalesDb");
  m.set_backup_type(proto::BACKUP_TYPE_FULL);
  m.set_device_count(2);
  m.set_first_lsn("42000000012300001");
  m.mutable_vdi()->set_max_transfer_size(1 << 20);
  for (uint32_t i = 0; i < 2; ++i) {
    auto* s = m.add_stripes();
    s->set_index(i);
    s->set_file_name("stripe-0" + std::to_string(i + 1) + "-of-02.lz4");
    s->set_raw_bytes(1000 + i);
    s->set_raw_digest(DigestBytes(0x1234 + i));
  }
  m.set_state(proto::MANIFEST_STATE_PENDING);
  return m;
}

TEST(ManifestIoTest, RoundTrip) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  ASSERT_OK(WriteManifest(t, kManifestFileName, MakeManifest()));
  auto m = ReadManifest(t, kManifestFileName);
  ASSERT_OK(m);
  EXPECT_EQ(m->database(), "SalesDb");
  ASSERT_EQ(m->stripes_size(), 2);
  EXPECT_EQ(m->stripes(1).raw_digest(), DigestBytes(0x1235));
}

TEST(ManifestIoTest, EveryFlippedByteIsRejected) {
  auto bytes = EncodeManifestFile(MakeManifest());
  ASSERT_OK(bytes);
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::vector<uint8_t> b(bytes->begin(), bytes->end());
    b[i] ^= 0x04;
    auto m = DecodeManifestFile(b);
    EXPECT_FALSE(m.ok()) << "byte " << i;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), ErrorCode::kIntegrity);
    }
  }
}

TEST(ManifestIoTest, CorruptFileOnDiskIsIntegrityError) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  ASSERT_OK(WriteManifest(t, "m", MakeManifest()));
  auto b = testing::ReadFileBytes(dir.Join("m"));
  b[b.size() / 2] ^= 0x01;
  testing::WriteFileBytes(dir.Join("m"), b);
  EXPECT_EQ(ReadManifest(t, "m").status().code(), ErrorCode::kIntegrity);
  testing::WriteFileBytes(dir.Join("empty"), {});
  EXPECT_EQ(ReadManifest(t, "empty").status().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(ReadManifest(t, "none").status().code(), ErrorCode::kMissing);
}

TEST(ManifestIoTest, PromoteInPlaceNeedsReplace) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  proto::Manifest m = MakeManifest();
  ASSERT_OK(WriteManifest(t, "m", m));
  m.set_state(proto::MANIFEST_STATE_COMPLETE);
  EXPECT_EQ(WriteManifest(t, "m", m).code(), ErrorCode::kTargetIo);
  ASSERT_OK(WriteManifest(t, "m", m, CreateOptions{.replace = true}));
  EXPECT_EQ(ReadManifest(t, "m")->state(), proto::MANIFEST_STATE_COMPLETE);
}

TEST(ManifestIoTest, FsyncFailureLeavesNoManifest) {
  vdibk::testing::TempDir dir;
  DirectoryTarget real(dir.path());
  FaultSpec spec;
  spec.fail_commit = true;
  FaultTarget t(&real, spec);
  EXPECT_EQ(WriteManifest(t, "m", MakeManifest()).code(), ErrorCode::kTargetIo);
  EXPECT_EQ(ReadManifest(real, "m").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(ReadManifest(real, "m.partial").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::stripe
