// Tests of the header/trailer skippable-frame encoding.
#include "shared/stripe/stripe_format.h"

#include <gtest/gtest.h>

#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

TEST(StripeFormatTest, HeaderRoundTrip) {
  StripeHeader h = testing::MakeHeader(1, 3);
  h.compression = Compression::kNone;
  h.level = 9;
  h.block_size = 1u << 20;
  auto bytes = EncodeHeaderFrame(h);
  ASSERT_OK(bytes);
  size_t n = 0;
  auto back = DecodeHeaderFrame(*bytes, &n);
  ASSERT_OK(back);
  EXPECT_EQ(n, bytes->size());
  EXPECT_EQ(back->set_id, h.set_id);
  EXPECT_EQ(back->database, "SalesDb");
  EXPECT_EQ(back->device_index, 1u);
  EXPECT_EQ(back->device_count, 3u);
  EXPECT_EQ(back->created_unix_ms, h.created_unix_ms);
  EXPECT_EQ(back->compression, Compression::kNone);
  EXPECT_EQ(back->level, 9);
  EXPECT_EQ(back->block_size, 1u << 20);
  EXPECT_EQ(back->backup_type, BackupType::kFull);
}

TEST(StripeFormatTest, HeaderRejectsBadFields) {
  StripeHeader h = testing::MakeHeader(2, 2);
  EXPECT_EQ(EncodeHeaderFrame(h).status().code(), ErrorCode::kUsage);
  h = testing::MakeHeader();
  h.block_size = 12345;
  EXPECT_FALSE(EncodeHeaderFrame(h).ok());
}

TEST(StripeFormatTest, HeaderDetectsEveryFlippedByte) {
  auto bytes = EncodeHeaderFrame(testing::MakeHeader());
  ASSERT_OK(bytes);
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::vector<uint8_t> b = *bytes;
    b[i] ^= 0x01;
    auto r = DecodeHeaderFrame(b, nullptr);
    EXPECT_FALSE(r.ok()) << "byte " << i;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
    }
  }
}

TEST(StripeFormatTest, UnknownVersionIsRejectedByName) {
  StripeHeader h = testing::MakeHeader();
  h.format_version = 4;
  auto bytes = EncodeHeaderFrame(h);
  ASSERT_OK(bytes);
  auto r = DecodeHeaderFrame(*bytes, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(r.status().message().find("format version 4 not supported"), std::string::npos)
      << r.status().ToString();
}

TEST(StripeFormatTest, PlainLz4FileIsNamed) {
  std::vector<uint8_t> b = {0x04, 0x22, 0x4D, 0x18, 0, 0, 0, 0};
  auto r = PeekHeaderFrameSize(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("plain lz4"), std::string::npos);
}

TEST(StripeFormatTest, TrailerRoundTrip) {
  StripeTrailer t;
  t.raw_bytes = 1000;
  t.compressed_bytes = 700;
  t.raw_xxh64 = 0x1122334455667788ull;
  t.frames = {{0, 70}, {500, 400}};
  t.marks = {{500, MarkKind::kFlush}, {1000, MarkKind::kFlush}};
  std::vector<uint8_t> bytes = EncodeTrailerFrame(t);
  std::span<const uint8_t> last8(bytes.data() + bytes.size() - 8, 8);
  auto size = PeekTrailerFrameSize(last8);
  ASSERT_OK(size);
  EXPECT_EQ(*size, bytes.size());
  auto back = DecodeTrailerFrame(bytes);
  ASSERT_OK(back);
  EXPECT_EQ(back->raw_bytes, 1000u);
  EXPECT_EQ(back->compressed_bytes, 700u);
  EXPECT_EQ(back->raw_xxh64, t.raw_xxh64);
  EXPECT_EQ(back->frames, t.frames);
  EXPECT_EQ(back->marks, t.marks);
  for (size_t i = 0; i + 8 < bytes.size(); ++i) {
    std::vector<uint8_t> b = bytes;
    b[i] ^= 0x80;
    EXPECT_FALSE(DecodeTrailerFrame(b).ok()) << "byte " << i;
  }
}

TEST(StripeFormatTest, DigestBytesAreBigEndian) {
  EXPECT_EQ(DigestBytes(0x0102030405060708ull), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(DigestHex(0xabcull), "0000000000000abc");
}

}  // namespace
}  // namespace vdibk::stripe
