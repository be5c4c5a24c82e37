// S3Client over FakeHttpTransport and FakeRetryClock: the requests it sends (addressing, signing,
// Content-MD5, queries), retries of transient failures (rewinding bodies, restarting sinks) and
// none of permanent ones, the retry budget, ETag checks, pagination, DeleteObjects batches, and
// that no message or log line holds the secret key, the session token or the Authorization header.
#include "shared/s3/s3_client.h"

#include <gtest/gtest.h>

#include <cstring>

#include "shared/s3/content_md5.h"
#include "shared/s3/sha256.h"
#include "tests/unit/shared/s3/fake_http_transport.h"

namespace vdibk::s3 {
namespace {

using std::chrono::milliseconds;

constexpr char kSecret[] = "SECRETKEY123/abc+def";
constexpr char kToken[] = "SESSIONTOKEN456";
const std::string kEtagOfX = "\"9dd4e461268c8034f5c8564e155c67a6\"";  // MD5("x")

std::span<const char> Span(const std::string& s) { return {s.data(), s.size()}; }

std::string Xml(const std::string& root, const std::string& inner) {
  return "<" + root + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + inner + "</" + root +
         ">";
}

std::string ErrorXml(const std::string& code, const std::string& message = "m") {
  return "<Error><Code>" + code + "</Code><Message>" + message +
         "</Message><RequestId>rid</RequestId></Error>";
}

class S3ClientTest : public ::testing::Test {
 protected:
  S3ClientTest() {
    config_.scheme = "http";
    config_.host = "s3.test:9000";
    config_.custom_endpoint = true;
    config_.region = "us-east-1";
    config_.credentials = {"AKIDTEST", kSecret, kToken};
    Rebuild();
  }
  void Rebuild(RetryOptions retry = {}) {
    auto transport = std::make_unique<FakeHttpTransport>();
    fake_ = transport.get();
    client_ =
        std::make_unique<S3Client>(config_, std::move(transport), RetryPolicy(retry, &clock_, 1));
  }
  // No message may hold a secret or the Authorization header.
  void ExpectClean(const std::string& text) {
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
    EXPECT_EQ(text.find("AWS4-HMAC-SHA256"), std::string::npos) << text;
    EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
  }

