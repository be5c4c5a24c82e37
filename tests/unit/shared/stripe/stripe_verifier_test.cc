// VerifyStripe: a good stripe passes with the right file and raw digests; damaged LZ4 data is
// located to within its frame; truncation, a foreign stripe and a missing file are classified.
#include "shared/stripe/stripe_verifier.h"

#include <gtest/gtest.h>

#include "shared/stripe/digest.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

using stripe::testing::MakeData;
using stripe::testing::MakeHeader;
using stripe::testing::ReadFileBytes;
using stripe::testing::WriteFileBytes;

class StripeVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = MakeData(1'500'000);
    StripeWriterOptions opt;
    opt.frame_raw_bytes = 400'000;  // several frames
    auto w = StripeWriter::Create(target_, "good", MakeHeader(0, 2), opt);
    ASSERT_OK(w);
    ASSERT_OK(w->Append(data_.data(), data_.size()));
    auto s = w->Finalize();
    ASSERT_OK(s);
    summary_ = *s;
    good_ = ReadFileBytes(dir_.Join("good"));
  }
  StripeVerification VerifyBytes(const std::vector<uint8_t>& bytes,
                                 const StripeExpectation& e = {}) {
    const std::string name = "case" + std::to_string(++cases_);
    WriteFileBytes(dir_.Join(name), bytes);
    return VerifyStripe(target_, name, e);
  }

  vdibk::testing::TempDir dir_;
  DirectoryTarget target_{dir_.path()};
  std::vector<uint8_t> data_, good_;
  StripeSummary summary_;
  int cases_ = 0;
};

TEST_F(StripeVerifierTest, GoodStripePassesWithBothDigests) {
  StripeVerification v = VerifyStripe(target_, "good");
  ASSERT_OK(v.status);
  EXPECT_TRUE(v.opened);
  EXPECT_EQ(v.file_bytes, good_.size());
  EXPECT_EQ(v.raw_checked, data_.size());
  EXPECT_EQ(v.file_xxh64, Digest64Of(good_.data(), good_.size()));
  EXPECT_EQ(v.file_xxh64, summary_.file_xxh64);
  EXPECT_EQ(v.raw_xxh64, Digest64Of(data_.data(), data_.size()));
  EXPECT_FALSE(v.file_offset.has_value());
}

// Damage is caught by the block checksum (or, in format 2, a block decode or at the latest the
// frame's content checksum): the reported offset and the named frame start bracket the damage.
TEST_F(StripeVerifierTest, FlippedDataByteIsIntegrityLocatedWithinItsFrame) {
  auto reader = StripeReader::Open(target_, "good");
  ASSERT_OK(reader);
  const std::vector<FrameIndexEntry> frames = reader->trailer().frames;
  ASSERT_GE(frames.size(), 3u);
  auto trailer_size = PeekTrailerFrameSize(std::span<const uint8_t>(good_).last(8));
  ASSERT_OK(trailer_size);
  const uint64_t region_end = good_.size() - *trailer_size;  // the trailer starts here
  for (size_t pos : {good_.size() / 3, good_.size() / 2, good_.size() * 3 / 4}) {
    size_t f = 0;
    while (f + 1 < frames.size() && frames[f + 1].file_offset <= pos) ++f;
    const uint64_t frame_start = frames[f].file_offset;
    const uint64_t frame_end = f + 1 < frames.size() ? frames[f + 1].file_offset : region_end;
    ASSERT_LT(pos, frame_end) << "the test must damage frame data, not the trailer";
    std::vector<uint8_t> b = good_;
    b[pos] ^= 0x5A;
    StripeVerification v = VerifyBytes(b);
    ASSERT_EQ(v.status.code(), ErrorCode::kIntegrity) << pos << ": " << v.status.ToString();
    ASSERT_TRUE(v.file_offset.has_value()) << v.status.ToString();
    EXPECT_GE(*v.file_offset, frame_start) << pos << ": " << v.status.ToString();
    EXPECT_LE(*v.file_offset, frame_end) << pos << ": " << v.status.ToString();
    EXPECT_NE(v.status.message().find("starting at file offset " + std::to_string(frame_start)),
              std::string::npos)
        << v.status.ToString();
    EXPECT_LT(v.raw_checked, data_.size());
    EXPECT_NE(v.status.message().find("case"), std::string::npos) << v.status.ToString();
  }
}

TEST_F(StripeVerifierTest, TruncatedStripeIsIntegrity) {
  std::vector<uint8_t> b(good_.begin(), good_.begin() + good_.size() / 2);
  StripeVerification v = VerifyBytes(b);
  EXPECT_EQ(v.status.code(), ErrorCode::kIntegrity) << v.status.ToString();
  EXPECT_FALSE(v.opened);
  EXPECT_EQ(v.file_bytes, b.size());
}

TEST_F(StripeVerifierTest, ForeignStripeIsMissing) {
  StripeExpectation e;
  e.device_index = 1;  // "good" is device 0
  EXPECT_EQ(VerifyBytes(good_, e).status.code(), ErrorCode::kMissing);
  e = {};
  SetId other{};
  other.fill(7);
  e.set_id = other;
  EXPECT_EQ(VerifyBytes(good_, e).status.code(), ErrorCode::kMissing);
}

TEST_F(StripeVerifierTest, AbsentFileIsMissing) {
  StripeVerification v = VerifyStripe(target_, "nope");
  EXPECT_EQ(v.status.code(), ErrorCode::kMissing) << v.status.ToString();
  EXPECT_NE(v.status.message().find("nope"), std::string::npos);
}

TEST_F(StripeVerifierTest, EmptyStreamPasses) {
  auto w = StripeWriter::Create(target_, "empty", MakeHeader(0, 1));
  ASSERT_OK(w);
  ASSERT_OK(w->Finalize());
  StripeVerification v = VerifyStripe(target_, "empty");
  ASSERT_OK(v.status);
  EXPECT_EQ(v.raw_checked, 0u);
  std::vector<uint8_t> bytes = ReadFileBytes(dir_.Join("empty"));
  EXPECT_EQ(v.file_xxh64, Digest64Of(bytes.data(), bytes.size()));
}

}  // namespace
}  // namespace vdibk::stripe
