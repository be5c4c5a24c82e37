// Which checksums StripeReader requires and checks (docs/format.md §4): format 3 lz4 frames (block
// and content checksums), stored frames and format 2 frames (content checksum), the restore
// reader's skipped content checksums, and frame headers our writers never produce.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

using stripe::testing::Lz4fStripe;
using stripe::testing::MakeData;
using stripe::testing::MakeHeader;
using stripe::testing::ReadFileBytes;
using stripe::testing::WriteFileBytes;

constexpr size_t kHeaderBytes = 7;  // magic, FLG, BD, HC of the frames below

class StripeChecksumTest : public ::testing::Test {
 protected:
  void SetUp() override { raw_ = MakeData(300'000, 9); }

  // Opens `bytes` as a stripe; reads it to the end in 100000-byte reads (with the content checksums
  // checked or not); returns the first error, or OK with the bytes in `out_`.
  Status ReadAll(const std::vector<uint8_t>& bytes, bool content_checksums = true) {
    const std::string name = "case" + std::to_string(++cases_);
    WriteFileBytes(dir_.Join(name), bytes);
    auto r = StripeReader::Open(target_, name);
    if (!r.ok()) return r.status();
    r->set_content_checksums(content_checksums);
    out_.clear();
    std::vector<uint8_t> buf(100'000);
    for (;;) {
      auto n = r->Read(buf.data(), buf.size());
      if (!n.ok()) return n.status();
      if (*n == 0) return Status::Ok();
      out_.insert(out_.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n));
    }
  }

  // The bytes of a stripe of raw_ written by StripeWriter (format 3, frames of 100000 raw bytes);
  // its header and trailer as a reader sees them go to written_header_ and written_trailer_.
  std::vector<uint8_t> Written() {
    StripeWriterOptions opt;
    opt.frame_raw_bytes = 100'000;
    auto w = StripeWriter::Create(target_, "written", MakeHeader(0, 2), opt);
    EXPECT_OK(w);
    EXPECT_OK(w->Append(raw_.data(), raw_.size()));
    EXPECT_OK(w->Finalize());
    auto r = StripeReader::Open(target_, "written");
    EXPECT_OK(r);
    if (r.ok()) {
      written_header_ = r->header();
      written_trailer_ = r->trailer();
    }
    return ReadFileBytes(dir_.Join("written"));
  }

  vdibk::testing::TempDir dir_;
  DirectoryTarget target_{dir_.path()};
  std::vector<uint8_t> raw_, out_;
  StripeHeader written_header_;
  StripeTrailer written_trailer_;
  int cases_ = 0;
};

TEST_F(StripeChecksumTest, WritersSetBothChecksumFlags) {
  const std::vector<uint8_t> b = Written();
  EXPECT_EQ(written_header_.format_version, 3);
  EXPECT_EQ(written_trailer_.format_version, 3);
  ASSERT_GE(written_trailer_.frames.size(), 3u);
  for (const FrameIndexEntry& f : written_trailer_.frames) {
    const uint8_t flg = b[f.file_offset + 4];
    EXPECT_EQ(flg & 0x10, 0x10) << "block checksum flag missing at " << f.file_offset;
    EXPECT_EQ(flg & 0x04, 0x04) << "content checksum flag missing at " << f.file_offset;
  }
}

TEST_F(StripeChecksumTest, Format2StripesAreStillRead) {
  const std::vector<uint8_t> v2 = Lz4fStripe(2, false, true, raw_);
  ASSERT_OK(ReadAll(v2));
  EXPECT_TRUE(out_ == raw_);
  // Without block checksums the damage shows at the frame's content checksum (or in decoding).
  for (size_t pos : {size_t{200}, v2.size() / 2, v2.size() - 300}) {
    std::vector<uint8_t> bad = v2;
    bad[pos] ^= 0x08;
    EXPECT_EQ(ReadAll(bad, false).code(), ErrorCode::kIntegrity) << pos;
  }
}

TEST_F(StripeChecksumTest, EachVersionRequiresItsChecksums) {
  Status s = ReadAll(Lz4fStripe(2, true, false, raw_));
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("without a content checksum"), std::string::npos) << s.ToString();
  s = ReadAll(Lz4fStripe(3, false, true, raw_));
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("without block checksums"), std::string::npos) << s.ToString();
  // Format 3 with block checksums only (not what writers produce) reads.
  EXPECT_OK(ReadAll(Lz4fStripe(3, true, false, raw_)));
  EXPECT_TRUE(out_ == raw_);
}

TEST_F(StripeChecksumTest, HeaderAndTrailerMustAgreeOnTheVersion) {
  std::vector<uint8_t> b = Lz4fStripe(3, true, true, raw_);
  StripeHeader h = MakeHeader(0, 2);
  h.format_version = 2;
  auto v2_head = EncodeHeaderFrame(h);
  ASSERT_OK(v2_head);
  std::copy(v2_head->begin(), v2_head->end(), b.begin());
  Status s = ReadAll(b);
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("disagree on the format version"), std::string::npos) << s.ToString();
}

