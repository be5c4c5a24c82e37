// S3Client over CurlTransport against a real S3 server (Ceph's RADOS Gateway from
// scripts/s3-server.sh): objects (put/get/range/head/delete, streamed bodies), a 3-part multipart
// upload and a Complete refused for a wrong part ETag, ListObjectsV2 pages, DeleteObjects,
// ListMultipartUploads + abort, and the classification of bad credentials, a missing bucket and a
// refused connection. Needs the variables of `scripts/s3-server.sh env` (ctest runs it under
// tests/s3/with_s3_server.sh); without them every test skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shared/s3/content_md5.h"
#include "shared/s3/s3_client.h"
#include "shared/s3/s3_config.h"
#include "shared/s3/s3_error.h"

namespace vdibk::s3 {
namespace {

std::string Pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

std::span<const char> Span(const std::string& s) { return {s.data(), s.size()}; }

class StringSource final : public HttpBodySource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_.size(); }
  Result<size_t> Read(char* buffer, size_t max) override {
    const size_t n = std::min(max, data_.size() - at_);
    std::memcpy(buffer, data_.data() + at_, n);
    at_ += n;
    return n;
  }
  Status Rewind() override {
    at_ = 0;
    return Status::Ok();
  }

 private:
  std::string data_;
  size_t at_ = 0;
};

class StringSink final : public HttpBodySink {
 public:
  Status Write(std::string_view data) override {
    out.append(data);
    return Status::Ok();
  }
  Status Restart() override {
    out.clear();
    return Status::Ok();
  }
  std::string out;
};

class S3ClientE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bucket = std::getenv("S3_BUCKET");
    if (!bucket || !std::getenv("AWS_ENDPOINT_URL"))
      GTEST_SKIP() << "no S3 server (run under tests/s3/with_s3_server.sh)";
    bucket_ = bucket;
    Result<S3Config> config = LoadS3Config({});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    config_.retry.budget = std::chrono::seconds(30);
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(config_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<S3Client> ClientWith(AwsCredentials credentials) {
    S3Config c = config_;
    c.credentials = std::move(credentials);
    return std::move(S3Client::Create(c)).value();
  }

  std::string bucket_;
  S3Config config_;
  std::unique_ptr<S3Client> client_;
};

TEST_F(S3ClientE2eTest, PutGetRangeHeadDelete) {
  const std::string key = "client/obj one+&=.bin";
  const std::string data = Pattern(1 << 20, 1);
  Result<std::string> etag = client_->PutObject(bucket_, key, Span(data));
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(BareEtag(*etag).size(), 32u) << *etag;

  Result<std::string> got = client_->GetObject(bucket_, key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data) << "GET returned other bytes than were PUT";

  Result<std::string> range = client_->GetObject(bucket_, key, ByteRange{1000, 1999});
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_TRUE(*range == data.substr(1000, 1000));
  Result<std::string> tail = client_->GetObject(bucket_, key, ByteRange{data.size() - 10, {}});
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_TRUE(*tail == data.substr(data.size() - 10));

  Result<ObjectInfo> head = client_->HeadObject(bucket_, key);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, data.size());
  EXPECT_EQ(head->etag, *etag);

  ASSERT_TRUE(client_->DeleteObject(bucket_, key).ok());
  Result<ObjectInfo> gone = client_->HeadObject(bucket_, key);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), ErrorCode::kMissing) << gone.status().ToString();
  Result<std::string> get_gone = client_->GetObject(bucket_, key);
  ASSERT_FALSE(get_gone.ok());
  EXPECT_EQ(get_gone.status().code(), ErrorCode::kMissing) << get_gone.status().ToString();
  EXPECT_EQ(client_->last_error().body.code, "NoSuchKey");
  EXPECT_NE(get_gone.status().message().find("s3://" + bucket_ + "/" + key), std::string::npos);
  EXPECT_TRUE(client_->DeleteObject(bucket_, key).ok()) << "deleting a missing key succeeds";
}

