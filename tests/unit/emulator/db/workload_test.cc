// Tests of RunWorkload and LogFile: changed pages are logged with contiguous LSNs; truncation.
#include "emulator/db/workload.h"

#include <gtest/gtest.h>

#include "emulator/db/database_generator.h"
#include "emulator/db/file_io.h"
#include "emulator/db/log_file.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator {
namespace {

TEST(WorkloadTest, LogsAfterImagesWithContiguousLsns) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  CreateDatabaseOptions o;
  o.size_bytes = 512 << 10;
  ASSERT_OK(CreateDatabase(cat, "w", o));
  Database db = cat.Open("w").value();
  std::string before = ReadWholeFile(db.files()[0].full_path).value();
  Result<WorkloadResult> r = RunWorkload(db, {10, 3});
  ASSERT_OK(r);
  EXPECT_EQ(r->first_lsn, 1u);
  EXPECT_EQ(r->next_lsn, 11u);
  EXPECT_NE(ReadWholeFile(db.files()[0].full_path).value(), before);
  LogFile log = LogFile::Open(db.log_file()->full_path).value();
  std::vector<LogRecord> recs = log.ReadAll().value();
  ASSERT_EQ(recs.size(), 10u);
  std::string now = ReadWholeFile(db.files()[0].full_path).value();
  // The last image of each page equals the page in the file.
  const LogRecord& last = recs.back();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(last.image.data()), last.image.size()),
            now.substr(last.page_offset, last.image.size()));
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].lsn, 1 + i);

  ASSERT_OK(log.TruncateBefore(6));
  EXPECT_EQ(log.header().base_lsn, 6u);
  EXPECT_EQ(log.ReadAll().value().size(), 5u);
  ASSERT_OK(log.TruncateBefore(11));
  EXPECT_EQ(log.ReadAll().value().size(), 0u);
  EXPECT_EQ(log.header().next_lsn, 11u);
}

TEST(WorkloadTest, SimpleRecoveryAdvancesTheMetadataCounter) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  CreateDatabaseOptions o;
  o.size_bytes = 128 << 10;
  o.with_log = false;
  ASSERT_OK(CreateDatabase(cat, "s", o));
  Database db = cat.Open("s").value();
  ASSERT_OK(RunWorkload(db, {4, 1}));
  EXPECT_EQ(cat.Open("s").value().NextLsn().value(), 5u);
}

TEST(WorkloadTest, CorruptRecordIsDetected) {
  testing::TempDir dir;
  Catalog cat(dir.path());
  CreateDatabaseOptions o;
  o.size_bytes = 128 << 10;
  ASSERT_OK(CreateDatabase(cat, "c", o));
  Database db = cat.Open("c").value();
  ASSERT_OK(RunWorkload(db, {2, 1}));
  std::string path = db.log_file()->full_path;
  std::string bytes = ReadWholeFile(path).value();
  bytes[kLogHeaderSize + 100] ^= 0x40;
  ASSERT_OK(WriteFileAtomic(path, bytes));
  EXPECT_FALSE(LogFile::Open(path).value().ReadAll().ok());
}

}  // namespace
}  // namespace vdibk::emulator
