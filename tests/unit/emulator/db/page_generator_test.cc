// Tests of PageGenerator: determinism and realism (lz4 compressibility per profile).
#include "emulator/db/page_generator.h"

#include <gtest/gtest.h>
#include <lz4.h>

#include <cstring>
#include <vector>

#include "emulator/db/database.h"

namespace vdibk::emulator {
namespace {

double Lz4Ratio(PageProfile profile) {
  PageGenerator gen(profile, 42);
  std::vector<uint8_t> data(256 * kPageSize);
  for (uint64_t p = 0; p < 256; ++p) gen.Generate(1, p, 0, data.data() + p * kPageSize);
  std::vector<char> out(LZ4_compressBound(static_cast<int>(data.size())));
  int n = LZ4_compress_default(reinterpret_cast<const char*>(data.data()), out.data(),
                               static_cast<int>(data.size()), static_cast<int>(out.size()));
  return static_cast<double>(data.size()) / n;
}

TEST(PageGeneratorTest, SameInputsSameBytes) {
  PageGenerator a(PageProfile::kMixed, 9), b(PageProfile::kMixed, 9);
  std::vector<uint8_t> p1(kPageSize), p2(kPageSize), p3(kPageSize);
  a.Generate(1, 17, 5, p1.data());
  b.Generate(1, 17, 5, p2.data());
  a.Generate(1, 18, 5, p3.data());
  EXPECT_EQ(p1, p2);
  EXPECT_NE(p1, p3);
}

TEST(PageGeneratorTest, HeaderCarriesPageIdFileIdAndLsn) {
  PageGenerator gen(PageProfile::kOltp, 1);
  std::vector<uint8_t> page(kPageSize);
  gen.Generate(3, 1234, 99, page.data());
  uint32_t page_id;
  uint16_t file_id;
  uint64_t lsn;
  std::memcpy(&page_id, page.data() + 8, 4);
  std::memcpy(&file_id, page.data() + 12, 2);
  std::memcpy(&lsn, page.data() + kPageLsnOffset, 8);
  EXPECT_EQ(page_id, 1234u);
  EXPECT_EQ(file_id, 3u);
  EXPECT_EQ(lsn, 99u);
}

TEST(PageGeneratorTest, OltpCompressesLikeRealData) {
  double r = Lz4Ratio(PageProfile::kOltp);
  EXPECT_GT(r, 1.8) << r;
  EXPECT_LT(r, 6.0) << r;
}

TEST(PageGeneratorTest, ProfilesDifferInCompressibility) {
  double text = Lz4Ratio(PageProfile::kText), mixed = Lz4Ratio(PageProfile::kMixed);
  EXPECT_GT(text, 1.5) << text;
  EXPECT_GT(mixed, 1.5) << mixed;
  EXPECT_LT(Lz4Ratio(PageProfile::kRandom), 1.05);
  EXPECT_GT(Lz4Ratio(PageProfile::kZeros), 50.0);
}

TEST(PageGeneratorTest, ParsesProfileNames) {
  EXPECT_TRUE(ParsePageProfile("oltp").ok());
  EXPECT_EQ(PageProfileName(ParsePageProfile("text").value()), "text");
  EXPECT_FALSE(ParsePageProfile("bogus").ok());
}

}  // namespace
}  // namespace vdibk::emulator
