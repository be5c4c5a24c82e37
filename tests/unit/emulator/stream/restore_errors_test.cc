// Tests of restore failures: missing family (3132), corruption anywhere (3183/3241), truncated
// stream (3203); the target is never touched and no staging is left behind.
#include <gtest/gtest.h>

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

class RestoreErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CreateDatabaseOptions o;
    o.size_bytes = 1 << 20;
    ASSERT_OK(CreateDatabase(cat_, "src", o));
    Result<testutil::Streams> s = Backup(cat_, "src", Fixed(BackupKind::kFull, 2));
    ASSERT_OK(s);
    streams_ = s.value();
    // An existing target that a failed RESTORE ... WITH REPLACE must leave alone.
    o.size_bytes = 128 << 10;
    o.seed = 5;
    ASSERT_OK(CreateDatabase(cat_, "target", o));
    before_ = Snapshot(cat_.DatabaseDir("target"));
  }
  Status RestoreOver(const testutil::Streams& s) {
    RestoreRequest r;
    r.target_name = "target";
    r.replace = true;
    return Restore(cat_, s, r, 3000).status();
  }
  void ExpectUntouched() {
    EXPECT_EQ(Snapshot(cat_.DatabaseDir("target")), before_);
    EXPECT_EQ(cat_.Open("target").value().state(), DbState::kOnline);
    // Only metadata files (and the server-wide backup history) remain in the work dir: no
    // staging leftovers.
    std::vector<std::string> left = ListFilesRecursive(cat_.WorkDir()).value();
    for (const std::string& f : left) {
      EXPECT_TRUE(f.find(".meta") != std::string::npos || f.starts_with("backupset")) << f;
    }
  }
  testing::TempDir dir_;
  Catalog cat_{dir_.path()};
  testutil::Streams streams_;
  std::map<std::string, std::string> before_;
};

TEST_F(RestoreErrorsTest, MissingFamilyIs3132) {
  Status s = RestoreOver({streams_[0]});
  EXPECT_EQ(SqlErrorNumber(s), 3132) << s.ToString();
  EXPECT_EQ(s.code(), ErrorCode::kMissing);
  EXPECT_NE(SqlErrorText(s).find("2 media families but only 1 are provided"), std::string::npos);
  ExpectUntouched();
}

TEST_F(RestoreErrorsTest, SameFamilyTwiceIsRejected) {
  EXPECT_EQ(SqlErrorNumber(RestoreOver({streams_[0], streams_[0]})), 3241);
  ExpectUntouched();
}

TEST_F(RestoreErrorsTest, FlippedPageByteIs3183AndTargetUntouched) {
  testutil::Streams bad = streams_;
  bad[0][bad[0].size() / 2] ^= 0x10;  // inside page data (device 0 holds the data file)
  Status s = RestoreOver(bad);
  EXPECT_EQ(SqlErrorNumber(s), 3183) << s.ToString();
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(SqlErrorText(s).find("RESTORE detected an error on page (1:"), std::string::npos);
  ExpectUntouched();
}

TEST_F(RestoreErrorsTest, AnyFlippedByteFails) {
  // Headers, info stream, pads, CSUM, ESET, EOTM and the final pad: every region is covered.
  for (size_t at : {size_t{0}, size_t{60}, size_t{1024 + 10}, size_t{1024 + 300}, size_t{2100},
                    size_t{3100}, size_t{3072 + 60}, streams_[0].size() - 1,
                    streams_[0].size() - 3000, streams_[0].size() - 65536 + 5}) {
    testutil::Streams bad = streams_;
    bad[0][at] ^= 0x01;
    Status s = RestoreOver(bad);
    EXPECT_FALSE(s.ok()) << "byte " << at;
    int n = SqlErrorNumber(s);
    EXPECT_TRUE(n == 3241 || n == 3183) << "byte " << at << ": " << s.ToString();
  }
  ExpectUntouched();
}

TEST_F(RestoreErrorsTest, TruncatedStreamIs3203) {
  testutil::Streams bad = streams_;
  bad[1].resize(bad[1].size() - 65536);
  Status s = RestoreOver(bad);
  EXPECT_EQ(SqlErrorNumber(s), 3203) << s.ToString();
  ExpectUntouched();
  bad[1].resize(100);
  EXPECT_FALSE(RestoreOver(bad).ok());
  ExpectUntouched();
}

TEST_F(RestoreErrorsTest, FamilyOfAnotherBackupSetIsRejected) {
  BackupOptions o = Fixed(BackupKind::kFull, 2, 77);
  Result<testutil::Streams> other = Backup(cat_, "src", o);
  ASSERT_OK(other);
  Status s = RestoreOver({streams_[0], other.value()[1]});
  EXPECT_EQ(SqlErrorNumber(s), 3241) << s.ToString();
  ExpectUntouched();
}

}  // namespace
}  // namespace vdibk::emulator
