// Tests of Checksum64: streaming equals one-shot, single-byte flips change the digest.
#include "emulator/db/checksum.h"

#include <gtest/gtest.h>

#include <vector>

namespace vdibk::emulator {
namespace {

std::vector<uint8_t> Bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + (i >> 7));
  return v;
}

TEST(Checksum64Test, StreamingMatchesOneShotForAnySplit) {
  std::vector<uint8_t> data = Bytes(8192 + 13);
  uint64_t want = ComputeChecksum64(data.data(), data.size(), 7);
  for (size_t step : {1u, 3u, 8u, 31u, 32u, 33u, 1000u, 8192u}) {
    Checksum64 c(7);
    for (size_t off = 0; off < data.size(); off += step) {
      c.Update(data.data() + off, std::min(step, data.size() - off));
    }
    EXPECT_EQ(c.Digest(), want) << "step " << step;
  }
}

TEST(Checksum64Test, EveryFlippedByteChangesTheDigest) {
  std::vector<uint8_t> data = Bytes(300);
  uint64_t base = ComputeChecksum64(data.data(), data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] ^= 0x01;
    EXPECT_NE(ComputeChecksum64(data.data(), data.size()), base) << i;
    data[i] ^= 0x01;
  }
}

TEST(Checksum64Test, LengthAndSeedMatter) {
  std::vector<uint8_t> zeros(64, 0);
  EXPECT_NE(ComputeChecksum64(zeros.data(), 32), ComputeChecksum64(zeros.data(), 33));
  EXPECT_NE(ComputeChecksum64(zeros.data(), 32, 1), ComputeChecksum64(zeros.data(), 32, 2));
}

}  // namespace
}  // namespace vdibk::emulator
