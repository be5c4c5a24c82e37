// Tests of restore round trips: 1/2/8 devices, read sizes unlike write sizes, MOVE + new name,
// REPLACE rules, NORECOVERY, HEADERONLY/FILELISTONLY/VERIFYONLY, a PostgreSQL-like directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "emulator/base/sql_error.h"
#include "emulator/db/database_generator.h"
#include "emulator/db/file_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/emulator/stream/stream_test_util.h"

namespace vdibk::emulator {
namespace {

using testutil::Backup;
using testutil::Fixed;
using testutil::Restore;
using testutil::Snapshot;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateDatabaseOptions o;
    o.size_bytes = (2 << 20) + 3 * 8192;  // not a whole number of extents
    o.ndf_files = 1;
    o.profile = PageProfile::kMixed;
    ASSERT_OK(CreateDatabase(cat_, "src", o));
  }
  testing::TempDir dir_;
  Catalog cat_{dir_.path()};
};

class RoundTripTest : public RestoreTest, public ::testing::WithParamInterface<uint32_t> {};

TEST_P(RoundTripTest, FullRestoreIsByteIdentical) {
  uint32_t devices = GetParam();
  BackupOptions o = Fixed(BackupKind::kFull, devices);
  o.chunk_size = 256 << 10;
  Result<testutil::Streams> s = Backup(cat_, "src", o, true, 3 * 65536);
  ASSERT_OK(s);
  RestoreRequest r;
  r.target_name = "copy";
  Result<RestoreResult> res = Restore(cat_, s.value(), r, 5 * 4096 + 512);  // other read sizes
  ASSERT_OK(res);
  EXPECT_EQ(res->database, "copy");
  EXPECT_EQ(res->state, DbState::kOnline);
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), Snapshot(cat_.DatabaseDir("src")));
  Database copy = cat_.Open("copy").value();
  EXPECT_EQ(copy.FindLogical("src")->file_id, kPrimaryFileId);
  EXPECT_EQ(copy.state(), DbState::kOnline);
}

// RestoreRequest::direct_io (serve --direct-io): data files written with O_DIRECT from each
// device's aligned buffer, pieces of any size; the same files.
TEST_P(RoundTripTest, DirectIoRestoreIsByteIdentical) {
  uint32_t devices = GetParam();
  BackupOptions o = Fixed(BackupKind::kFull, devices);
  o.chunk_size = 256 << 10;
  Result<testutil::Streams> s = Backup(cat_, "src", o, true, 3 * 65536);
  ASSERT_OK(s);
  RestoreRequest r;
  r.target_name = "copy";
  r.direct_io = true;
  Result<RestoreResult> res = Restore(cat_, s.value(), r, 5 * 4096 + 512);
  ASSERT_OK(res);
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("copy")), Snapshot(cat_.DatabaseDir("src")));
  const std::string probe_path = cat_.DatabaseDir("copy") + "/src.mdf";
  const int probe = ::open(probe_path.c_str(), O_RDONLY | O_DIRECT);
  if (probe < 0) GTEST_SKIP() << "this filesystem refuses O_DIRECT: the buffered fallback was used";
  ::close(probe);
  // Every data page went out directly (the .mdf and .ndf: 2 MiB + 3 pages in all).
  EXPECT_EQ(res->direct_bytes, (2u << 20) + 3u * 8192);
}

INSTANTIATE_TEST_SUITE_P(Devices, RoundTripTest, ::testing::Values(1u, 2u, 8u));

TEST_F(RestoreTest, MoveAndNewName) {
  Result<testutil::Streams> s = Backup(cat_, "src", Fixed(BackupKind::kFull, 2));
  ASSERT_OK(s);
  testing::TempDir elsewhere;
  RestoreRequest r;
  r.target_name = "moved";
  r.moves = {{"src", "data/primary.mdf"}, {"SRC_LOG", elsewhere.Join("moved_log.ldf")}};
  ASSERT_OK(Restore(cat_, s.value(), r));
  Database db = cat_.Open("moved").value();
  const DbFile* primary = db.FindLogical("src");
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->path, "data/primary.mdf");
  const DbFile* log = db.log_file();
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(log->external);
  EXPECT_EQ(log->full_path, elsewhere.Join("moved_log.ldf"));
  auto src = Snapshot(cat_.DatabaseDir("src"));
  EXPECT_EQ(ReadWholeFile(primary->full_path).value(), src["src.mdf"]);
  EXPECT_EQ(ReadWholeFile(log->full_path).value(), src["src_log.ldf"]);
  // Restoring again to another name onto the same external file collides with "moved".
  r.target_name = "moved2";
  EXPECT_EQ(SqlErrorNumber(Restore(cat_, s.value(), r).status()), 1834);
  // Unknown logical name.
  r.moves = {{"nope", "x.mdf"}};
  EXPECT_EQ(SqlErrorNumber(Restore(cat_, s.value(), r).status()), 3234);
}

