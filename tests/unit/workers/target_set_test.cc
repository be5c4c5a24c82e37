// Stripes of one worker spread over several target directories (TargetSet): each device's
// stripe lands in its own directory, a failing target cleans every other one, restore reads them
// back from their directories, and a null target counts without writing.
#include "workers/target_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/null_target.h"
#include "tests/harness/test_dirs.h"
#include "workers/device_stripes.h"
#include "workers/restore_device.h"

namespace vdibk::workers {
namespace {

namespace fs = std::filesystem;

StripeSetSpec Spec(const std::string& a, const std::string& b) {
  StripeSetSpec s;
  s.set_id[0] = 3;
  s.database = "sales";
  s.device_count = 4;
  s.max_transfer_size = 1 << 20;
  s.devices = {{0, "set", "stripe-01-of-04.lz4", a},
               {1, "set_1", "stripe-02-of-04.lz4", b},
               {2, "set_2", "stripe-03-of-04.lz4", a}};
  return s;
}

TargetSet Directories(int* opened) {
  return TargetSet([opened](const std::string& dir) -> Result<std::unique_ptr<stripe::Target>> {
    ++*opened;
    return std::unique_ptr<stripe::Target>(new stripe::DirectoryTarget(dir));
  });
}

TEST(TargetSetTest, OpensOneTargetPerDirectory) {
  int opened = 0;
  TargetSet t = Directories(&opened);
  Result<stripe::Target*> a = t.For("/a");
  Result<stripe::Target*> b = t.For("/b");
  Result<stripe::Target*> a2 = t.For("/a");
  ASSERT_TRUE(a.ok() && b.ok() && a2.ok());
  EXPECT_EQ(*a, *a2);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(opened, 2);
  EXPECT_EQ(t.size(), 2u);
  TargetSet none(nullptr);
  EXPECT_FALSE(none.For("/a").ok());
}

TEST(TargetSetTest, EachStripeLandsInItsDirectoryAndReadsBack) {
  vdibk::testing::TempDir d;
  const std::string a = d.Join("a"), b = d.Join("b");
  fs::create_directories(a);
  fs::create_directories(b);
  int opened = 0;
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(a, b), Directories(&opened));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(opened, 2);
  for (uint32_t dev : {0u, 1u, 2u}) {
    std::string data(70000 + dev, static_cast<char>('k' + dev));
    ASSERT_TRUE(s->Append(dev, data.data(), data.size()).ok());
    ASSERT_TRUE(s->Finalize(dev).ok());
  }
  EXPECT_TRUE(fs::exists(a + "/stripe-01-of-04.lz4"));
  EXPECT_TRUE(fs::exists(b + "/stripe-02-of-04.lz4"));
  EXPECT_TRUE(fs::exists(a + "/stripe-03-of-04.lz4"));
  EXPECT_FALSE(fs::exists(b + "/stripe-01-of-04.lz4"));
  EXPECT_FALSE(fs::exists(a + "/stripe-02-of-04.lz4"));

  Result<RestoreStripes> r = RestoreStripes::Open(Spec(a, b), Directories(&opened));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string got(80000, '\0');
  Result<size_t> n = r->Read(1, got.data(), got.size());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 70001u);
  EXPECT_EQ(got.substr(0, *n), std::string(70001, 'l'));
}

TEST(TargetSetTest, RestoreNamesTheDirectoryOfAMissingStripe) {
  vdibk::testing::TempDir d;
  const std::string a = d.Join("a"), b = d.Join("b");
  fs::create_directories(a);
  fs::create_directories(b);
  int opened = 0;
  Result<RestoreStripes> r = RestoreStripes::Open(Spec(a, b), Directories(&opened));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kMissing);
}

TEST(TargetSetTest, AFailingTargetLeavesNothingOnTheOthers) {
  vdibk::testing::TempDir d;
  const std::string a = d.Join("a");
  fs::create_directories(a);
  int opened = 0;
  // Directory b does not exist: creating device 1's stripe fails after device 0's was created.
  Result<DeviceStripes> s = DeviceStripes::Open(Spec(a, d.Join("b")), Directories(&opened));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kTargetIo);
  EXPECT_TRUE(fs::is_empty(a)) << "partial stripe left on the good target";
}

TEST(TargetSetTest, NullTargetCountsAndWritesNothing) {
  vdibk::testing::TempDir d;
  auto sink = std::make_unique<stripe::NullTarget>();
  stripe::NullTarget* null = sink.get();
  Result<DeviceStripes> s =
      DeviceStripes::Open(Spec(d.Join("a"), d.Join("b")), TargetSet::Single(std::move(sink)));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::string data(1 << 20, 'z');  // compresses well
  ASSERT_TRUE(s->Append(0, data.data(), data.size()).ok());
  Result<stripe::StripeSummary> sum = s->Finalize(0);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->raw_bytes, data.size());
  EXPECT_GT(sum->file_bytes, 0u);
  EXPECT_LT(sum->file_bytes, data.size() / 10);  // compressed, then discarded
  EXPECT_GE(null->bytes_written(), sum->file_bytes);
  EXPECT_TRUE(fs::is_empty(d.path()));
}

}  // namespace
}  // namespace vdibk::workers
