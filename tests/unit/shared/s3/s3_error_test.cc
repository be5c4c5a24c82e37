// S3Error: transient vs permanent classification of transport failures, HTTP statuses and S3
// codes; the Status codes and fix hints of ToStatus; Redact.
#include "shared/s3/s3_error.h"

#include <gtest/gtest.h>

namespace vdibk::s3 {
namespace {

S3Error Http(long status, std::string code = "") {
  S3Error e;
  e.http_status = status;
  e.body.code = std::move(code);
  return e;
}

S3Error Transport(TransportError t) {
  S3Error e;
  e.transport = t;
  e.transport_detail = "curl says so";
  return e;
}

TEST(S3ErrorTest, TransientFailures) {
  for (TransportError t :
       {TransportError::kConnect, TransportError::kTimeout, TransportError::kConnection})
    EXPECT_TRUE(IsTransient(Transport(t))) << TransportErrorName(t);
  for (long s : {500L, 502L, 503L, 504L, 429L}) EXPECT_TRUE(IsTransient(Http(s))) << s;
  EXPECT_TRUE(IsTransient(Http(503, "SlowDown")));
  EXPECT_TRUE(IsTransient(Http(400, "RequestTimeout")));
  EXPECT_TRUE(IsTransient(Http(500, "InternalError")));
  EXPECT_TRUE(IsTransient(Http(200, "InternalError")));  // CompleteMultipartUpload's 200 <Error>
}

TEST(S3ErrorTest, PermanentFailures) {
  for (TransportError t : {TransportError::kResolve, TransportError::kTls,
                           TransportError::kBodySource, TransportError::kOther})
    EXPECT_FALSE(IsTransient(Transport(t))) << TransportErrorName(t);
  for (const char* code :
       {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "NoSuchBucket", "NoSuchKey",
        "NoSuchUpload", "InvalidPart", "BadDigest", "RequestTimeTooSkewed"})
    EXPECT_FALSE(IsTransient(Http(code == std::string("NoSuchBucket") ? 404 : 403, code))) << code;
  EXPECT_FALSE(IsTransient(Http(403)));
  EXPECT_FALSE(IsTransient(Http(404)));
  EXPECT_FALSE(IsTransient(Http(400, "InvalidArgument")));
  EXPECT_FALSE(IsTransient(Http(412, "PreconditionFailed")));
}

TEST(S3ErrorTest, StatusCodesAndHints) {
  struct Case {
    S3Error error;
    ErrorCode code;
    const char* hint;
  };
  const Case cases[] = {
      {Http(403, "InvalidAccessKeyId"), ErrorCode::kConfiguration, "AWS_ACCESS_KEY_ID"},
      {Http(403, "SignatureDoesNotMatch"), ErrorCode::kConfiguration, "AWS_SECRET_ACCESS_KEY"},
      {Http(403, "AccessDenied"), ErrorCode::kConfiguration, "grant"},
      {Http(403), ErrorCode::kConfiguration, "grant"},
      {Http(404, "NoSuchBucket"), ErrorCode::kConfiguration, "create the bucket"},
      {Http(403, "RequestTimeTooSkewed"), ErrorCode::kConfiguration, "clock"},
      {Http(400, "AuthorizationHeaderMalformed"), ErrorCode::kConfiguration, "AWS_REGION"},
      {Http(301), ErrorCode::kConfiguration, "region"},
      {Http(404, "NoSuchKey"), ErrorCode::kMissing, ""},
      {Http(404), ErrorCode::kMissing, ""},
      {Http(404, "NoSuchUpload"), ErrorCode::kMissing, ""},
      {Http(400, "BadDigest"), ErrorCode::kIntegrity, "checksum"},
      {Http(400, "InvalidPart"), ErrorCode::kIntegrity, "part list"},
      {Http(503, "SlowDown"), ErrorCode::kTargetIo, ""},
      {Http(500), ErrorCode::kTargetIo, ""},
      {Transport(TransportError::kConnect), ErrorCode::kTargetIo, "AWS_ENDPOINT_URL"},
      {Transport(TransportError::kResolve), ErrorCode::kConfiguration, "--s3-endpoint"},
      {Transport(TransportError::kTls), ErrorCode::kConfiguration, "--s3-ca-file"},
  };
  for (const Case& c : cases) {
    const Status s = ToStatus(c.error, "PutObject", "bkt", "some/key");
    EXPECT_EQ(s.code(), c.code) << s.message();
    EXPECT_NE(s.message().find("S3 PutObject s3://bkt/some/key: "), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find(c.hint), std::string::npos) << s.message();
  }
}

TEST(S3ErrorTest, MessageHoldsTheServersWords) {
  S3Error e = Http(404, "NoSuchBucket");
  e.body.message = "The specified bucket does not exist";
  e.body.request_id = "tx-7";
  const Status s = ToStatus(e, "ListObjectsV2", "bkt", "");
  EXPECT_EQ(s.message(),
            "S3 ListObjectsV2 s3://bkt: HTTP 404 NoSuchBucket: The specified bucket does not "
            "exist (request id tx-7); create the bucket or fix its name in the s3:// URL");
  const Status t = ToStatus(Transport(TransportError::kTimeout), "GetObject", "b", "k");
  EXPECT_EQ(t.message(),
            "S3 GetObject s3://b/k: timed out (curl says so); check the network path to the S3 "
            "endpoint");
}

TEST(S3ErrorTest, FromResponse) {
  HttpResponse r;
  r.status = 403;
  r.body = "<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
  r.headers = {{"x-amz-request-id", "rid"}};
  S3Error e = S3Error::FromResponse(r);
  EXPECT_EQ(e.body.code, "AccessDenied");
  EXPECT_EQ(e.body.request_id, "rid");
  r.body = "<html>proxy error</html>";  // not S3's: the status alone decides
  r.status = 502;
  e = S3Error::FromResponse(r);
  EXPECT_TRUE(e.body.code.empty());
  EXPECT_TRUE(IsTransient(e));
}

TEST(S3ErrorTest, Redact) {
  EXPECT_EQ(Redact("a SECRET b SECRET", "SECRET"), "a [redacted] b [redacted]");
  EXPECT_EQ(Redact("tok and key", "key", "tok"), "[redacted] and [redacted]");
  EXPECT_EQ(Redact("nothing", ""), "nothing");
}

}  // namespace
}  // namespace vdibk::s3
