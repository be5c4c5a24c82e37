// Tests of GO-line detection and script splitting.
#include "emulator/tsql/batch_splitter.h"

#include <gtest/gtest.h>

namespace vdibk::emulator::tsql {
namespace {

TEST(BatchSplitterTest, GoLines) {
  int n = 0;
  EXPECT_TRUE(IsGoLine("GO", &n));
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(IsGoLine("  go 3  -- again", &n));
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(IsGoLine("Go\r", &n));
  EXPECT_FALSE(IsGoLine("GOTO x", &n));
  EXPECT_FALSE(IsGoLine("GO5", &n));
  EXPECT_FALSE(IsGoLine("SELECT 1 GO", &n));
  EXPECT_FALSE(IsGoLine("GO 0", &n));
}

TEST(BatchSplitterTest, SplitsAndDropsBlankBatches) {
  auto b = SplitBatches("SELECT 1\nGO\n\nGO\nPRINT 'a'\nPRINT 'b'\ngo 2\nSELECT 2");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].text, "SELECT 1\n");
  EXPECT_EQ(b[0].first_line, 1);
  EXPECT_EQ(b[1].text, "PRINT 'a'\nPRINT 'b'\n");
  EXPECT_EQ(b[1].first_line, 5);
  EXPECT_EQ(b[1].repeat, 2);
  EXPECT_EQ(b[2].text, "SELECT 2");
  EXPECT_TRUE(SplitBatches("\n  \nGO\n").empty());
}

}  // namespace
}  // namespace vdibk::emulator::tsql
