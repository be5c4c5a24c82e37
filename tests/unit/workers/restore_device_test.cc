// RestoreStripes: opens assigned stripes with header checks, serves reads of any size, order
// checks, and reports corruption as kIntegrity.
#include "workers/restore_device.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "shared/stripe/directory_target.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/workers/stripe_dir.h"
#include "workers/device_stripes.h"

namespace vdibk::workers {
namespace {

StripeSetSpec RestoreSpec() {
  StripeSetSpec s;
  s.set_id[0] = 7;
  s.database = "sales";
  s.device_count = 2;
  s.max_transfer_size = 1 << 20;
  s.devices = {{1, "set_1", "stripe-02-of-02.lz4", ""}};
  return s;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31) ^ (i >> 9));
  return s;
}

// Writes device 1's stripe through DeviceStripes (the backup path).
void WriteStripe(const vdibk::testing::TempDir& d, const std::string& data) {
  Result<DeviceStripes> w = DeviceStripes::Open(RestoreSpec(), Dir(d));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(w->Append(1, data.data(), data.size()).ok());
  ASSERT_TRUE(w->Finalize(1).ok());
}

TEST(RestoreStripesTest, ServesReadsOfAnySizeThenEof) {
  vdibk::testing::TempDir d;
  const std::string data = Pattern(300000);
  WriteStripe(d, data);
  Result<RestoreStripes> r = RestoreStripes::Open(RestoreSpec(), Dir(d));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->device_indexes(), std::vector<uint32_t>{1});
  std::string got;
  std::vector<char> buf(131072);
  const size_t sizes[] = {512, 65536, 131072, 4096};
  for (size_t i = 0;; ++i) {
    ASSERT_TRUE(r->Accept(1, i + 1).ok());
    Result<size_t> n = r->Read(1, buf.data(), sizes[i % 4]);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    got.append(buf.data(), *n);
    if (*n < sizes[i % 4]) break;
  }
  EXPECT_EQ(got, data);
  EXPECT_FALSE(r->Accept(1, 1).ok());  // out of order
  EXPECT_FALSE(r->Accept(0, 1).ok());  // unassigned
}

TEST(RestoreStripesTest, ForeignSetIsMissingAndCorruptionIsIntegrity) {
  vdibk::testing::TempDir d;
  const std::string data = Pattern(200000);
  WriteStripe(d, data);
  StripeSetSpec other = RestoreSpec();
  other.set_id[0] = 8;
  EXPECT_EQ(RestoreStripes::Open(other, Dir(d)).status().code(), ErrorCode::kMissing);

  const std::string path = d.Join("stripe-02-of-02.lz4");
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  bytes[bytes.size() / 2] ^= 0x20;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  Result<RestoreStripes> r = RestoreStripes::Open(RestoreSpec(), Dir(d));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<char> buf(65536);
  Status st;
  for (uint64_t seq = 1; st.ok(); ++seq) {
    ASSERT_TRUE(r->Accept(1, seq).ok());
    Result<size_t> n = r->Read(1, buf.data(), buf.size());
    if (!n.ok())
      st = n.status();
    else if (*n < buf.size())
      break;
  }
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity) << st.ToString();
}

}  // namespace
}  // namespace vdibk::workers
