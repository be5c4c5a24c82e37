// S3Target against a real S3 server (Ceph's RADOS Gateway, tests/s3/with_s3_server.sh): a real
// lz4 stripe written by StripeWriter as a multipart upload (5 MiB parts) and read back by
// StripeReader and VerifyStripe byte for byte, a manifest through manifest_io, Abort leaving no
// upload and no object, the prefix cleanup, and the buffer memory of a 64 MiB upload (printed).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "shared/s3/s3_client.h"
#include "shared/s3/s3_config.h"
#include "shared/s3/s3_prefix_cleanup.h"
#include "shared/s3/s3_target.h"
#include "shared/s3/s3_writable_file.h"
#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_verifier.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::s3 {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

// The process's peak resident set (VmHWM) in KiB, 0 if unknown.
uint64_t PeakRssKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::strtoull(line.c_str() + 6, nullptr, 10);
  return 0;
}

class S3TargetE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bucket = std::getenv("S3_BUCKET");
    if (!bucket || !std::getenv("AWS_ENDPOINT_URL"))
      GTEST_SKIP() << "no S3 server (run under tests/s3/with_s3_server.sh)";
    bucket_ = bucket;
    Result<S3Config> config = LoadS3Config({});
    ASSERT_OK(config);
    config_ = *config;
    config_.retry.budget = std::chrono::seconds(30);
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(config_);
    ASSERT_OK(client);
    client_ = std::move(client).value();
    prefix_ = std::string("target/") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/";
    options_.part_size = 5 * kMiB;
    options_.parts_in_flight = 4;
    options_.read_chunk = 2 * kMiB;
    options_.reads_in_flight = 3;
  }
  std::unique_ptr<S3Target> MakeTarget() {
    return std::make_unique<S3Target>(S3Location{bucket_, prefix_}, CurlClientFactory(config_),
                                      options_);
  }
  size_t OpenUploads() {
    Result<std::vector<MultipartUploadInfo>> uploads =
        client_->ListMultipartUploads(bucket_, prefix_);
    EXPECT_OK(uploads);
    return uploads.ok() ? uploads->size() : 99;
  }
  size_t Objects() {
    Result<std::vector<ObjectSummary>> objects = client_->ListObjectsV2(bucket_, prefix_);
    EXPECT_OK(objects);
    return objects.ok() ? objects->size() : 99;
  }

  std::string bucket_, prefix_;
  S3Config config_;
  S3TargetOptions options_;
  std::unique_ptr<S3Client> client_;
};

TEST_F(S3TargetE2eTest, AStripeIsWrittenAsMultipartAndReadBackByteForByte) {
  std::unique_ptr<S3Target> target = MakeTarget();
  const std::vector<uint8_t> raw = stripe::testing::MakeData(24 * kMiB, 7);
  stripe::StripeWriterOptions wo;
  wo.frame_raw_bytes = 4 * kMiB;
  const std::string name = "stripe-01-of-01.lz4";
  Result<stripe::StripeWriter> w =
      stripe::StripeWriter::Create(*target, name, stripe::testing::MakeHeader(0, 1), wo);
  ASSERT_OK(w);
  for (size_t at = 0; at < raw.size(); at += kMiB)
    ASSERT_OK(w->Append(raw.data() + at, std::min<size_t>(kMiB, raw.size() - at)));
  ASSERT_OK(w->Flush());
  Result<stripe::StripeSummary> summary = w->Finalize();
  ASSERT_OK(summary);
  ASSERT_GT(summary->file_bytes, 2 * options_.part_size) << "small enough to be one PUT";
  Result<ObjectInfo> head = client_->HeadObject(bucket_, prefix_ + name);
  ASSERT_OK(head);
  EXPECT_EQ(head->size, summary->file_bytes);
  EXPECT_NE(head->etag.find('-'), std::string::npos) << "not a multipart ETag: " << head->etag;
  EXPECT_EQ(OpenUploads(), 0u);

  Result<stripe::StripeReader> r = stripe::StripeReader::Open(*target, name);
  ASSERT_OK(r);
  std::vector<uint8_t> back(raw.size() + 1);
  size_t got = 0;
  for (;;) {
    Result<size_t> n = r->Read(back.data() + got, std::min<size_t>(1 << 20, back.size() - got));
    ASSERT_OK(n);
    if (*n == 0) break;
    got += *n;
  }
  back.resize(got);
  EXPECT_TRUE(back == raw) << "the stripe read back differs from what was written";

  stripe::StripeVerification v = stripe::VerifyStripe(*target, name);
  ASSERT_OK(v.status);
  EXPECT_EQ(v.file_xxh64, summary->file_xxh64);
  EXPECT_EQ(v.raw_xxh64, summary->raw_xxh64);
}

