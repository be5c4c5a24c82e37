// DeviceStripes: per-device order checks, stripes that lz4 and our reader accept, cleanup.
#include "workers/device_stripes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "shared/stripe/directory_target.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::workers {
namespace {

namespace fs = std::filesystem;

StripeSetSpec Spec() {
  StripeSetSpec s;
  s.set_id[0] = 1;
  s.database = "sales";
  s.device_count = 4;
  s.max_transfer_size = 1 << 20;
  s.devices = {{1, "set_1", "stripe-02-of-04.lz4", ""},
               {3, "set_3", "stripe-04-of-04.lz4", ""}};
  return s;
}

std::unique_ptr<stripe::Target> Dir(const vdibk::testing::TempDir& d) {
  return std::make_unique<stripe::DirectoryTarget>(d.path());
}

TEST(DeviceStripesTest, WritesFlushesAndFinalizesEachDevice) {
  vdibk::testing::TempDir dir;
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->device_indexes(), (std::vector<uint32_t>{1, 3}));
  std::vector<uint8_t> data(65536, 0x5a);
  ASSERT_TRUE(s->Accept(1, 1).ok());
  ASSERT_TRUE(s->Append(1, data.data(), data.size()).ok());
  ASSERT_TRUE(s->Accept(1, 2).ok());
  ASSERT_TRUE(s->Flush(1).ok());
  ASSERT_TRUE(s->Accept(1, 3).ok());
  Result<stripe::StripeSummary> sum = s->Finalize(1);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->raw_bytes, data.size());
  EXPECT_TRUE(fs::exists(dir.Join("stripe-02-of-04.lz4")));
  EXPECT_FALSE(s->AllFinalized());
  EXPECT_FALSE(s->Append(1, data.data(), 1).ok());  // finalized
  s->AbortAll();
  EXPECT_FALSE(fs::exists(dir.Join("stripe-04-of-04.lz4.partial")));
  EXPECT_TRUE(fs::exists(dir.Join("stripe-02-of-04.lz4")));  // published stripes stay
}

TEST(DeviceStripesTest, RejectsOutOfOrderAndUnassigned) {
  vdibk::testing::TempDir dir;
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->Accept(0, 1).ok());  // not assigned
  EXPECT_FALSE(s->Accept(1, 2).ok());  // seq must start at 1
  EXPECT_TRUE(s->Accept(1, 1).ok());
  EXPECT_FALSE(s->Accept(1, 1).ok());  // replayed
}

TEST(DeviceStripesTest, BadAssignmentsFailAndLeaveNothing) {
  vdibk::testing::TempDir dir;
  StripeSetSpec bad = Spec();
  bad.devices.push_back({1, "dup", "dup.lz4", ""});
  EXPECT_FALSE(DeviceStripes::Open(bad, Dir(dir)).ok());
  bad = Spec();
  bad.devices.push_back({9, "big", "big.lz4", ""});
  EXPECT_FALSE(DeviceStripes::Open(bad, Dir(dir)).ok());
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(DeviceStripesTest, DestructorRemovesPartialStripes) {
  vdibk::testing::TempDir dir;
  {
    Result<DeviceStripes> s = DeviceStripes::Open(Spec(), Dir(dir));
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE(fs::is_empty(dir.path()));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace vdibk::workers
