// Tampering with age files: every altered header or payload byte, truncation, reordering, a
// wrong last-chunk flag, trailing data and the wrong identity fail with their code and message.
#include <gtest/gtest.h>

#include <cstring>

#include "shared/age/age_header.h"
#include "shared/age/age_keys.h"
#include "shared/age/age_scrypt.h"
#include "shared/age/age_stream.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/age/age_test_util.h"

namespace vdibk::age {
namespace {

using testing::Decrypt;
using testing::Encrypt;
using testing::Pattern;

class AgeTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) ids_.push_back(X25519Identity::Generate().value());
    plain_ = Pattern(3 * kChunkSize + 1000, 21);
    file_ = Encrypt({&ids_[0].recipient()}, plain_).value();
    header_size_ = ParseHeader(file_).value().encoded_size;
    payload_ = header_size_ + kPayloadNonceSize;
  }
  // Decrypts `file` with identity 0 and expects `code` and a message containing `text`.
  void ExpectFailure(const std::string& file, ErrorCode code, const std::string& text,
                     const std::vector<const Identity*>& ids = {}) {
    auto r = Decrypt(file, ids.empty() ? std::vector<const Identity*>{&ids_[0]} : ids);
    ASSERT_FALSE(r.ok()) << "decrypted despite: " << text;
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().ToString();
  }
  size_t Chunk(size_t i) const { return payload_ + i * kSealedChunkSize; }

  std::vector<X25519Identity> ids_;
  std::string plain_, file_;
  size_t header_size_ = 0, payload_ = 0;
};

TEST_F(AgeTamperTest, Untouched) { EXPECT_EQ(Decrypt(file_, {&ids_[0]}).value(), plain_); }

TEST_F(AgeTamperTest, HeaderMacByte) {
  std::string f = file_;
  f[header_size_ - 10] = f[header_size_ - 10] == 'A' ? 'B' : 'A';
  ExpectFailure(f, ErrorCode::kIntegrity, "header MAC mismatch");
}

TEST_F(AgeTamperTest, StanzaByteOfAnotherRecipient) {
  // Three stanzas; the second one altered: identity 0 still unwraps the key, the MAC catches it.
  std::vector<const Recipient*> rs{&ids_[0].recipient(), &ids_[1].recipient(),
                                   &ids_[2].recipient()};
  std::string f = Encrypt(rs, plain_).value();
  const size_t second = f.find("-> X25519 ", f.find("-> X25519 ") + 1);
  const size_t body = f.find('\n', second) + 1;
  f[body + 3] = f[body + 3] == 'A' ? 'B' : 'A';
  ExpectFailure(f, ErrorCode::kIntegrity, "header MAC mismatch");
  // The altered stanza's own identity cannot unwrap it any more.
  ExpectFailure(f, ErrorCode::kConfiguration, "no identity matches", {&ids_[1]});
}

TEST_F(AgeTamperTest, StanzaByteOfTheOnlyRecipient) {
  std::string f = file_;
  const size_t body = f.find('\n', f.find("-> X25519 ")) + 1;
  f[body + 3] = f[body + 3] == 'A' ? 'B' : 'A';
  ExpectFailure(f, ErrorCode::kConfiguration,
                "no identity matches: the file is encrypted to X25519 (1)");
}

TEST_F(AgeTamperTest, MalformedHeaderLine) {
  std::string f = file_;
  f.replace(f.find("-> X25519 "), 3, "=> ");
  ExpectFailure(f, ErrorCode::kIntegrity, "malformed header: line 2");
  ExpectFailure("hello world, not age\n", ErrorCode::kIntegrity, "not an age file");
  ExpectFailure(file_.substr(0, header_size_ - 5), ErrorCode::kIntegrity, "ends inside the header");
}

TEST_F(AgeTamperTest, WrongIdentity) {
  ExpectFailure(file_, ErrorCode::kConfiguration,
                "no identity matches: the file is encrypted to X25519 (1); 2 identities tried "
                "(X25519)",
                {&ids_[1], &ids_[2]});
  ScryptIdentity pass("pw");
  ExpectFailure(file_, ErrorCode::kConfiguration, "1 identity tried (scrypt)", {&pass});
}

TEST_F(AgeTamperTest, PayloadChunkByte) {
  std::string f = file_;
  f[Chunk(1) + 100] ^= 1;
  ExpectFailure(f, ErrorCode::kIntegrity, "chunk 1: authentication failed");
  f = file_;
  f[Chunk(3) + 5] ^= 1;  // the (short) last chunk
  ExpectFailure(f, ErrorCode::kIntegrity, "chunk 3: authentication failed");
  f = file_;
  f[header_size_ + 3] ^= 1;  // the payload nonce: every chunk's key changes
  ExpectFailure(f, ErrorCode::kIntegrity, "chunk 0: authentication failed");
}

TEST_F(AgeTamperTest, TruncatedAtChunkBoundary) {
  ExpectFailure(file_.substr(0, Chunk(2)), ErrorCode::kIntegrity,
                "chunk 1: not marked last, but the file ends here (truncated at a chunk boundary)");
  ExpectFailure(file_.substr(0, Chunk(0)), ErrorCode::kIntegrity,
                "truncated: the file ends before the first payload chunk");
}

