// S3's URI encoding: unreserved characters, UTF-8, '/' in paths and queries, the canonical query's
// order and the valueless parameters of multipart uploads.
#include "shared/s3/uri_encode.h"

#include <gtest/gtest.h>

namespace vdibk::s3 {
namespace {

TEST(UriEncodeTest, UnreservedStayEverythingElseIsEncodedOnce) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(UriEncode(unreserved, false), unreserved);
  EXPECT_EQ(UriEncode("a b+c=d&e%f", false), "a%20b%2Bc%3Dd%26e%25f");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", false), "%E1%88%B4");  // U+1234, upper-case hex
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("a/b", true), "a/b");
  EXPECT_EQ(UriEncode(std::string("\0\xff", 2), false), "%00%FF");
}

TEST(UriEncodeTest, PathsAreEncodedOnceAndNeverNormalized) {
  EXPECT_EQ(EncodePath(""), "/");
  EXPECT_EQ(EncodePath("/"), "/");
  EXPECT_EQ(EncodePath("/example space/"), "/example%20space/");
  EXPECT_EQ(EncodePath("/test$file.text"), "/test%24file.text");
  // An already-encoded looking key is a key with a '%' in it: encoded again, once.
  EXPECT_EQ(EncodePath("/b/a%20b"), "/b/a%2520b");
  // S3 keys keep "//", "." and "..".
  EXPECT_EQ(EncodePath("/b//./../k"), "/b//./../k");
  EXPECT_EQ(EncodePath("b/k"), "/b/k");
}

TEST(UriEncodeTest, CanonicalQuerySortsByEncodedNameThenValue) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"Param2", "value2"}, {"Param1", "value1"}}),
            "Param1=value1&Param2=value2");
  EXPECT_EQ(CanonicalQuery({{"Param1", "value2"}, {"Param1", "Value1"}}),
            "Param1=Value1&Param1=value2");
  EXPECT_EQ(CanonicalQuery({{"prefix", "J"}, {"max-keys", "2"}}), "max-keys=2&prefix=J");
  EXPECT_EQ(CanonicalQuery({{"prefix", "dir one/"}, {"list-type", "2"}}),
            "list-type=2&prefix=dir%20one%2F");
  // Upper case sorts before lower case (byte order), "b" before "b%".
  EXPECT_EQ(CanonicalQuery({{"b", "x"}, {"B", "y"}, {"b&", "z"}}), "B=y&b=x&b%26=z");
}

TEST(UriEncodeTest, ParametersWithoutValues) {
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"uploadId", "2~abc/d+e"}, {"partNumber", "1"}}),
            "partNumber=1&uploadId=2~abc%2Fd%2Be");
  EXPECT_EQ(RequestTarget("/b/k", {{"uploads", ""}}), "/b/k?uploads");
  EXPECT_EQ(RequestTarget("/b/a b", {{"partNumber", "1"}, {"uploadId", "x/y"}}),
            "/b/a%20b?partNumber=1&uploadId=x%2Fy");
  EXPECT_EQ(RequestTarget("/b", {}), "/b");
}

}  // namespace
}  // namespace vdibk::s3
