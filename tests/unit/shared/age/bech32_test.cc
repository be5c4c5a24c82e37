// Tests of Bech32 (BIP 173 vectors) and of age key strings built on it.
#include "shared/age/bech32.h"

#include <gtest/gtest.h>

#include "shared/age/age_keys.h"
#include "tests/harness/status_matchers.h"

namespace vdibk::age {
namespace {

TEST(AgeBech32Test, ValidVectorsDecodeAndReencode) {
  for (const std::string& v : std::vector<std::string>{
           "A12UEL5L", "a12uel5l",
           "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedchar"
           "actersbio1tt5tgs",
           "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
           "11" + std::string(82, 'q') + "c8247j"}) {
    auto d = Bech32Decode(v);
    ASSERT_OK(d);
    const std::string& s = v;
    const bool upper = s[0] >= 'A' && s[0] <= 'Z';
    auto e = Bech32Encode(d->hrp, d->data, upper);
    ASSERT_OK(e);
    EXPECT_EQ(*e, s);
  }
}

TEST(AgeBech32Test, InvalidVectorsAreRefused) {
  struct Case {
    std::string text, message;
  };
  for (const Case& c : std::vector<Case>{{"pzry9x0s0muk", "no separator"},
                                         {"1pzry9x0s0muk", "empty human-readable part"},
                                         {"x1b4n0q5v", "invalid data character"},
                                         {"li1dgmt3", "checksum too short"},
                                         {"A1G7SGD8", "checksum mismatch"},
                                         {"10a06t8", "empty human-readable part"},
                                         {"a12UEL5L", "mixed case"},
                                         {"a12uel5m", "checksum mismatch"},
                                         {std::string("a1\x7f") + "uel5l", "invalid character"}}) {
    auto d = Bech32Decode(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), ErrorCode::kUsage);
    EXPECT_NE(d.status().message().find(c.message), std::string::npos)
        << c.text << ": " << d.status().message();
  }
}

TEST(AgeBech32Test, RoundTripOfBytes) {
  std::vector<uint8_t> data;
  for (int n = 0; n < 40; ++n) {
    auto e = Bech32Encode("test", data, false);
    ASSERT_OK(e);
    auto d = Bech32Decode(*e);
    ASSERT_OK(d);
    EXPECT_EQ(d->hrp, "test");
    EXPECT_EQ(d->data, data);
    data.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

TEST(AgeKeyStringTest, GeneratedIdentityRoundTrips) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  const std::string secret = id->String();
  EXPECT_EQ(secret.rfind("AGE-SECRET-KEY-1", 0), 0u);
  EXPECT_EQ(secret.size(), 74u);
  const std::string pub = id->recipient().String();
  EXPECT_EQ(pub.rfind("age1", 0), 0u);
  EXPECT_EQ(pub.size(), 62u);
  auto again = X25519Identity::Parse(secret);
  ASSERT_OK(again);
  EXPECT_EQ(again->recipient().String(), pub);
  auto r = X25519Recipient::Parse(pub);
  ASSERT_OK(r);
  EXPECT_EQ(r->share(), id->recipient().share());
}

TEST(AgeKeyStringTest, WrongCaseAndTypeAreRefused) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  std::string secret = id->String();
  std::string lower = secret;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bad = X25519Identity::Parse(lower);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("upper case"), std::string::npos);
  EXPECT_EQ(bad.status().message().find(lower.substr(16)), std::string::npos);  // no echo
  std::string pub = id->recipient().String();
  std::string upper = pub;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(X25519Recipient::Parse(upper).ok());
  EXPECT_FALSE(X25519Recipient::Parse(secret).ok());  // an identity is not a recipient
  auto as_id = X25519Identity::Parse(pub);
  ASSERT_FALSE(as_id.ok());
  EXPECT_NE(as_id.status().message().find("unsupported identity type"), std::string::npos);
  pub[10] = pub[10] == 'q' ? 'p' : 'q';
  auto flipped = X25519Recipient::Parse(pub);
  ASSERT_FALSE(flipped.ok());
  EXPECT_NE(flipped.status().message().find("checksum mismatch"), std::string::npos);
}

}  // namespace
}  // namespace vdibk::age
