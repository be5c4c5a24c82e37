// S3Location: s3://BUCKET[/PREFIX] parsing, prefix normalization, and the refusals' wording.
#include "shared/s3/s3_location.h"

#include <gtest/gtest.h>

namespace vdibk::s3 {
namespace {

TEST(S3LocationTest, Parses) {
  Result<S3Location> l = S3Location::Parse("s3://my-bucket.1/backups/sql1");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->bucket, "my-bucket.1");
  EXPECT_EQ(l->prefix, "backups/sql1/");
  EXPECT_EQ(l->ToString(), "s3://my-bucket.1/backups/sql1/");
  EXPECT_EQ(l->Key("set/manifest"), "backups/sql1/set/manifest");

  for (const char* bare : {"s3://abc", "s3://abc/"}) {
    Result<S3Location> b = S3Location::Parse(bare);
    ASSERT_TRUE(b.ok()) << bare;
    EXPECT_EQ(b->bucket, "abc");
    EXPECT_EQ(b->prefix, "");
    EXPECT_EQ(b->ToString(), "s3://abc");
  }
  EXPECT_EQ(S3Location::Parse("s3://abc/x/")->prefix, "x/");
  EXPECT_EQ(S3Location::Parse("s3://abc/a b/\xd0\xba")->prefix, "a b/\xd0\xba/");
}

TEST(S3LocationTest, Refusals) {
  struct Case {
    const char* url;
    const char* says;
  };
  const Case cases[] = {
      {"", "must start with s3://"},
      {"https://bucket/x", "must start with s3://"},
      {"S3://bucket", "must start with s3://"},
      {"s3://", "no bucket"},
      {"s3:///prefix", "no bucket"},
      {"s3://ab", "not a valid bucket name"},
      {"s3://Upper", "not a valid bucket name"},
      {"s3://under_score", "not a valid bucket name"},
      {"s3://-dash", "not a valid bucket name"},
      {"s3://dash-", "not a valid bucket name"},
      {"s3://a..b", "not a valid bucket name"},
      {"s3://192.168.1.1", "not a valid bucket name"},
      {"s3://bucket//x", "empty path segment"},
      {"s3://bucket/x//y", "empty path segment"},
      {"s3://bucket/x\ny", "control character"},
  };
  for (const Case& c : cases) {
    Result<S3Location> l = S3Location::Parse(c.url);
    ASSERT_FALSE(l.ok()) << c.url;
    EXPECT_EQ(l.status().code(), ErrorCode::kUsage) << c.url;
    EXPECT_NE(l.status().message().find(c.says), std::string::npos) << l.status().message();
  }
  EXPECT_FALSE(S3Location::Parse("s3://" + std::string(64, 'a')).ok());
  EXPECT_TRUE(S3Location::Parse("s3://" + std::string(63, 'a')).ok());
  EXPECT_FALSE(S3Location::Parse("s3://bucket/" + std::string(901, 'p')).ok());
}

}  // namespace
}  // namespace vdibk::s3
