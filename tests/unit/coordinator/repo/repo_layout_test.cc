// Repository naming and set directory creation.
#include "coordinator/repo/repo_layout.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

TEST(RepoLayoutTest, Names) {
  auto t = std::chrono::system_clock::from_time_t(1706745599);  // 2024-01-31 23:59:59 UTC
  EXPECT_EQ(UtcStamp(t), "20240131T235959Z");
  EXPECT_EQ(SetDirName(t, "full"), "20240131T235959Z_full");
  EXPECT_EQ(StripeFileName(0, 4), "stripe-01-of-04.lz4");
  EXPECT_EQ(StripeFileName(11, 12), "stripe-12-of-12.lz4");
  EXPECT_EQ(DeviceName("set", 0), "set");
  EXPECT_EQ(DeviceName("set", 3), "set_3");
  EXPECT_NE(NewSetName(), NewSetName());
  EXPECT_NE(NewSetId(), NewSetId());
}

TEST(RepoLayoutTest, CreatesAndRemovesSetDirectories) {
  vdibk::testing::TempDir dir;
  Result<std::string> p = CreateSetDir(dir.path(), "sales", "20240131T235959Z_full");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(std::filesystem::is_directory(*p));
  // The same set twice is refused (never mix two backups in one directory).
  EXPECT_EQ(CreateSetDir(dir.path(), "sales", "20240131T235959Z_full").status().code(),
            ErrorCode::kTargetIo);
  EXPECT_EQ(CreateSetDir(dir.path(), "../x", "d").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(CreateSetDir(dir.Join("missing"), "sales", "d").status().code(),
            ErrorCode::kConfiguration);
  RemoveSetDir(*p);
  EXPECT_FALSE(std::filesystem::exists(*p));
}

}  // namespace
}  // namespace vdibk::coordinator