TEST_F(S3TargetE2eTest, AManifestIsWrittenReadAndPromoted) {
  std::unique_ptr<S3Target> target = MakeTarget();
  proto::Manifest m;
  m.set_format_version(1);
  m.set_database("SalesDb");
  m.set_state(proto::MANIFEST_STATE_PENDING);
  ASSERT_OK(stripe::WriteManifest(*target, stripe::kManifestFileName, m));
  Result<proto::Manifest> back = stripe::ReadManifest(*target, stripe::kManifestFileName);
  ASSERT_OK(back);
  EXPECT_EQ(back->state(), proto::MANIFEST_STATE_PENDING);
  m.set_state(proto::MANIFEST_STATE_COMPLETE);
  Status refused = stripe::WriteManifest(*target, stripe::kManifestFileName, m);
  EXPECT_EQ(refused.code(), ErrorCode::kTargetIo) << refused.ToString();
  ASSERT_OK(stripe::WriteManifest(*target, stripe::kManifestFileName, m, {.replace = true}));
  back = stripe::ReadManifest(*target, stripe::kManifestFileName);
  ASSERT_OK(back);
  EXPECT_EQ(back->state(), proto::MANIFEST_STATE_COMPLETE);
  EXPECT_EQ(stripe::ReadManifest(*target, "missing").status().code(), ErrorCode::kMissing);
}

TEST_F(S3TargetE2eTest, AbortLeavesNoUploadAndNoObject) {
  std::unique_ptr<S3Target> target = MakeTarget();
  Result<std::unique_ptr<stripe::WritableFile>> f = target->Create("aborted");
  ASSERT_OK(f);
  const std::vector<uint8_t> data = stripe::testing::MakeData(12 * kMiB, 3);
  ASSERT_OK((*f)->Append(data.data(), data.size()));
  ASSERT_OK((*f)->Sync());
  EXPECT_EQ(OpenUploads(), 1u);
  (*f)->Abort();
  EXPECT_EQ(OpenUploads(), 0u);
  EXPECT_EQ(Objects(), 0u);
  EXPECT_EQ(client_->HeadObject(bucket_, prefix_ + "aborted").status().code(), ErrorCode::kMissing);
}

TEST_F(S3TargetE2eTest, PrefixCleanupRemovesUploadsAndObjects) {
  const std::string set = prefix_ + "set1/";
  const std::string data(6 * kMiB, 'x');
  for (const char* key : {"stripe-1", "stripe-2"}) {
    Result<std::string> id = client_->CreateMultipartUpload(bucket_, set + key);
    ASSERT_OK(id);
    ASSERT_OK(client_->UploadPart(bucket_, set + key, *id, 1, {data.data(), data.size()}));
  }
  for (const char* key : {"manifest.vdbk", "stripe-3"})
    ASSERT_OK(client_->PutObject(bucket_, set + key, std::span<const char>(data.data(), 10)));
  ASSERT_OK(client_->PutObject(bucket_, prefix_ + "set10/keep", std::span<const char>("k", 1)));

  Result<PrefixCleanup> done = CleanUpPrefix(*client_, bucket_, set);
  ASSERT_OK(done);
  EXPECT_EQ(done->uploads_aborted, 2u);
  EXPECT_EQ(done->objects_deleted, 2u);
  EXPECT_EQ(OpenUploads(), 0u);
  EXPECT_EQ(Objects(), 1u);  // set10/keep
}

TEST_F(S3TargetE2eTest, PeakBufferMemoryOfA64MiBUpload) {
  std::unique_ptr<S3Target> target = MakeTarget();
  Result<std::unique_ptr<stripe::WritableFile>> f = target->Create("64mib");
  ASSERT_OK(f);
  const std::vector<uint8_t> chunk = stripe::testing::MakeData(kMiB, 5);
  const uint64_t rss_before = PeakRssKiB();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 64; ++i) ASSERT_OK((*f)->Append(chunk.data(), chunk.size()));
  ASSERT_OK((*f)->Commit());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const S3WriteStats stats = dynamic_cast<S3WritableFile&>(**f).stats();
  std::cout << "64 MiB upload, " << options_.parts_in_flight << " x " << options_.part_size / kMiB
            << " MiB part buffers: peak buffer memory " << stats.peak_buffer_bytes / kMiB
            << " MiB in " << stats.peak_buffers << " buffers, " << stats.parts_uploaded
            << " parts, " << stats.append_waits << " waits for a buffer; process peak RSS "
            << rss_before / 1024 << " -> " << PeakRssKiB() / 1024 << " MiB; " << seconds << " s\n";
  EXPECT_LE(stats.peak_buffer_bytes, options_.parts_in_flight * options_.part_size + kMiB);
  EXPECT_EQ(stats.parts_uploaded, 13);
  Result<ObjectInfo> head = client_->HeadObject(bucket_, prefix_ + "64mib");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 64 * kMiB);
}

}  // namespace
}  // namespace vdibk::s3
