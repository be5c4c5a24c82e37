// Hostile input for StripeReader: flipped bytes, truncation, foreign files, wrong identity.
// Every case must end in a specific Status (never a crash, never silently wrong data).
#include <gtest/gtest.h>

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

class StripeCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = MakeData(600'000);
    StripeWriterOptions opt;
    opt.frame_raw_bytes = 200'000;
    auto w = StripeWriter::Create(target_, "good", MakeHeader(0, 2), opt);
    ASSERT_OK(w);
    ASSERT_OK(w->Append(data_.data(), data_.size()));
    ASSERT_OK(w->Finalize());
    good_ = ReadFileBytes(dir_.Join("good"));
  }

  // Opens `bytes` as a stripe and reads it to the end; returns the first error (or OK).
  Status OpenAndReadAll(const std::vector<uint8_t>& bytes, const StripeExpectation& e = {}) {
    std::string name = "case" + std::to_string(++cases_);
    WriteFileBytes(dir_.Join(name), bytes);
    auto r = StripeReader::Open(target_, name, e);
    if (!r.ok()) return r.status();
    return r->VerifyRest();
  }

  vdibk::testing::TempDir dir_;
  DirectoryTarget target_{dir_.path()};
  std::vector<uint8_t> data_;
  std::vector<uint8_t> good_;
  int cases_ = 0;
};

TEST_F(StripeCorruptionTest, GoodFileVerifies) { EXPECT_OK(OpenAndReadAll(good_)); }

TEST_F(StripeCorruptionTest, FlippedByteAnywhereIsIntegrityError) {
  // Every 97th byte plus the edges: header, frames, block checksums, trailer, footer.
  std::vector<size_t> positions = {0, 5, 20, good_.size() / 2, good_.size() - 1, good_.size() - 9};
  for (size_t i = 0; i < good_.size(); i += 997) positions.push_back(i);
  for (size_t pos : positions) {
    std::vector<uint8_t> b = good_;
    b[pos] ^= 0x10;
    Status s = OpenAndReadAll(b);
    EXPECT_EQ(s.code(), ErrorCode::kIntegrity) << "offset " << pos << ": " << s.ToString();
  }
}

// Stored ("none") frames carry no block checksums: every flipped data byte must still be caught,
// by the frame's content checksum, before the reader reports the end of the stream.
TEST_F(StripeCorruptionTest, FlippedStoredByteIsIntegrityError) {
  StripeHeader h = MakeHeader(0, 2);
  h.compression = Compression::kNone;
  StripeWriterOptions opt;
  opt.frame_raw_bytes = 200'000;
  auto w = StripeWriter::Create(target_, "stored", h, opt);
  ASSERT_OK(w);
  ASSERT_OK(w->Append(data_.data(), data_.size()));
  ASSERT_OK(w->Finalize());
  const std::vector<uint8_t> stored = ReadFileBytes(dir_.Join("stored"));
  ASSERT_OK(OpenAndReadAll(stored));
  for (size_t pos = 0; pos < stored.size(); pos += 4999) {
    std::vector<uint8_t> b = stored;
    b[pos] ^= 0x01;
    Status s = OpenAndReadAll(b);
    EXPECT_EQ(s.code(), ErrorCode::kIntegrity) << "offset " << pos << ": " << s.ToString();
  }
}

// Format 3 frames: block and content checksums for lz4, the content checksum alone when stored.
TEST_F(StripeCorruptionTest, FramesHaveBlockAndContentChecksums) {
  for (Compression c : {Compression::kLz4, Compression::kNone}) {
    StripeHeader h = MakeHeader(0, 2);
    h.compression = c;
    const std::string name = c == Compression::kLz4 ? "flg-lz4" : "flg-none";
    auto w = StripeWriter::Create(target_, name, h);
    ASSERT_OK(w);
    ASSERT_OK(w->Append(data_.data(), 100'000));
    ASSERT_OK(w->Finalize());
    auto r = StripeReader::Open(target_, name);
    ASSERT_OK(r);
    EXPECT_EQ(r->header().format_version, 3);
    const std::vector<uint8_t> b = ReadFileBytes(dir_.Join(name));
    const uint8_t flg = b[r->trailer().frames[0].file_offset + 4];
    EXPECT_EQ(flg & 0x10, c == Compression::kLz4 ? 0x10 : 0) << name << ": block checksum flag";
    EXPECT_EQ(flg & 0x04, 0x04) << name << ": content checksum flag missing";
  }
}

TEST_F(StripeCorruptionTest, OtherFormatVersionIsNamed) {
  std::vector<uint8_t> b = good_;
  b[12] = 1;  // header: format version (u16 at frame offset 12), as written by format 1
  b[13] = 0;
  Status s = OpenAndReadAll(b);
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("format version 1 not supported (this build reads 2 and 3)"),
            std::string::npos)
      << s.ToString();
}

// Frames made by liblz4's own frame encoder (block and content checksums, as format 3 writes
// them) read like ours. The stripe is assembled by hand around one such frame.
TEST_F(StripeCorruptionTest, Lz4fFramesAreReadAndChecked) {
  const std::vector<uint8_t> raw(data_.begin(), data_.begin() + 300'000);
  auto head = EncodeHeaderFrame(MakeHeader(0, 2));
  ASSERT_OK(head);
  const std::vector<uint8_t> file = Lz4fStripe(kFormatVersion, true, true, raw);
  ASSERT_FALSE(file.empty());
  ASSERT_NE(file[head->size() + 4] & 0x10, 0) << "the frame must carry block checksums";

  WriteFileBytes(dir_.Join("blocksums"), file);
  auto r = StripeReader::Open(target_, "blocksums");
  ASSERT_OK(r);
  std::vector<uint8_t> back(raw.size() + 1);
  size_t got = 0;
  for (;;) {
    auto k = r->Read(back.data() + got, back.size() - got);
    ASSERT_OK(k);
    if (*k == 0) break;
    got += *k;
  }
  ASSERT_EQ(got, raw.size());
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), back.begin()));

  // A flipped byte in the first block's data fails that block's checksum, located within it.
  std::vector<uint8_t> bad = file;
  const size_t pos = head->size() + 7 + 4 + 100;  // frame header 7, block size word 4
  bad[pos] ^= 0x20;
  Status st = OpenAndReadAll(bad);
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity) << st.ToString();
  EXPECT_NE(st.message().find("lz4 frame 0"), std::string::npos) << st.ToString();
}

