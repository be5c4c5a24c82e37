// Tests of AgeDecryptor (push-style, no seeking): round trips fed in many piece sizes, and the
// same tamper cases as the random-access reader, found while streaming.
#include "shared/age/age_decryptor.h"

#include <gtest/gtest.h>

#include "shared/age/age_header.h"
#include "shared/age/age_keys.h"
#include "shared/age/age_stream.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/age/age_test_util.h"

namespace vdibk::age {
namespace {

using testing::Encrypt;
using testing::Pattern;

Result<std::string> Stream(const std::string& file, const Identity& id, size_t piece) {
  std::string out;
  std::vector<const Identity*> ids{&id};
  AgeDecryptor d(ids, [&](const uint8_t* p, size_t n) {
    out.append(reinterpret_cast<const char*>(p), n);
    return Status::Ok();
  });
  for (size_t pos = 0; pos < file.size(); pos += piece)
    VDIBK_RETURN_IF_ERROR(d.Feed(file.data() + pos, std::min(piece, file.size() - pos)));
  VDIBK_RETURN_IF_ERROR(d.Finish());
  if (d.plaintext_size() != out.size()) return Status::Failed("plaintext_size mismatch");
  return out;
}

class AgeDecryptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    id_ = std::make_unique<X25519Identity>(X25519Identity::Generate().value());
  }
  void ExpectFailure(const std::string& file, const std::string& text) {
    for (size_t piece : {size_t{1000}, kSealedChunkSize, size_t{1} << 20}) {
      auto r = Stream(file, *id_, piece);
      ASSERT_FALSE(r.ok()) << text;
      EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity) << r.status().ToString();
      EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().ToString();
    }
  }
  std::unique_ptr<X25519Identity> id_;
};

TEST_F(AgeDecryptorTest, RoundTripsInAnyPieces) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{3 * 65536}}) {
    const std::string plain = Pattern(size, 71);
    const std::string file = Encrypt({&id_->recipient()}, plain).value();
    for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, kSealedChunkSize, file.size()}) {
      if (piece == 1 && size > 65536) continue;  // byte-at-a-time: small files suffice
      auto back = Stream(file, *id_, piece);
      ASSERT_OK(back);
      EXPECT_EQ(*back, plain) << size << " in pieces of " << piece;
    }
  }
}

TEST_F(AgeDecryptorTest, TamperingIsFound) {
  const std::string plain = Pattern(3 * kChunkSize + 1000, 73);
  const std::string file = Encrypt({&id_->recipient()}, plain).value();
  const size_t payload = ParseHeader(file).value().encoded_size + kPayloadNonceSize;
  auto chunk = [&](size_t i) { return payload + i * kSealedChunkSize; };
  std::string f = file;
  f[chunk(1) + 9] ^= 1;
  ExpectFailure(f, "chunk 1: authentication failed");
  ExpectFailure(file.substr(0, chunk(2)), "chunk 1: not marked last, but the file ends here");
  ExpectFailure(file.substr(0, chunk(2) + 100), "chunk 2: authentication failed");
  ExpectFailure(file.substr(0, payload), "ends before the first payload chunk");
  ExpectFailure(file.substr(0, payload - 3), "ends before the first payload chunk");
  ExpectFailure(file.substr(0, 30), "file ends inside the header");
  ExpectFailure("", "empty input");
  f = file;
  f.replace(chunk(0), kSealedChunkSize, file.substr(chunk(1), kSealedChunkSize));
  f.replace(chunk(1), kSealedChunkSize, file.substr(chunk(0), kSealedChunkSize));
  ExpectFailure(f, "chunk 0: authentication failed (corrupted or reordered)");
  const std::string full = Encrypt({&id_->recipient()}, Pattern(2 * kChunkSize, 75)).value();
  ExpectFailure(full + "trailing", "chunk 1: marked last, but more bytes follow (trailing data)");
  f = file;
  f[payload - kPayloadNonceSize - 5] ^= 1;  // the header MAC
  ExpectFailure(f, "header MAC mismatch");
}

TEST_F(AgeDecryptorTest, WrongIdentityAndSinkErrorsAreFinal) {
  const std::string file = Encrypt({&id_->recipient()}, "abc").value();
  auto other = X25519Identity::Generate();
  ASSERT_OK(other);
  auto r = Stream(file, *other, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(r.status().message().find("X25519 (1)"), std::string::npos);
  std::vector<const Identity*> ids{id_.get()};
  AgeDecryptor d(ids, [](const uint8_t*, size_t) { return Status::TargetIo("disk full"); });
  ASSERT_OK(d.Feed(file.data(), file.size()));
  EXPECT_EQ(d.Finish().code(), ErrorCode::kTargetIo);
  EXPECT_EQ(d.Feed("x", 1).code(), ErrorCode::kTargetIo);
}

}  // namespace
}  // namespace vdibk::age
