// VerifyStripe: a good stripe passes with the right file and raw digests; damaged LZ4 data is
// located to within one block; truncation, a foreign stripe and a missing file are classified.
#include "shared/stripe/stripe_verifier.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include "shared/stripe/directory_target.h"
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
  EXPECT_EQ(v.file_xxh64, XXH64(good_.data(), good_.size(), 0));
  EXPECT_EQ(v.file_xxh64, summary_.file_xxh64);
  EXPECT_EQ(v.raw_xxh64, XXH64(data_.data(), data_.size(), 0));
  EXPECT_FALSE(v.file_offset.has_value());
}

TEST_F(StripeVerifierTest, FlippedDataByteIsIntegrityLocatedWithinOneBlock) {
  const uint32_t block = MakeHeader().block_size;
  for (size_t pos : {good_.size() / 3, good_.size() / 2, good_.size() * 3 / 4}) {
    std::vector<uint8_t> b = good_;
    b[pos] ^= 0x5A;
    StripeVerification v = VerifyBytes(b);
    ASSERT_EQ(v.status.code(), ErrorCode::kIntegrity) << pos << ": " << v.status.ToString();
    ASSERT_TRUE(v.file_offset.has_value()) << v.status.ToString();
    const uint64_t off = *v.file_offset;
    EXPECT_LE(off > pos ? off - pos : pos - off, 2u * block) << pos << " vs " << off;
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
  EXPECT_EQ(v.file_xxh64, XXH64(bytes.data(), bytes.size(), 0));
}

}  // namespace
}  // namespace vdibk::stripe