  S3Config config_;
  FakeRetryClock clock_;
  FakeHttpTransport* fake_ = nullptr;
  std::unique_ptr<S3Client> client_;
};

TEST_F(S3ClientTest, PutObjectRequest) {
  fake_->Respond(200, "", {{"etag", kEtagOfX}});
  Result<std::string> etag =
      client_->PutObject("bkt", "a b/c+d", Span("x"), {.if_none_match = true});
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(*etag, kEtagOfX);
  ASSERT_EQ(fake_->requests.size(), 1u);
  const SentRequest& r = fake_->requests[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://s3.test:9000/bkt/a%20b/c%2Bd");
  EXPECT_EQ(r.body, "x");
  EXPECT_EQ(r.Header("Host"), "s3.test:9000");
  EXPECT_EQ(r.Header("Content-MD5"), ContentMd5("x"));
  EXPECT_EQ(r.Header("If-None-Match"), "*");
  EXPECT_EQ(r.Header("x-amz-content-sha256"), Sha256Hex("x"));
  EXPECT_EQ(r.Header("x-amz-security-token"), kToken);
  EXPECT_TRUE(r.Header("Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
}

TEST_F(S3ClientTest, LargeBodiesAreUnsignedButCarryTheirMd5) {
  const std::string big(100 * 1024, 'b');
  const Md5Digest md5 = Md5Of(big);
  fake_->Respond(200, "", {{"etag", "\"" + HexLower(md5.data(), md5.size()) + "\""}});
  ASSERT_TRUE(client_->PutObject("bkt", "k", Span(big)).ok());
  EXPECT_EQ(fake_->requests[0].Header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(fake_->requests[0].Header("Content-MD5"), ContentMd5(big));
}

TEST_F(S3ClientTest, VirtualHostAddressing) {
  config_.addressing = AddressingStyle::kVirtualHost;
  Rebuild();
  fake_->Respond(200, "data");
  ASSERT_TRUE(client_->GetObject("bkt", "dir/k").ok());
  fake_->Respond(200, Xml("ListBucketResult", "<IsTruncated>false</IsTruncated>"));
  ASSERT_TRUE(client_->ListObjectsV2("bkt", "p/").ok());
  EXPECT_EQ(fake_->requests[0].url, "http://bkt.s3.test:9000/dir/k");
  EXPECT_EQ(fake_->requests[0].Header("Host"), "bkt.s3.test:9000");
  EXPECT_EQ(fake_->requests[1].url,
            "http://bkt.s3.test:9000/?list-type=2&prefix=p%2F&max-keys=1000");
}

TEST_F(S3ClientTest, TransientFailuresAreRetried) {
  fake_->Respond(503, ErrorXml("SlowDown"));
  fake_->Fail(TransportError::kConnection, "Connection reset by peer");
  fake_->Respond(500, ErrorXml("InternalError"));
  fake_->Fail(TransportError::kTimeout);
  fake_->Respond(429);
  fake_->Respond(200, "", {{"etag", kEtagOfX}});
  ::testing::internal::CaptureStderr();
  Result<std::string> etag = client_->PutObject("bkt", "k", Span("x"));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  EXPECT_EQ(fake_->requests.size(), 6u);
  EXPECT_EQ(clock_.sleeps.size(), 5u);
  for (const SentRequest& r : fake_->requests) EXPECT_EQ(r.body, "x");
  EXPECT_NE(log.find("SlowDown"), std::string::npos) << log;
  EXPECT_NE(log.find("retrying (attempt 2)"), std::string::npos) << log;
  ExpectClean(log);
}

TEST_F(S3ClientTest, PermanentFailuresAreNotRetried) {
  struct Case {
    long status;
    std::string code;
    ErrorCode want;
    const char* hint;
  };
  const Case cases[] = {
      {403, "InvalidAccessKeyId", ErrorCode::kConfiguration, "check AWS_ACCESS_KEY_ID"},
      {403, "SignatureDoesNotMatch", ErrorCode::kConfiguration, "AWS_SECRET_ACCESS_KEY"},
      {403, "AccessDenied", ErrorCode::kConfiguration, "grant"},
      {404, "NoSuchBucket", ErrorCode::kConfiguration, "create the bucket"},
      {404, "NoSuchKey", ErrorCode::kMissing, ""},
      {400, "InvalidArgument", ErrorCode::kTargetIo, ""},
  };
  for (const Case& c : cases) {
    Rebuild();
    fake_->Respond(c.status, ErrorXml(c.code));
    Result<std::string> r = client_->GetObject("bkt", "the/key");
    ASSERT_FALSE(r.ok()) << c.code;
    EXPECT_EQ(fake_->requests.size(), 1u) << c.code;
    EXPECT_TRUE(clock_.sleeps.empty()) << c.code;
    EXPECT_EQ(r.status().code(), c.want) << r.status().ToString();
    EXPECT_NE(r.status().message().find("s3://bkt/the/key"), std::string::npos);
    EXPECT_NE(r.status().message().find(c.code), std::string::npos);
    EXPECT_NE(r.status().message().find(c.hint), std::string::npos) << r.status().message();
    EXPECT_EQ(client_->last_error().body.code, c.code);
    clock_.sleeps.clear();
  }
}

TEST_F(S3ClientTest, BudgetRunsOut) {
  Rebuild({.budget = milliseconds(5000),
           .base_delay = milliseconds(1000),
           .max_delay = milliseconds(1000)});
  for (int i = 0; i < 100; ++i) fake_->Fail(TransportError::kConnect, "Connection refused");
  ::testing::internal::CaptureStderr();
  Result<ObjectInfo> r = client_->HeadObject("bkt", "k");
  ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTargetIo);
  EXPECT_NE(r.status().message().find("connection failed (Connection refused)"), std::string::npos);
  EXPECT_NE(r.status().message().find("gave up after"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("5 s retry budget"), std::string::npos);
  milliseconds slept{0};
  for (milliseconds s : clock_.sleeps) slept += s;
  EXPECT_LE(slept, milliseconds(5000));
  EXPECT_GE(fake_->requests.size(), 5u);  // at least 5 tries in 5 s of waits of at most 1 s
  EXPECT_GT(fake_->pending(), 0u);
}

TEST_F(S3ClientTest, SecretsNeverInMessages) {
  // A server (or proxy) that echoes what it got, secrets included, in its error message, and a
  // transport error quoting the token: both reach messages only redacted.
  const std::string echo =
      std::string("canonical request had x-amz-security-token:") + kToken + " and key " + kSecret;
  fake_->Respond(403, ErrorXml("SignatureDoesNotMatch", echo));
  Result<std::string> r = client_->GetObject("bkt", "k");
  ASSERT_FALSE(r.ok());
  ExpectClean(r.status().message());
  EXPECT_NE(r.status().message().find("[redacted]"), std::string::npos);

  Rebuild({.max_attempts = 2});
  fake_->Fail(TransportError::kConnection, std::string("reset after ") + kToken);
  fake_->Fail(TransportError::kConnection, std::string("reset after ") + kSecret);
  ::testing::internal::CaptureStderr();
  Result<std::string> t = client_->GetObject("bkt", "k");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(t.ok());
  ExpectClean(t.status().message());
  ExpectClean(log);
  EXPECT_FALSE(log.empty());

  // Every request carried the secrets' derivatives only: no header holds the secret key.
  for (const SentRequest& sent : fake_->requests)
    for (const HttpHeader& h : sent.headers) EXPECT_EQ(h.value.find(kSecret), std::string::npos);
}

TEST_F(S3ClientTest, StreamedBodyIsRewoundAndSinkRestarted) {
  struct Source final : HttpBodySource {
    uint64_t size() const override { return 5; }
    Result<size_t> Read(char* b, size_t max) override {
      const size_t n = std::min<size_t>(max, 5 - at);
      std::memcpy(b, "hello" + at, n);
      at += n;
      return n;
    }
    Status Rewind() override {
      ++rewinds;
      at = 0;
      return Status::Ok();
    }
    size_t at = 0;
    int rewinds = 0;
  } source;
  fake_->Fail(TransportError::kConnection);
  fake_->Respond(200, "", {{"etag", "\"e\""}});
  ASSERT_TRUE(client_->PutObject("bkt", "k", source).ok());
  EXPECT_EQ(source.rewinds, 1);
  ASSERT_EQ(fake_->requests.size(), 2u);
  EXPECT_EQ(fake_->requests[1].body, "hello");
  EXPECT_EQ(fake_->requests[1].Header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");

  struct Sink final : HttpBodySink {
    Status Write(std::string_view d) override {
      out.append(d);
      return Status::Ok();
    }
    Status Restart() override {
      ++restarts;
      out.clear();
      return Status::Ok();
    }
    std::string out;
    int restarts = 0;
  } sink;
  fake_->Fail(TransportError::kTimeout);
  fake_->Respond(206, "abc", {{"content-length", "3"}, {"content-range", "bytes 10-12/100"}});
  Result<ObjectInfo> info = client_->GetObject("bkt", "k", sink, ByteRange{10, 12});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(sink.restarts, 1);
  EXPECT_EQ(sink.out, "abc");
  EXPECT_EQ(info->size, 100u);
  EXPECT_EQ(info->content_length, 3u);
  EXPECT_EQ(fake_->requests.back().Header("Range"), "bytes=10-12");
}

TEST_F(S3ClientTest, SourceThatCannotRewindIsNotRetried) {
  struct Once final : HttpBodySource {
    uint64_t size() const override { return 0; }
    Result<size_t> Read(char*, size_t) override { return size_t{0}; }
    Status Rewind() override { return Status::TargetIo("pipe cannot rewind"); }
  } source;
  fake_->Fail(TransportError::kConnection);
  fake_->Respond(200);
  Result<std::string> r = client_->PutObject("bkt", "k", source);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("pipe cannot rewind"), std::string::npos);
  EXPECT_EQ(fake_->requests.size(), 1u);
}

TEST_F(S3ClientTest, GetRangeAndHead) {
  fake_->Respond(206, "0123456789");
  Result<std::string> r = client_->GetObject("bkt", "k", ByteRange{10, 19});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "0123456789");
  EXPECT_EQ(fake_->requests[0].Header("Range"), "bytes=10-19");
  fake_->Respond(200, "everything");  // a server that ignores Range
  EXPECT_EQ(client_->GetObject("bkt", "k", ByteRange{5, {}}).status().code(), ErrorCode::kTargetIo);
  EXPECT_EQ(fake_->requests[1].Header("Range"), "bytes=5-");

  fake_->Respond(200, "", {{"content-length", "42"}, {"etag", "\"e\""}, {"last-modified", "d"}});
  Result<ObjectInfo> head = client_->HeadObject("bkt", "k");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 42u);
  EXPECT_EQ(head->etag, "\"e\"");
  EXPECT_EQ(fake_->requests[2].method, "HEAD");
  fake_->Respond(404);
  EXPECT_EQ(client_->HeadObject("bkt", "k").status().code(), ErrorCode::kMissing);
}

TEST_F(S3ClientTest, EtagNotMatchingTheDataIsIntegrity) {
  fake_->Respond(200, "", {{"etag", "\"00000000000000000000000000000000\""}});
  Result<std::string> r = client_->UploadPart("bkt", "k", "up", 1, Span("x"));
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity) << r.status().ToString();
  EXPECT_EQ(fake_->requests[0].url, "http://s3.test:9000/bkt/k?partNumber=1&uploadId=up");
  EXPECT_EQ(fake_->requests[0].Header("Content-MD5"), ContentMd5("x"));
  fake_->Respond(200, "", {{"etag", "\"not-an-md5\""}});  // e.g. SSE-KMS: not checkable
  EXPECT_TRUE(client_->UploadPart("bkt", "k", "up", 2, Span("x")).ok());
  EXPECT_EQ(client_->UploadPart("bkt", "k", "up", 0, Span("x")).status().code(), ErrorCode::kUsage);
}

class S3ClientCompleteTest : public S3ClientTest {
 protected:
  const std::vector<CompletedPart> parts_ = {{1, kEtagOfX}, {2, kEtagOfX}, {3, kEtagOfX}};
  const std::string expected_ = *MultipartEtag({kEtagOfX, kEtagOfX, kEtagOfX});
  std::string Done(const std::string& etag) {
    return Xml("CompleteMultipartUploadResult",
               "<Bucket>bkt</Bucket><Key>k</Key><ETag>\"" + etag + "\"</ETag>");
  }
};

TEST_F(S3ClientCompleteTest, ChecksTheMultipartEtag) {
  EXPECT_TRUE(expected_.ends_with("-3"));
  fake_->Respond(200, Done(expected_));
  Result<CompleteMultipartUploadResult> r =
      client_->CompleteMultipartUpload("bkt", "k", "up", parts_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SentRequest& sent = fake_->requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://s3.test:9000/bkt/k?uploadId=up");
  EXPECT_NE(sent.body.find("<Part><PartNumber>3</PartNumber><ETag>&quot;9dd4"), std::string::npos);
  EXPECT_EQ(sent.Header("Content-MD5"), ContentMd5(sent.body));

  fake_->Respond(200, Done("0123456789abcdef0123456789abcdef-3"));  // other parts' MD5s
  r = client_->CompleteMultipartUpload("bkt", "k", "up", parts_);
  EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity) << r.status().ToString();
  fake_->Respond(200, Done(expected_.substr(0, 32) + "-2"));  // a part left out
  EXPECT_EQ(client_->CompleteMultipartUpload("bkt", "k", "up", parts_).status().code(),
            ErrorCode::kIntegrity);
}

TEST_F(S3ClientCompleteTest, ErrorInA200IsRetried) {
  fake_->Respond(200, ErrorXml("InternalError"));
  fake_->Respond(200, Done(expected_));
  ::testing::internal::CaptureStderr();
  Result<CompleteMultipartUploadResult> r =
      client_->CompleteMultipartUpload("bkt", "k", "up", parts_);
  ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fake_->requests.size(), 2u);
}

TEST_F(S3ClientCompleteTest, RetryFindingTheUploadDoneChecksTheObject) {
  fake_->Fail(TransportError::kConnection);  // the answer to a Complete that worked was lost
  fake_->Respond(404, ErrorXml("NoSuchUpload"));
  fake_->Respond(200, "", {{"etag", "\"" + expected_ + "\""}});  // HEAD
  ::testing::internal::CaptureStderr();
  Result<CompleteMultipartUploadResult> r =
      client_->CompleteMultipartUpload("bkt", "k", "up", parts_);
  ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fake_->requests[2].method, "HEAD");

