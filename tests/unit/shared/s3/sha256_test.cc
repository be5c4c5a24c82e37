// SHA-256 and HMAC-SHA-256 against FIPS 180-2 and RFC 4231 vectors; streaming equals one-shot.
#include "shared/s3/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace vdibk::s3 {
namespace {

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST(Sha256Test, StreamingEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 7));
  Sha256 h;
  for (size_t at = 0; at < data.size(); at += 4093)
    h.Update(data.data() + at, std::min<size_t>(4093, data.size() - at));
  EXPECT_EQ(HexLower(h.Finish()), Sha256Hex(data));
  // A finished hash starts over.
  h.Update("abc", 3);
  EXPECT_EQ(HexLower(h.Finish()), Sha256Hex("abc"));
  EXPECT_EQ(HexLower(h.Finish()), Sha256Hex(""));
}

TEST(HmacSha256Test, Rfc4231) {
  // Test case 2.
  EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block.
  EXPECT_EQ(HexLower(HmacSha256(std::string(131, '\xaa'),
                                "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace vdibk::s3