TEST_F(StripeCorruptionTest, TruncationIsDetectedAtOpen) {
  for (size_t keep : {size_t{0}, size_t{3}, size_t{40}, good_.size() / 2, good_.size() - 1}) {
    std::vector<uint8_t> b(good_.begin(), good_.begin() + static_cast<ptrdiff_t>(keep));
    Status s = OpenAndReadAll(b);
    EXPECT_EQ(s.code(), ErrorCode::kIntegrity) << keep << ": " << s.ToString();
  }
}

TEST_F(StripeCorruptionTest, UnfinalizedWriterLeavesNoStripe) {
  {
    auto w = StripeWriter::Create(target_, "crashed", MakeHeader());
    ASSERT_OK(w);
    ASSERT_OK(w->Append(data_.data(), 1000));
    ASSERT_OK(w->Flush());
    // Simulate a crash: the partial file exists but never got a trailer or the final name.
    WriteFileBytes(dir_.Join("copied"), ReadFileBytes(dir_.Join("crashed.partial")));
  }
  EXPECT_EQ(StripeReader::Open(target_, "crashed").status().code(), ErrorCode::kMissing);
  Status s = StripeReader::Open(target_, "copied").status();
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("no trailer"), std::string::npos) << s.ToString();
}

TEST_F(StripeCorruptionTest, ForeignFilesAreRejected) {
  Status s = OpenAndReadAll(std::vector<uint8_t>(5000, 'x'));
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_NE(s.message().find("bad magic"), std::string::npos) << s.ToString();
  // Only the LZ4 frames (a plain .lz4 file).
  auto r = StripeReader::Open(target_, "good");
  ASSERT_OK(r);
  size_t start = r->trailer().frames[0].file_offset;
  std::vector<uint8_t> plain(good_.begin() + static_cast<ptrdiff_t>(start), good_.end());
  s = OpenAndReadAll(plain);
  EXPECT_NE(s.message().find("plain lz4"), std::string::npos) << s.ToString();
}

TEST_F(StripeCorruptionTest, WrongIdentityIsMissingMismatch) {
  StripeExpectation e;
  e.device_index = 1;
  Status s = OpenAndReadAll(good_, e);
  EXPECT_EQ(s.code(), ErrorCode::kMissing);
  EXPECT_NE(s.message().find("is device 0, expected 1"), std::string::npos) << s.ToString();
  e = {};
  e.device_count = 3;
  EXPECT_EQ(OpenAndReadAll(good_, e).code(), ErrorCode::kMissing);
  e = {};
  SetId other{};
  e.set_id = other;
  EXPECT_EQ(OpenAndReadAll(good_, e).code(), ErrorCode::kMissing);
}

TEST_F(StripeCorruptionTest, SwappedFramesFailTheIndexCheck) {
  // Two stripes of the same set: splice the second's frames into the first's envelope.
  auto r = StripeReader::Open(target_, "good");
  ASSERT_OK(r);
  auto frames = r->trailer().frames;
  ASSERT_EQ(frames.size(), 3u);
  std::vector<uint8_t> b = good_;
  // Replace frame 1's first byte range with frame 0's bytes shifted: corrupt the magic position.
  b[frames[1].file_offset] = 0x00;
  EXPECT_EQ(OpenAndReadAll(b).code(), ErrorCode::kIntegrity);
}

TEST_F(StripeCorruptionTest, ErrorsAreStickyAndCarryOffsets) {
  std::vector<uint8_t> b = good_;
  b[good_.size() / 2] ^= 0xFF;
  WriteFileBytes(dir_.Join("bad"), b);
  auto r = StripeReader::Open(target_, "bad");
  ASSERT_OK(r);
  std::vector<uint8_t> buf(1 << 20);
  Status first;
  for (int i = 0; i < 10 && first.ok(); ++i) {
    auto n = r->Read(buf.data(), buf.size());
    if (!n.ok()) first = n.status();
  }
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.message().find("file offset"), std::string::npos) << first.ToString();
  auto again = r->Read(buf.data(), 1);
  EXPECT_EQ(again.status().message(), first.message());
}

}  // namespace
}  // namespace vdibk::stripe