  // The object there is another: the NoSuchUpload stands.
  fake_->Fail(TransportError::kConnection);
  fake_->Respond(404, ErrorXml("NoSuchUpload"));
  fake_->Respond(200, "", {{"etag", "\"0123456789abcdef0123456789abcdef-3\""}});
  ::testing::internal::CaptureStderr();
  r = client_->CompleteMultipartUpload("bkt", "k", "up", parts_);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status().code(), ErrorCode::kMissing) << r.status().ToString();
  EXPECT_EQ(client_->last_error().body.code, "NoSuchUpload");

  // On a first attempt NoSuchUpload is just that.
  fake_->Respond(404, ErrorXml("NoSuchUpload"));
  EXPECT_EQ(client_->CompleteMultipartUpload("bkt", "k", "up", parts_).status().code(),
            ErrorCode::kMissing);
  EXPECT_EQ(fake_->pending(), 0u);
}

TEST_F(S3ClientTest, ListObjectsV2FollowsContinuationTokens) {
  fake_->Respond(200,
                 Xml("ListBucketResult",
                     "<IsTruncated>true</IsTruncated><NextContinuationToken>t+1/=</"
                     "NextContinuationToken><Contents><Key>p/a</Key><Size>1</Size></Contents>"));
  fake_->Respond(200, Xml("ListBucketResult",
                          "<IsTruncated>false</IsTruncated><Contents><Key>p/b</Key><Size>2</Size>"
                          "</Contents>"));
  Result<std::vector<ObjectSummary>> all = client_->ListObjectsV2("bkt", "p/", 1);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].key, "p/b");
  EXPECT_EQ(fake_->requests[0].url, "http://s3.test:9000/bkt?list-type=2&prefix=p%2F&max-keys=1");
  EXPECT_EQ(
      fake_->requests[1].url,
      "http://s3.test:9000/bkt?list-type=2&prefix=p%2F&continuation-token=t%2B1%2F%3D&max-keys=1");

  const std::string loop = Xml("ListBucketResult",
                               "<IsTruncated>true</IsTruncated><NextContinuationToken>same"
                               "</NextContinuationToken>");
  fake_->Respond(200, loop);
  fake_->Respond(200, loop);
  EXPECT_EQ(client_->ListObjectsV2("bkt", "").status().code(), ErrorCode::kIntegrity);

  fake_->Respond(200, "<ListBucketResult><Contents>");  // malformed
  Result<std::vector<ObjectSummary>> bad = client_->ListObjectsV2("bkt", "");
  EXPECT_EQ(bad.status().code(), ErrorCode::kIntegrity);
  EXPECT_NE(bad.status().message().find("ListObjectsV2 s3://bkt"), std::string::npos);
}

