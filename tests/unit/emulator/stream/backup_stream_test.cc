// Tests of the backup stream producer: MTF shape, determinism, block-size multiples, Fill sizes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "emulator/db/database_generator.h"
#include "emulator/stream/mtf_format.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/stream/stream_test_util.h"

namespace vdibk::emulator {
namespace {

using testutil::Backup;
using testutil::Fixed;

class BackupStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateDatabaseOptions o;
    o.size_bytes = 3 << 20;
    o.ndf_files = 1;
    ASSERT_OK(CreateDatabase(cat_, "db", o));
  }
  testing::TempDir dir_;
  Catalog cat_{dir_.path()};
};

TEST_F(BackupStreamTest, StreamIsMtfShapedAndBlockAligned) {
  BackupOptions o = Fixed(BackupKind::kFull, 2);
  o.block_size = 4096;
  Result<testutil::Streams> s = Backup(cat_, "db", o, false, 12345);
  ASSERT_OK(s);
  ASSERT_EQ(s->size(), 2u);
  for (const auto& dev : s.value()) {
    ASSERT_GT(dev.size(), 3u * 1024);
    EXPECT_EQ(dev.size() % 4096, 0u);
    EXPECT_EQ(std::memcmp(dev.data(), "TAPE", 4), 0);
    EXPECT_EQ(std::memcmp(dev.data() + 1024, "SSET", 4), 0);
    DblkHeader h;
    EXPECT_OK(DecodeDblkHeader(dev.data(), &h));
  }
  // Pages are split over both devices.
  EXPECT_GT(s.value()[0].size(), 1u << 20);
  EXPECT_GT(s.value()[1].size(), 1u << 20);
}

TEST_F(BackupStreamTest, SameDatabaseAndOptionsGiveSameBytes) {
  BackupOptions o = Fixed(BackupKind::kFull, 3);
  Result<testutil::Streams> a = Backup(cat_, "db", o, false, 65536);
  Result<testutil::Streams> b = Backup(cat_, "db", o, false, 7 * 512 + 3);  // odd fill sizes
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_TRUE(a.value() == b.value());
  o.set_guid = Guid::FromSeed(99);
  Result<testutil::Streams> c = Backup(cat_, "db", o, false);
  ASSERT_OK(c);
  EXPECT_FALSE(a.value() == c.value());
  EXPECT_EQ(a.value()[0].size(), c.value()[0].size());
}

// direct_io reads the data files with O_DIRECT through a bounce buffer: the same bytes for any
// fill size, with and without CHECKSUM, including a change still only in the page cache.
TEST_F(BackupStreamTest, DirectIoGivesTheSameBytes) {
  const std::string mdf = dir_.Join("db/db.mdf");
  {
    UniqueFd fd(::open(mdf.c_str(), O_WRONLY));
    ASSERT_GE(fd.get(), 0);
    const std::string change(5000, 'x');  // not page aligned, never synced
    ASSERT_EQ(::pwrite(fd.get(), change.data(), change.size(), (1 << 20) + 123),
              static_cast<ssize_t>(change.size()));
  }
  for (bool checksum : {false, true}) {
    BackupOptions o = Fixed(BackupKind::kFull, 2);
    o.checksum = checksum;
    Result<testutil::Streams> buffered = Backup(cat_, "db", o, false, 65536);
    ASSERT_OK(buffered);
    o.direct_io = true;
    for (size_t fill : {size_t{65536}, size_t{7 * 512 + 3}, size_t{4 << 20}}) {
      Result<testutil::Streams> direct = Backup(cat_, "db", o, false, fill);
      ASSERT_OK(direct);
      EXPECT_TRUE(direct.value() == buffered.value()) << "checksum " << checksum << " fill " << fill;
    }
  }
  BackupOptions o = Fixed(BackupKind::kFull, 1);
  o.direct_io = true;
  std::unique_ptr<BackupSession> job = std::move(BackupSession::Begin(cat_, "db", o).value());
  const int probe = ::open(mdf.c_str(), O_RDONLY | O_DIRECT);
  if (probe < 0) GTEST_SKIP() << "this filesystem refuses O_DIRECT: the buffered fallback was used";
  ::close(probe);
  EXPECT_EQ(job->direct_files(), 3u);  // .mdf, .ndf, .ldf
}

TEST_F(BackupStreamTest, FillReturnsBlockMultiplesAndZeroAtEnd) {
  BackupOptions o = Fixed(BackupKind::kFull, 1);
  o.block_size = 512;
  std::unique_ptr<BackupSession> job = std::move(BackupSession::Begin(cat_, "db", o).value());
  std::vector<uint8_t> buf(64 * 1024);
  size_t n;
  do {
    Result<size_t> r = job->device(0).Fill(buf.data(), buf.size());
    ASSERT_OK(r);
    n = r.value();
    EXPECT_EQ(n % 512, 0u);
  } while (n > 0);
  EXPECT_TRUE(job->device(0).done());
  EXPECT_EQ(job->device(0).pages(), (3u << 20) / 8192 + 1);  // + the log header page
  EXPECT_OK(job->Commit());
}

TEST_F(BackupStreamTest, CommitBeforeTheEndFailsAndChangesNothing) {
  std::unique_ptr<BackupSession> job =
      std::move(BackupSession::Begin(cat_, "db", Fixed(BackupKind::kFull, 1)).value());
  std::vector<uint8_t> buf(65536);
  ASSERT_OK(job->device(0).Fill(buf.data(), buf.size()));
  EXPECT_FALSE(job->Commit().ok());
  EXPECT_FALSE(cat_.Open("db").value().meta().has_full_backup);
}

TEST_F(BackupStreamTest, MetadataOnlyCarriesNoPages) {
  BackupOptions o = Fixed(BackupKind::kFull, 1);
  o.metadata_only = true;
  Result<testutil::Streams> s = Backup(cat_, "db", o, true);
  ASSERT_OK(s);
  EXPECT_LT(s.value()[0].size(), 70000u);
  RestoreRequest r;
  r.mode = RestoreMode::kFileListOnly;
  Result<RestoreResult> rows = testutil::Restore(cat_, s.value(), r);
  ASSERT_OK(rows);
  EXPECT_TRUE(rows->header.metadata_only);
  EXPECT_EQ(rows->file_list.size(), 3u);
}

TEST_F(BackupStreamTest, BadOptionsAreRejected) {
  BackupOptions o = Fixed(BackupKind::kFull, 65);
  EXPECT_EQ(BackupSession::Begin(cat_, "db", o).status().code(), ErrorCode::kUsage);
  o.devices = 1;
  o.block_size = 1000;
  EXPECT_EQ(BackupSession::Begin(cat_, "db", o).status().code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace vdibk::emulator
