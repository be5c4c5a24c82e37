// Tests for LoadLe/StoreLe: byte order, unaligned addresses, signed types.
#include "shared/base/little_endian.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace vdibk {
namespace {

TEST(LittleEndianTest, StoresLeastSignificantByteFirst) {
  uint8_t b[9] = {};
  StoreLe<uint32_t>(b + 1, 0x11223344u);  // unaligned on purpose
  EXPECT_EQ(b[0], 0x00);
  EXPECT_EQ(b[1], 0x44);
  EXPECT_EQ(b[2], 0x33);
  EXPECT_EQ(b[3], 0x22);
  EXPECT_EQ(b[4], 0x11);
  EXPECT_EQ(b[5], 0x00);
}

TEST(LittleEndianTest, LoadsWhatWasStored) {
  uint8_t b[11] = {};
  StoreLe<uint64_t>(b + 3, 0x0102030405060708ull);
  EXPECT_EQ(b[3], 0x08);
  EXPECT_EQ(b[10], 0x01);
  EXPECT_EQ(LoadLe<uint64_t>(b + 3), 0x0102030405060708ull);
  StoreLe<uint16_t>(b + 1, 0xABCD);
  EXPECT_EQ(LoadLe<uint16_t>(b + 1), 0xABCD);
  EXPECT_EQ(LoadLe<uint8_t>(b + 1), 0xCD);
}

TEST(LittleEndianTest, SignedValuesKeepTheirBits) {
  uint8_t b[8] = {};
  StoreLe<int64_t>(b, -2);
  EXPECT_EQ(b[0], 0xFE);
  EXPECT_EQ(b[7], 0xFF);
  EXPECT_EQ(LoadLe<int64_t>(b), -2);
  EXPECT_EQ(LoadLe<uint32_t>(b), 0xFFFFFFFEu);
}

TEST(LittleEndianTest, ReadsBytesGivenAsChars) {
  const char s[] = "\x01\x02\x03\x04";
  EXPECT_EQ(LoadLe<uint32_t>(s), 0x04030201u);
}

}  // namespace
}  // namespace vdibk
