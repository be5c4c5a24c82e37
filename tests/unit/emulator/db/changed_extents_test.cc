// ChangedExtents (the emulator's DCM): marking, growth, merge and the text form; file stamps, and
// WaitPastStamp making any later write visible as a different stamp even within one clock tick.
#include <gtest/gtest.h>

#include <unistd.h>

#include "emulator/db/changed_extents.h"
#include "emulator/db/database.h"
#include "emulator/db/db_meta.h"
#include "emulator/db/file_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator {
namespace {

TEST(ChangedExtentsTest, MarksGrowMergeAndRoundTrip) {
  ChangedExtents c = ChangedExtents::Fresh(3, {10 * kExtentSize - 1, -5, 9});
  EXPECT_EQ(c.extents, 10u);
  for (uint64_t e = 0; e < 10; ++e) EXPECT_FALSE(c.IsChanged(e));
  EXPECT_TRUE(c.IsChanged(10));  // beyond the base's size: changed
  c.Mark(kExtentSize - 1, 2);    // straddles extents 0 and 1
  c.Mark(5 * kExtentSize, kPageSize);
  EXPECT_EQ(c.CountMarked(), 3u);
  EXPECT_TRUE(c.IsChanged(0) && c.IsChanged(1) && c.IsChanged(5));
  EXPECT_FALSE(c.IsChanged(2));
  c.Mark(130 * kExtentSize, 1);  // growth
  EXPECT_EQ(c.extents, 131u);
  EXPECT_FALSE(c.IsChanged(129));

  ChangedExtents back;
  std::string text = c.Serialize();
  EXPECT_NE(text.find("\t0-1\t5-5\t130-130"), std::string::npos) << text;
  std::vector<std::string_view> f = MetaSplit(text);
  ASSERT_TRUE(ChangedExtents::Parse(f, &back));
  EXPECT_EQ(back.Serialize(), text);
  EXPECT_EQ(back.stamp, c.stamp);
  EXPECT_EQ(back.stamp.mtime_ns, -5);

  ChangedExtents other = ChangedExtents::Fresh(3, c.stamp);
  other.Mark(2 * kExtentSize, 1);
  back.Merge(other);
  EXPECT_EQ(back.CountMarked(), 5u);
  EXPECT_FALSE(back.all);
  other.all = true;
  back.Merge(other);
  EXPECT_TRUE(back.IsChanged(3));

  EXPECT_FALSE(ChangedExtents::Parse(MetaSplit("3\t1\t2\t3\t0\t4\t2-9"), &back));
  EXPECT_FALSE(ChangedExtents::Parse(MetaSplit("3\t1\t2\t3\t2\t4"), &back));
  EXPECT_FALSE(ChangedExtents::Parse(MetaSplit("3\t1\t2"), &back));
}

TEST(ChangedExtentsTest, AnyWriteAfterWaitPastStampChangesTheStamp) {
  testing::TempDir dir;
  const std::string path = dir.Join("f.mdf");
  std::vector<uint8_t> page(kPageSize, 7);
  Result<UniqueFd> fd = OpenFile(path, O_RDWR | O_CREAT);
  ASSERT_OK(fd);
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(PwriteFull(fd->get(), page.data(), page.size(), 0, path));
    Result<FileStamp> before = StampOf(fd->get(), path);
    ASSERT_OK(before);
    WaitPastStamp(before->mtime_ns);
    // The same bytes at the same place: only the mtime can tell this write happened.
    ASSERT_OK(PwriteFull(fd->get(), page.data(), page.size(), 0, path));
    Result<FileStamp> after = StampOfPath(path);
    ASSERT_OK(after);
    EXPECT_EQ(after->size, before->size);
    EXPECT_EQ(after->inode, before->inode);
    EXPECT_NE(after->mtime_ns, before->mtime_ns) << "write " << i;
  }
}

}  // namespace
}  // namespace vdibk::emulator