TEST_F(S3ClientE2eTest, StreamedPutAndGetToSink) {
  const std::string key = "client/streamed";
  const std::string data = Pattern(3 << 20, 2);
  StringSource source(data);
  Result<std::string> etag =
      client_->PutObject(bucket_, key, source, PutObjectOptions{.content_md5 = ContentMd5(data)});
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  StringSink sink;
  Result<ObjectInfo> info = client_->GetObject(bucket_, key, sink, ByteRange{5, 104});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, data.size());
  EXPECT_EQ(info->content_length, 100u);
  EXPECT_TRUE(sink.out == data.substr(5, 100));

  // A Content-MD5 that does not match the streamed body: refused, nothing stored.
  StringSource wrong(Pattern(1000, 3));
  Result<std::string> bad = client_->PutObject(bucket_, "client/bad-md5", wrong,
                                               PutObjectOptions{.content_md5 = ContentMd5("x")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kIntegrity) << bad.status().ToString();
  EXPECT_EQ(client_->HeadObject(bucket_, "client/bad-md5").status().code(), ErrorCode::kMissing);
  EXPECT_TRUE(client_->DeleteObject(bucket_, key).ok());
}

TEST_F(S3ClientE2eTest, MultipartThreeParts) {
  const std::string key = "client/multipart";
  Result<std::string> id = client_->CreateMultipartUpload(bucket_, key);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::vector<std::string> parts = {Pattern(5 << 20, 4), Pattern(5 << 20, 5),
                                          Pattern(12345, 6)};
  std::vector<CompletedPart> done;
  for (size_t i = 0; i < parts.size(); ++i) {
    Result<std::string> etag =
        client_->UploadPart(bucket_, key, *id, static_cast<int>(i + 1), Span(parts[i]));
    ASSERT_TRUE(etag.ok()) << etag.status().ToString();
    done.push_back({static_cast<int>(i + 1), *etag});
  }
  Result<CompleteMultipartUploadResult> result =
      client_->CompleteMultipartUpload(bucket_, key, *id, done);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(BareEtag(result->etag).ends_with("-3")) << result->etag;

  Result<std::string> got = client_->GetObject(bucket_, key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == parts[0] + parts[1] + parts[2]) << "the completed object differs";
  EXPECT_TRUE(client_->DeleteObject(bucket_, key).ok());
}

TEST_F(S3ClientE2eTest, CompleteWithAWrongPartEtagIsRefused) {
  const std::string key = "client/wrong-etag";
  Result<std::string> id = client_->CreateMultipartUpload(bucket_, key);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::string p1 = Pattern(5 << 20, 7), p2 = Pattern(100, 8);
  Result<std::string> e1 = client_->UploadPart(bucket_, key, *id, 1, Span(p1));
  Result<std::string> e2 = client_->UploadPart(bucket_, key, *id, 2, Span(p2));
  ASSERT_TRUE(e1.ok() && e2.ok());
  const std::string wrong = "\"" + std::string(32, 'a') + "\"";
  Result<CompleteMultipartUploadResult> r =
      client_->CompleteMultipartUpload(bucket_, key, *id, {{1, *e1}, {2, wrong}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(client_->last_error().body.code, "InvalidPart") << r.status().ToString();
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity) << r.status().ToString();
  EXPECT_FALSE(IsTransient(client_->last_error()));
  EXPECT_EQ(client_->HeadObject(bucket_, key).status().code(), ErrorCode::kMissing);
  EXPECT_TRUE(client_->AbortMultipartUpload(bucket_, key, *id).ok());
}

TEST_F(S3ClientE2eTest, ListObjectsV2PagesAndDeleteObjects) {
  std::vector<std::string> keys;
  for (int i = 0; i < 23; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "client/list/k%03d", i);
    keys.push_back(name);
    ASSERT_TRUE(client_->PutObject(bucket_, name, Span(keys.back())).ok()) << name;
  }
  Result<ListObjectsPage> first =
      client_->ListObjectsV2Page(bucket_, {.prefix = "client/list/", .max_keys = 5});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->objects.size(), 5u);
  EXPECT_TRUE(first->truncated);

  Result<std::vector<ObjectSummary>> all = client_->ListObjectsV2(bucket_, "client/list/", 5);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> seen;
  for (const ObjectSummary& o : *all) seen.push_back(o.key);
  EXPECT_EQ(seen, keys);
  EXPECT_EQ((*all)[3].size, keys[3].size());

  keys.push_back("client/list/never-existed");
  Result<std::vector<DeleteObjectError>> refused = client_->DeleteObjects(bucket_, keys);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_TRUE(refused->empty()) << (*refused)[0].key << ": " << (*refused)[0].code;
  Result<std::vector<ObjectSummary>> after = client_->ListObjectsV2(bucket_, "client/list/");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST_F(S3ClientE2eTest, ListMultipartUploadsAndAbort) {
  Result<std::string> a = client_->CreateMultipartUpload(bucket_, "client/mpu/a");
  Result<std::string> b = client_->CreateMultipartUpload(bucket_, "client/mpu/b");
  ASSERT_TRUE(a.ok() && b.ok());
  Result<std::vector<MultipartUploadInfo>> open =
      client_->ListMultipartUploads(bucket_, "client/mpu/");
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].key, "client/mpu/a");
  EXPECT_EQ((*open)[0].upload_id, *a);
  EXPECT_EQ((*open)[1].upload_id, *b);

  EXPECT_TRUE(client_->AbortMultipartUpload(bucket_, "client/mpu/a", *a).ok());
  EXPECT_TRUE(client_->AbortMultipartUpload(bucket_, "client/mpu/b", *b).ok());
  Result<std::vector<MultipartUploadInfo>> after =
      client_->ListMultipartUploads(bucket_, "client/mpu/");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  Status again = client_->AbortMultipartUpload(bucket_, "client/mpu/a", *a);
  EXPECT_EQ(again.code(), ErrorCode::kMissing) << again.ToString();
}