TEST_F(RestoreTest, ReplaceRules) {
  Result<testutil::Streams> s = Backup(cat_, "src", Fixed(BackupKind::kFull, 1));
  ASSERT_OK(s);
  CreateDatabaseOptions o;
  o.size_bytes = 64 << 10;
  ASSERT_OK(CreateDatabase(cat_, "other", o));
  RestoreRequest r;
  r.target_name = "other";
  EXPECT_EQ(SqlErrorNumber(Restore(cat_, s.value(), r).status()), 3154);
  r.target_name = "";
  EXPECT_EQ(SqlErrorNumber(Restore(cat_, s.value(), r).status()), 3159);  // src itself, has log
  r.target_name = "other";
  r.replace = true;
  ASSERT_OK(Restore(cat_, s.value(), r));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("other")), Snapshot(cat_.DatabaseDir("src")));
  EXPECT_TRUE(cat_.Open("other").value().FindLogical("other") == nullptr);
}

TEST_F(RestoreTest, NoRecoveryLeavesRestoringThenRecover) {
  Result<testutil::Streams> s = Backup(cat_, "src", Fixed(BackupKind::kFull, 1));
  ASSERT_OK(s);
  RestoreRequest r;
  r.target_name = "r";
  r.recovery = false;
  Result<RestoreResult> res = Restore(cat_, s.value(), r);
  ASSERT_OK(res);
  EXPECT_EQ(res->state, DbState::kRestoring);
  Database db = cat_.Open("r").value();
  EXPECT_EQ(db.state(), DbState::kRestoring);
  EXPECT_EQ(SqlErrorNumber(BackupSession::Begin(cat_, "r", Fixed(BackupKind::kFull, 1)).status()),
            927);
  ASSERT_OK(RecoverDatabase(cat_, "r"));
  EXPECT_EQ(cat_.Open("r").value().state(), DbState::kOnline);
}

TEST_F(RestoreTest, HeaderOnlyFileListOnlyVerifyOnly) {
  Result<testutil::Streams> s = Backup(cat_, "src", Fixed(BackupKind::kFull, 2));
  ASSERT_OK(s);
  RestoreRequest r;
  r.mode = RestoreMode::kHeaderOnly;
  Result<RestoreResult> h = Restore(cat_, s.value(), r);
  ASSERT_OK(h);
  EXPECT_EQ(h->header.database_name, "src");
  EXPECT_EQ(h->header.HeaderOnlyBackupType(), 1);
  EXPECT_EQ(h->header.family_count, 2u);
  EXPECT_TRUE(h->header.has_checksums);
  EXPECT_EQ(h->header.set_guid, Guid::FromSeed(1));
  r.mode = RestoreMode::kFileListOnly;
  Result<RestoreResult> f = Restore(cat_, {s.value()[1]}, r);  // one family is enough
  ASSERT_OK(f);
  ASSERT_EQ(f->file_list.size(), 3u);
  EXPECT_EQ(f->file_list[1].logical_name, "src_log");
  EXPECT_EQ(f->file_list[1].type, FileType::kLog);
  r.mode = RestoreMode::kVerifyOnly;
  Result<RestoreResult> v = Restore(cat_, s.value(), r);
  ASSERT_OK(v);
  EXPECT_EQ(v->pages, (2u << 20) / 8192 + 3 + 1);  // data pages + the log header page
  EXPECT_EQ(cat_.List().value(), std::vector<std::string>{"src"});
}

TEST_F(RestoreTest, NestedDirectoryOfArbitraryFilesRoundTrips) {
  std::string pg = cat_.DatabaseDir("pg");
  ASSERT_OK(MakeDirs(pg + "/base/1"));
  ASSERT_OK(MakeDirs(pg + "/pg_wal/archive_status"));
  ASSERT_OK(WriteFileAtomic(pg + "/PG_VERSION", "15\n"));
  ASSERT_OK(WriteFileAtomic(pg + "/base/1/1259", std::string(100000, 'r') + "tail"));
  ASSERT_OK(WriteFileAtomic(pg + "/base/1/empty", ""));
  ASSERT_OK(WriteFileAtomic(pg + "/pg_wal/000000010000000000000001", std::string(70001, 'w')));
  ASSERT_OK(WriteFileAtomic(pg + "/postgresql.conf", "shared_buffers = 128MB\n"));
  Result<testutil::Streams> s = Backup(cat_, "pg", Fixed(BackupKind::kFull, 2));
  ASSERT_OK(s);
  RestoreRequest r;
  r.target_name = "pg2";
  ASSERT_OK(Restore(cat_, s.value(), r, 1000));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("pg2")), Snapshot(pg));
  EXPECT_EQ(Snapshot(cat_.DatabaseDir("pg2")).size(), 5u);
  // No log file: SIMPLE recovery, BACKUP LOG refused.
  EXPECT_EQ(SqlErrorNumber(BackupSession::Begin(cat_, "pg", Fixed(BackupKind::kLog, 1)).status()),
            4208);
}

}  // namespace
}  // namespace vdibk::emulator
