// SigV4Signer against AWS's published vectors: the SigV4 test suite (service "service",
// AKIDEXAMPLE, 20150830T123600Z; every case without path normalization, which S3 does not do, and
// without get-header-value-multiline, a folded header no HTTP client sends) and the four examples
// of the S3 documentation's "Signature Calculations for the Authorization Header"; plus the
// signer's refusals and that no message holds the secret.
#include "shared/s3/sigv4_signer.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "shared/s3/sha256.h"

namespace vdibk::s3 {
namespace {

using std::chrono::system_clock;

// "20150830T123600Z" -> time point.
system_clock::time_point At(const char* amz_date) {
  std::tm tm{};
  EXPECT_NE(strptime(amz_date, "%Y%m%dT%H%M%SZ", &tm), nullptr);
  return system_clock::from_time_t(timegm(&tm));
}

constexpr char kSuiteSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kSuiteToken[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfI"
    "eoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0"
    "wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

SigV4Signer SuiteSigner(std::string token = "") {
  return SigV4Signer({"AKIDEXAMPLE", kSuiteSecret, std::move(token)}, "us-east-1", "service",
                     SigV4Signer::Options{.add_content_sha256_header = false});
}

struct SuiteCase {
  const char* name;
  const char* method;
  std::string path;
  std::vector<QueryParam> query;
  std::vector<HttpHeader> headers;  // besides Host
  const char* body;
  const char* signed_headers;
  const char* signature;
};

const std::string kUnreserved =
    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// clang-format off
std::vector<SuiteCase> SuiteCases() {
  return {
      {"get-vanilla", "GET", "/", {}, {}, "", "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case", "GET", "/",
       {{"Param2", "value2"}, {"Param1", "value1"}}, {}, "", "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-key", "GET", "/",
       {{"Param1", "value2"}, {"Param1", "value1"}}, {}, "", "host;x-amz-date",
       "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
      {"get-vanilla-empty-query-key", "GET", "/", {{"Param1", "value1"}}, {}, "",
       "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-unreserved", "GET", "/", {{kUnreserved, kUnreserved}}, {}, "",
       "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", "GET", "/", {{"\xe1\x88\xb4", "bar"}}, {}, "",
       "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-utf8", "GET", "/\xe1\x88\xb4", {}, {}, "", "host;x-amz-date",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-space", "GET", "/example space/", {}, {}, "", "host;x-amz-date",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-unreserved", "GET", "/" + kUnreserved, {}, {}, "", "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-header-key-duplicate", "GET", "/", {},
       {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}, "",
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order", "GET", "/", {},
       {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"},
        {"My-Header1", "value2"}},
       "", "host;my-header1;x-amz-date",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim", "GET", "/", {},
       {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}, "",
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-vanilla", "POST", "/", {}, {}, "", "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", "POST", "/", {{"Param1", "value1"}}, {}, "", "host;x-amz-date",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-sort", "POST", "/", {}, {{"My-Header1", "value1"}}, "",
       "host;my-header1;x-amz-date",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case", "POST", "/", {}, {{"My-Header1", "VALUE1"}}, "",
       "host;my-header1;x-amz-date",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded", "POST", "/", {},
       {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1",
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-x-www-form-urlencoded-parameters", "POST", "/", {},
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}}, "Param1=value1",
       "content-type;host;x-amz-date",
       "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
  };
}
// clang-format on

TEST(SigV4SignerTest, AwsTestSuite) {
  const SigV4Signer signer = SuiteSigner();
  for (const SuiteCase& c : SuiteCases()) {
    SCOPED_TRACE(c.name);
    SigV4Request request{
        c.method, c.path, c.query, {{"Host", "example.amazonaws.com"}}, Sha256Hex(c.body)};
    for (const HttpHeader& h : c.headers) request.headers.push_back(h);
    Result<SigV4Signature> got = signer.Sign(request, At("20150830T123600Z"));
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->signed_headers, c.signed_headers);
    EXPECT_EQ(got->signature, c.signature) << got->canonical_request;
    EXPECT_EQ(got->authorization,
              std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                          "aws4_request, SignedHeaders=") +
                  c.signed_headers + ", Signature=" + c.signature);
  }
}

TEST(SigV4SignerTest, AwsTestSuiteCanonicalForms) {
  const SigV4Signer signer = SuiteSigner();
  Result<SigV4Signature> trim = signer.Sign({"GET",
                                             "/",
                                             {},
                                             {{"Host", "example.amazonaws.com"},
                                              {"My-Header1", " value1"},
                                              {"My-Header2", " \"a   b   c\""}},
                                             Sha256Hex("")},
                                            At("20150830T123600Z"));
  ASSERT_TRUE(trim.ok());
  EXPECT_EQ(trim->canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Result<SigV4Signature> query = signer.Sign({"GET",
                                              "/",
                                              {{"Param2", "value2"}, {"Param1", "value1"}},
                                              {{"Host", "example.amazonaws.com"}},
                                              Sha256Hex("")},
                                             At("20150830T123600Z"));
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
}

TEST(SigV4SignerTest, AwsTestSuiteSessionToken) {  // post-sts-header-before
  Result<SigV4Signature> got =
      SuiteSigner(kSuiteToken)
          .Sign({"POST", "/", {}, {{"Host", "example.amazonaws.com"}}, Sha256Hex("")},
                At("20150830T123600Z"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(got->signature, "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
  ASSERT_EQ(got->headers.size(), 3u);
  EXPECT_EQ(got->headers[1].name, "x-amz-security-token");
  EXPECT_EQ(got->headers[1].value, kSuiteToken);
}

// The S3 documentation's examples: examplebucket, AKIAIOSFODNN7EXAMPLE, 20130524T000000Z.
class S3ExamplesTest : public ::testing::Test {
 protected:
  const SigV4Signer signer_{
      {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, "us-east-1"};
  const system_clock::time_point when_ = At("20130524T000000Z");
  const std::string empty_ = Sha256Hex("");

  SigV4Signature Sign(SigV4Request r) {
    r.headers.insert(r.headers.begin(), {"Host", "examplebucket.s3.amazonaws.com"});
    Result<SigV4Signature> got = signer_.Sign(r, when_);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? std::move(got).value() : SigV4Signature{};
  }
};

TEST_F(S3ExamplesTest, GetObjectWithRange) {
  SigV4Signature s = Sign({"GET", "/test.txt", {}, {{"Range", "bytes=0-9"}}, empty_});
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                empty_ +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                empty_);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  // The headers to send: the date, the payload hash, then Authorization.
  ASSERT_EQ(s.headers.size(), 3u);
  EXPECT_EQ(s.headers[0].name, "x-amz-date");
  EXPECT_EQ(s.headers[0].value, "20130524T000000Z");
  EXPECT_EQ(s.headers[1].name, "x-amz-content-sha256");
  EXPECT_EQ(s.headers[1].value, empty_);
  EXPECT_EQ(s.headers[2].name, "Authorization");
  EXPECT_EQ(s.headers[2].value, s.authorization);
}

TEST_F(S3ExamplesTest, PutObject) {
  const std::string payload = Sha256Hex("Welcome to Amazon S3.");
  SigV4Signature s = Sign(
      {"PUT",
       "/test$file.text",
       {},
       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
       payload});
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_NE(s.canonical_request.find("\n/test%24file.text\n"), std::string::npos);
}

TEST_F(S3ExamplesTest, GetBucketLifecycle) {  // a query parameter without a value
  SigV4Signature s = Sign({"GET", "/", {{"lifecycle", ""}}, {}, empty_});
  EXPECT_EQ(s.signed_headers, "host;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST_F(S3ExamplesTest, ListObjects) {
  SigV4Signature s = Sign({"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {}, empty_});
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_F(S3ExamplesTest, UnsignedPayloadIsSignedAsTheLiteral) {
  SigV4Signature s = Sign(
      {"PUT", "/k", {{"partNumber", "1"}, {"uploadId", "a/b"}}, {}, std::string(kUnsignedPayload)});
  EXPECT_EQ(s.headers[1].value, "UNSIGNED-PAYLOAD");
  EXPECT_NE(s.canonical_request.find("\npartNumber=1&uploadId=a%2Fb\n"), std::string::npos);
  const std::string tail = "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n";
  EXPECT_NE(s.canonical_request.find(tail), std::string::npos);
  EXPECT_TRUE(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(SigV4SignerTest, OtherSecretOtherSignature) {
  const SigV4Request r{"GET", "/b/k", {}, {{"Host", "h"}}, Sha256Hex("")};
  const auto now = At("20260101T000000Z");
  Result<SigV4Signature> a = SigV4Signer({"AK", "secret-one", ""}, "us-east-1").Sign(r, now);
  Result<SigV4Signature> b = SigV4Signer({"AK", "secret-two", ""}, "us-east-1").Sign(r, now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->canonical_request, b->canonical_request);
  EXPECT_NE(a->signature, b->signature);
}

TEST(SigV4SignerTest, RefusalsNeverNameTheSecret) {
  const std::string secret = "s3cr3t-SHOULD-NOT-APPEAR";
  const SigV4Signer signer({"AKID", secret, "token-SHOULD-NOT-APPEAR"}, "us-east-1");
  const auto now = At("20260101T000000Z");
  const std::string empty = Sha256Hex("");
  const std::vector<SigV4Request> bad = {
      {"GET", "/", {}, {}, empty},                                    // no Host
      {"GET", "/", {}, {{"Host", "h"}, {"", "x"}}, empty},            // empty header name
      {"GET", "/", {}, {{"Host", "h"}, {"Bad Name", "x"}}, empty},    // not a token
      {"GET", "/", {}, {{"Host", "h"}, {"X-Amz-Date", "x"}}, empty},  // the signer's own
      {"GET", "/", {}, {{"Host", "h"}, {"authorization", "x"}}, empty},
      {"GET", "/", {}, {{"Host", "h"}, {"X-Folded", "a\n b"}}, empty},  // no CR/LF in values
      {"GET", "/", {}, {{"Host", "h"}}, "E3B0"},                        // not a payload hash
      {"GET", "/", {}, {{"Host", "h"}}, ""},
      {"G T", "/", {}, {{"Host", "h"}}, empty},  // not a method
  };
  for (const SigV4Request& r : bad) {
    Result<SigV4Signature> got = signer.Sign(r, now);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), ErrorCode::kUsage);
    EXPECT_EQ(got.status().message().find("SHOULD-NOT-APPEAR"), std::string::npos)
        << got.status().message();
  }
  // Nor does a good signature's output hold the secret.
  Result<SigV4Signature> good = signer.Sign({"GET", "/", {}, {{"Host", "h"}}, empty}, now);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->authorization.find(secret), std::string::npos);
  EXPECT_EQ(good->canonical_request.find(secret), std::string::npos);
  EXPECT_EQ(good->string_to_sign.find(secret), std::string::npos);
}

TEST(SigV4SignerTest, AmzDateIsUtc) {
  EXPECT_EQ(AmzDate(At("20150830T123600Z")), "20150830T123600Z");
  EXPECT_EQ(AmzDate(system_clock::from_time_t(0)), "19700101T000000Z");
}

}  // namespace
}  // namespace vdibk::s3
