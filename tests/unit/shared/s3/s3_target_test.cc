// S3Target over the fake server: naming, Describe, no fan-out, and the stripe layer on top of it
// (StripeWriter -> StripeReader / VerifyStripe, manifests) byte for byte.
#include "shared/s3/s3_target.h"

#include <gtest/gtest.h>

#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_verifier.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/unit/shared/s3/s3_target_fixture.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::s3 {
namespace {

TEST_F(S3TargetTest, DescribeNamesAndFanOut) {
  EXPECT_EQ(target_->Describe(), "s3://b/pre/");
  Result<std::unique_ptr<stripe::PlacementFile>> p = target_->OpenForPlacement("stripe-1");
  EXPECT_EQ(p.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(p.status().message().find("fan-out (--workers > --devices) is not supported on S3"),
            std::string::npos);
  for (const char* bad : {"", ".", "..", "a/b"})
    EXPECT_EQ(target_->Create(bad).status().code(), ErrorCode::kUsage) << bad;
}

TEST_F(S3TargetTest, AStripeRoundTripsThroughTheReaderAndTheVerifier) {
  options_.part_size = 64 << 10;
  options_.min_part_size = 64 << 10;
  options_.read_chunk = 48 << 10;
  options_.reads_in_flight = 3;
  server_.min_part_size = 64 << 10;
  Rebuild();
  const std::vector<uint8_t> raw = stripe::testing::MakeData(1 << 20);
  stripe::StripeWriterOptions wo;
  wo.frame_raw_bytes = 256 << 10;
  Result<stripe::StripeWriter> w = stripe::StripeWriter::Create(
      *target_, "stripe-01-of-02.lz4", stripe::testing::MakeHeader(0, 2), wo);
  ASSERT_OK(w);
  for (size_t at = 0; at < raw.size(); at += 100'000)
    ASSERT_OK(w->Append(raw.data() + at, std::min<size_t>(100'000, raw.size() - at)));
  Result<stripe::StripeSummary> summary = w->Finalize();
  ASSERT_OK(summary);
  EXPECT_GT(server_.Count("UploadPart"), 1u);

  Result<stripe::StripeReader> r = stripe::StripeReader::Open(*target_, "stripe-01-of-02.lz4");
  ASSERT_OK(r);
  std::vector<uint8_t> back(raw.size() + 1);
  size_t got = 0;
  for (;;) {
    Result<size_t> n = r->Read(back.data() + got, std::min<size_t>(70'000, back.size() - got));
    ASSERT_OK(n);
    if (*n == 0) break;
    got += *n;
  }
  back.resize(got);
  EXPECT_EQ(back, raw);

  stripe::StripeVerification v = stripe::VerifyStripe(*target_, "stripe-01-of-02.lz4");
  ASSERT_OK(v.status);
  EXPECT_EQ(v.file_xxh64, summary->file_xxh64);
  EXPECT_EQ(v.file_bytes, summary->file_bytes);
}

TEST_F(S3TargetTest, ManifestsAreWrittenReadAndReplaced) {
  proto::Manifest m;
  m.set_format_version(1);
  m.set_database("SalesDb");
  m.set_state(proto::MANIFEST_STATE_PENDING);
  ASSERT_OK(stripe::WriteManifest(*target_, stripe::kManifestFileName, m));
  Result<proto::Manifest> back = stripe::ReadManifest(*target_, stripe::kManifestFileName);
  ASSERT_OK(back);
  EXPECT_EQ(back->database(), "SalesDb");
  m.set_state(proto::MANIFEST_STATE_COMPLETE);
  EXPECT_FALSE(stripe::WriteManifest(*target_, stripe::kManifestFileName, m).ok());
  ASSERT_OK(stripe::WriteManifest(*target_, stripe::kManifestFileName, m, {.replace = true}));
  back = stripe::ReadManifest(*target_, stripe::kManifestFileName);
  ASSERT_OK(back);
  EXPECT_EQ(back->state(), proto::MANIFEST_STATE_COMPLETE);
  EXPECT_EQ(stripe::ReadManifest(*target_, "none").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::s3