TEST_F(S3ClientE2eTest, BadCredentialsArePermanentAndNameTheFix) {
  const std::string secret = config_.credentials.secret_access_key;
  std::unique_ptr<S3Client> wrong_secret =
      ClientWith({config_.credentials.access_key_id, secret + "x", ""});
  Result<std::vector<ObjectSummary>> r = wrong_secret->ListObjectsV2(bucket_, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(wrong_secret->last_error().body.code, "SignatureDoesNotMatch");
  EXPECT_FALSE(IsTransient(wrong_secret->last_error()));
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration) << r.status().ToString();
  EXPECT_NE(r.status().message().find("s3://" + bucket_), std::string::npos);
  EXPECT_NE(r.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_EQ(r.status().message().find(secret), std::string::npos);

  std::unique_ptr<S3Client> wrong_id = ClientWith({"NOSUCHACCESSKEY0000", secret, ""});
  Result<std::string> put = wrong_id->PutObject(bucket_, "client/x", Span(std::string("x")));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(wrong_id->last_error().body.code, "InvalidAccessKeyId") << put.status().ToString();
  EXPECT_EQ(put.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(put.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(put.status().message().find(secret), std::string::npos);
}

TEST_F(S3ClientE2eTest, MissingBucketIsNoSuchBucket) {
  Result<std::vector<ObjectSummary>> r = client_->ListObjectsV2("no-such-bucket-vdibk", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(client_->last_error().body.code, "NoSuchBucket");
  EXPECT_FALSE(IsTransient(client_->last_error()));
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(r.status().message().find("s3://no-such-bucket-vdibk"), std::string::npos);
  EXPECT_NE(r.status().message().find("create the bucket"), std::string::npos);
}

TEST_F(S3ClientE2eTest, RefusedConnectionIsRetriedWithinTheBudget) {
  S3Config c = config_;
  c.host = "127.0.0.1:1";  // nothing listens on port 1
  c.retry.budget = std::chrono::milliseconds(300);
  c.retry.base_delay = std::chrono::milliseconds(10);
  std::unique_ptr<S3Client> client = std::move(S3Client::Create(c)).value();
  Result<ObjectInfo> r = client->HeadObject(bucket_, "k");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(client->last_error().transport, TransportError::kConnect);
  EXPECT_TRUE(IsTransient(client->last_error()));
  EXPECT_EQ(r.status().code(), ErrorCode::kTargetIo);
  EXPECT_NE(r.status().message().find("gave up after"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace vdibk::s3