TEST_F(S3ClientTest, DeleteObjectsInBatches) {
  std::vector<std::string> keys;
  for (int i = 0; i < 2500; ++i) keys.push_back("k" + std::to_string(i));
  fake_->Respond(200, Xml("DeleteResult", ""));
  fake_->Respond(200, Xml("DeleteResult",
                          "<Error><Key>k1500</Key><Code>AccessDenied</Code>"
                          "<Message>no</Message></Error>"));
  fake_->Respond(200, Xml("DeleteResult", ""));
  Result<std::vector<DeleteObjectError>> r = client_->DeleteObjects("bkt", keys);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].key, "k1500");
  EXPECT_EQ((*r)[0].code, "AccessDenied");
  ASSERT_EQ(fake_->requests.size(), 3u);
  EXPECT_EQ(fake_->requests[0].url, "http://s3.test:9000/bkt?delete");
  EXPECT_EQ(fake_->requests[0].Header("Content-MD5"), ContentMd5(fake_->requests[0].body));
  EXPECT_NE(fake_->requests[0].body.find("<Key>k999</Key>"), std::string::npos);
  EXPECT_EQ(fake_->requests[0].body.find("<Key>k1000</Key>"), std::string::npos);
  EXPECT_NE(fake_->requests[2].body.find("<Key>k2499</Key>"), std::string::npos);
}