TEST_F(AgeTamperTest, TruncatedMidChunk) {
  ExpectFailure(file_.substr(0, Chunk(2) + 1000), ErrorCode::kIntegrity,
                "chunk 2: authentication failed");
  ExpectFailure(file_.substr(0, Chunk(3) + 10), ErrorCode::kIntegrity,
                "chunk 3: 10 bytes, shorter than a chunk tag");
  ExpectFailure(file_.substr(0, file_.size() - 1), ErrorCode::kIntegrity,
                "chunk 3: authentication failed");
}

TEST_F(AgeTamperTest, SwappedChunks) {
  std::string f = file_;
  std::string c0 = f.substr(Chunk(0), kSealedChunkSize), c1 = f.substr(Chunk(1), kSealedChunkSize);
  f.replace(Chunk(0), kSealedChunkSize, c1);
  f.replace(Chunk(1), kSealedChunkSize, c0);
  ExpectFailure(f, ErrorCode::kIntegrity,
                "chunk 0: authentication failed (corrupted or reordered)");
}

TEST_F(AgeTamperTest, TrailingData) {
  // The last chunk full (flagged last) and more bytes after it.
  std::string f = Encrypt({&ids_[0].recipient()}, Pattern(2 * kChunkSize, 4)).value();
  ExpectFailure(f + std::string(kSealedChunkSize, 'x'), ErrorCode::kIntegrity,
                "chunk 1: marked last, but 65552 more bytes follow (trailing data)");
  ExpectFailure(f + "x", ErrorCode::kIntegrity, "chunk 1: marked last, but 1 more bytes follow");
  // After a short last chunk, extra bytes break its tag.
  ExpectFailure(file_ + "x", ErrorCode::kIntegrity, "chunk 3: authentication failed");
}

TEST_F(AgeTamperTest, EveryBitOfASmallFile) {
  // Any single flipped bit anywhere (header, nonce, payload) fails, as kIntegrity or, where it
  // only hides the stanza from its identity, kConfiguration; never a crash or a success.
  const std::string small = Encrypt({&ids_[0].recipient()}, "x").value();
  const size_t header = ParseHeader(small).value().encoded_size;
  for (size_t i = 0; i < small.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string f = small;
      f[i] ^= static_cast<char>(1 << bit);
      auto r = Decrypt(f, {&ids_[0]});
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      EXPECT_TRUE(r.status().code() == ErrorCode::kIntegrity ||
                  r.status().code() == ErrorCode::kConfiguration)
          << "byte " << i << " bit " << bit << ": " << r.status().ToString();
      if (i >= header) {
        EXPECT_EQ(r.status().code(), ErrorCode::kIntegrity);
      }
    }
  }
}

// Files sealed here chunk by chunk, with the last-chunk flag where the writer would not put it.
class AgeLastFlagTest : public AgeTamperTest {
 protected:
  // A file whose chunks (plaintexts) are sealed with the given flags.
  std::string Build(const std::vector<std::string>& chunks, const std::vector<bool>& last) {
    SecretBytes file_key(kFileKeySize);
    EXPECT_OK(RandomBytes({file_key.data(), file_key.size()}));
    std::vector<Stanza> stanzas = ids_[0].recipient().Wrap(file_key).value();
    std::string out = EncodeHeaderMacInput(stanzas).value();
    out += " " + Base64Encode(HeaderMac(file_key, out).value()) + "\n";
    uint8_t nonce[kPayloadNonceSize] = {7};
    out.append(reinterpret_cast<char*>(nonce), sizeof(nonce));
    SecretBytes key = DerivePayloadKey(file_key, nonce).value();
    for (size_t i = 0; i < chunks.size(); ++i) {
      std::string sealed(chunks[i].size() + kAeadTagSize, '\0');
      EXPECT_OK(SealChunk(key, i, last[i],
                          {reinterpret_cast<const uint8_t*>(chunks[i].data()), chunks[i].size()},
                          reinterpret_cast<uint8_t*>(sealed.data())));
      out += sealed;
    }
    return out;
  }
};

TEST_F(AgeLastFlagTest, FlagsAsTheWriterSetsThemDecrypt) {
  const std::string a = Pattern(kChunkSize, 1), b = Pattern(10, 2);
  EXPECT_EQ(Decrypt(Build({a, b}, {false, true}), {&ids_[0]}).value(), a + b);
}

TEST_F(AgeLastFlagTest, MiddleChunkFlaggedLast) {
  const std::string a = Pattern(kChunkSize, 1), b = Pattern(10, 2);
  ExpectFailure(Build({a, b}, {true, true}), ErrorCode::kIntegrity,
                "chunk 0: marked last, but 26 more bytes follow");
}

TEST_F(AgeLastFlagTest, FinalChunkNotFlaggedLast) {
  const std::string a = Pattern(kChunkSize, 1), b = Pattern(10, 2);
  ExpectFailure(Build({a, b}, {false, false}), ErrorCode::kIntegrity,
                "chunk 1: not marked last, but the file ends here");
}

TEST_F(AgeLastFlagTest, EmptyLastChunkAfterData) {
  const std::string a = Pattern(kChunkSize, 1);
  ExpectFailure(Build({a, ""}, {false, true}), ErrorCode::kIntegrity,
                "chunk 1: an empty last chunk after data");
}

}  // namespace
}  // namespace vdibk::age