TEST_F(StripeChecksumTest, FlippedCompressedByteFailsItsBlockChecksum) {
  const std::vector<uint8_t> good = Written();
  ASSERT_GE(written_trailer_.frames.size(), 2u);
  const size_t frame1 = written_trailer_.frames[1].file_offset;
  std::vector<uint8_t> bad = good;
  bad[frame1 + kHeaderBytes + 4 + 10] ^= 0x40;  // frame 1, first block, 10th data byte
  for (bool content : {true, false}) {
    Status s = ReadAll(bad, content);
    EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
    EXPECT_NE(s.message().find("lz4 frame 1 (starting at file offset " + std::to_string(frame1) +
                               "): block checksum mismatch"),
              std::string::npos)
        << s.ToString();
  }
}

// The restore reader skips content checksums of frames with block checksums; a reader that
// seeked cannot check the stream digest and checks them again.
TEST_F(StripeChecksumTest, ContentChecksumsAreSkippedOnlyWhenAskedAndReadingFromTheStart) {
  std::vector<uint8_t> b = Written();
  ASSERT_GE(written_trailer_.frames.size(), 2u);
  // Frame 0's content checksum (the 4 bytes before frame 1); every data byte intact.
  b[written_trailer_.frames[1].file_offset - 4] ^= 0x01;
  Status s = ReadAll(b);
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("lz4 frame 0 (starting at file offset"), std::string::npos);
  EXPECT_NE(s.message().find("content checksum mismatch"), std::string::npos) << s.ToString();

  ASSERT_OK(ReadAll(b, false));
  EXPECT_TRUE(out_ == raw_);

  WriteFileBytes(dir_.Join("seek"), b);
  auto r = StripeReader::Open(target_, "seek");
  ASSERT_OK(r);
  r->set_content_checksums(false);
  ASSERT_OK(r->Seek(10));
  std::vector<uint8_t> buf(raw_.size());
  auto n = r->Read(buf.data(), buf.size());
  EXPECT_EQ(n.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(n.status().message().find("content checksum mismatch"), std::string::npos)
      << n.status().ToString();
}

// A frame that records its content size (LZ4F can write one; our writers do not) reads, and a
// size that disagrees with the decoded bytes is refused.
TEST_F(StripeChecksumTest, ContentSizeIsCheckedWhereAFrameHasOne) {
  std::vector<uint8_t> b = Lz4fStripe(kFormatVersion, true, true, raw_, /*content_size=*/true);
  ASSERT_FALSE(b.empty());
  ASSERT_OK(ReadAll(b));
  EXPECT_TRUE(out_ == raw_);
  auto head = EncodeHeaderFrame(MakeHeader(0, 2));
  ASSERT_OK(head);
  const size_t f0 = head->size();
  ASSERT_EQ(b[f0 + 4] & 0x08, 0x08) << "the frame must record its content size";
  b[f0 + 6] ^= 0x01;  // the content size's low byte; the header checksum made to match
  b[f0 + 14] = static_cast<uint8_t>((XXH32(&b[f0 + 4], 10, 0) >> 8) & 0xFF);
  Status s = ReadAll(b);
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("content size mismatch"), std::string::npos) << s.ToString();
}

// Stored stripes have no block checksums: their content checksums are checked even when a
// restore turns them off.
TEST_F(StripeChecksumTest, StoredFramesAlwaysCheckTheirContentChecksums) {
  StripeHeader h = MakeHeader(0, 2);
  h.compression = Compression::kNone;
  auto w = StripeWriter::Create(target_, "stored", h);
  ASSERT_OK(w);
  ASSERT_OK(w->Append(raw_.data(), raw_.size()));
  ASSERT_OK(w->Finalize());
  std::vector<uint8_t> b = ReadFileBytes(dir_.Join("stored"));
  ASSERT_OK(ReadAll(b, false));
  EXPECT_TRUE(out_ == raw_);
  b[b.size() / 2] ^= 0x02;
  Status s = ReadAll(b, false);
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("content checksum mismatch"), std::string::npos) << s.ToString();
}

// Frame headers with a valid header checksum but features our writers never use are refused by
// name rather than misread.
TEST_F(StripeChecksumTest, UnsupportedFrameFeaturesAreNamed) {
  const std::vector<uint8_t> good = Written();
  ASSERT_FALSE(written_trailer_.frames.empty());
  const size_t f0 = written_trailer_.frames[0].file_offset;
  struct Case {
    uint8_t clear, set;
    const char* message;
  };
  for (const Case& c : {Case{0x20, 0, "linked blocks"}, Case{0, 0x01, "dictionary id"},
                        Case{0, 0x02, "reserved bits"}, Case{0xC0, 0x80, "lz4 frame version 2"}}) {
    std::vector<uint8_t> b = good;
    b[f0 + 4] = static_cast<uint8_t>((b[f0 + 4] & ~c.clear) | c.set);
    b[f0 + 6] = static_cast<uint8_t>((XXH32(&b[f0 + 4], 2, 0) >> 8) & 0xFF);
    Status s = ReadAll(b);
    EXPECT_EQ(s.code(), ErrorCode::kIntegrity) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
  }
  std::vector<uint8_t> b = good;
  b[f0 + 6] ^= 0xFF;  // the header checksum itself
  Status s = ReadAll(b);
  EXPECT_NE(s.message().find("lz4 frame header checksum mismatch"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace vdibk::stripe