TEST_F(S3ClientTest, MultipartUploadListingAndAbort) {
  fake_->Respond(200, Xml("InitiateMultipartUploadResult", "<UploadId>u-1</UploadId>"));
  Result<std::string> id = client_->CreateMultipartUpload("bkt", "k");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "u-1");
  EXPECT_EQ(fake_->requests[0].url, "http://s3.test:9000/bkt/k?uploads");
  EXPECT_EQ(fake_->requests[0].method, "POST");

  fake_->Respond(200, Xml("ListMultipartUploadsResult",
                          "<IsTruncated>true</IsTruncated><NextKeyMarker>a</NextKeyMarker>"
                          "<NextUploadIdMarker>u-a</NextUploadIdMarker>"
                          "<Upload><Key>a</Key><UploadId>u-a</UploadId></Upload>"));
  fake_->Respond(200, Xml("ListMultipartUploadsResult",
                          "<IsTruncated>false</IsTruncated>"
                          "<Upload><Key>b</Key><UploadId>u-b</UploadId></Upload>"));
  Result<std::vector<MultipartUploadInfo>> uploads = client_->ListMultipartUploads("bkt", "");
  ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();
  ASSERT_EQ(uploads->size(), 2u);
  EXPECT_EQ((*uploads)[1].upload_id, "u-b");
  EXPECT_EQ(fake_->requests[2].url,
            "http://s3.test:9000/bkt?uploads&key-marker=a&upload-id-marker=u-a");

  fake_->Respond(204);
  EXPECT_TRUE(client_->AbortMultipartUpload("bkt", "k", "u-1").ok());
  EXPECT_EQ(fake_->requests[3].method, "DELETE");
  EXPECT_EQ(fake_->requests[3].url, "http://s3.test:9000/bkt/k?uploadId=u-1");
}

}  // namespace
}  // namespace vdibk::s3
