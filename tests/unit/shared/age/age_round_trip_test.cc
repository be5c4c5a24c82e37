// Round trips of shared/age: X25519 (1 and 3 recipients) and scrypt at chunk-boundary sizes,
// the header's encoding, ranged reads, identity/recipients files and AgeWritableFile.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared/age/age_header.h"
#include "shared/age/age_keys.h"
#include "shared/age/age_readable_file.h"
#include "shared/age/age_scrypt.h"
#include "shared/age/age_stream.h"
#include "shared/age/age_writable_file.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/shared/age/age_test_util.h"

namespace vdibk::age {
namespace {

using testing::Decrypt;
using testing::Encrypt;
using testing::MemoryFile;
using testing::Pattern;

const size_t kSizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536};

TEST(AgeRoundTripTest, X25519OneRecipientAllSizes) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  for (size_t size : kSizes) {
    const std::string plain = Pattern(size, static_cast<uint32_t>(size));
    auto file = Encrypt({&id->recipient()}, plain, 7777);
    ASSERT_OK(file);
    auto back = Decrypt(*file, {&*id});
    ASSERT_OK(back);
    EXPECT_EQ(*back, plain) << size;
    // Layout: header, nonce, ceil(size / 64 KiB) chunks (one empty chunk for size 0).
    MemoryFile f(*file);
    auto r = AgeReader::Open(f, std::vector<const Identity*>{&*id});
    ASSERT_OK(r);
    const uint64_t chunks = size == 0 ? 1 : (size + kChunkSize - 1) / kChunkSize;
    EXPECT_EQ((*r)->chunk_count(), chunks) << size;
    EXPECT_EQ((*r)->plaintext_size(), size);
    EXPECT_EQ(file->size(), (*r)->header_size() + 16 + size + 16 * chunks);
  }
}

TEST(AgeRoundTripTest, X25519ThreeRecipientsEachDecrypts) {
  std::vector<X25519Identity> ids;
  std::vector<const Recipient*> recipients;
  for (int i = 0; i < 3; ++i) ids.push_back(X25519Identity::Generate().value());
  for (const auto& id : ids) recipients.push_back(&id.recipient());
  for (size_t size : kSizes) {
    const std::string plain = Pattern(size, 3);
    auto file = Encrypt(recipients, plain, 65536);
    ASSERT_OK(file);
    for (const auto& id : ids) {
      auto back = Decrypt(*file, {&id});
      ASSERT_OK(back);
      EXPECT_EQ(*back, plain);
    }
  }
}

TEST(AgeRoundTripTest, ScryptAllSizes) {
  ScryptRecipient r("correct horse battery staple", 10);
  ScryptIdentity id("correct horse battery staple");
  for (size_t size : kSizes) {
    const std::string plain = Pattern(size, 5);
    auto file = Encrypt({&r}, plain);
    ASSERT_OK(file);
    EXPECT_NE(file->find("\n-> scrypt "), std::string::npos);
    auto back = Decrypt(*file, {&id});
    ASSERT_OK(back);
    EXPECT_EQ(*back, plain);
  }
  auto file = Encrypt({&r}, "x");
  ASSERT_OK(file);
  ScryptIdentity wrong("incorrect horse");
  auto bad = Decrypt(*file, {&wrong});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(bad.status().message().find("scrypt (1)"), std::string::npos) << bad.status().message();
  ScryptIdentity strict("correct horse battery staple", 9);
  auto refused = Decrypt(*file, {&strict});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(refused.status().message().find("work factor 10"), std::string::npos);
}

TEST(AgeRoundTripTest, ScryptMustBeAlone) {
  ScryptRecipient s("pw", 10);
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  auto file = Encrypt({&s, &id->recipient()}, "x");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(Encrypt({}, "x").ok());
}

TEST(AgeRoundTripTest, HeaderIsCanonical) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  auto file = Encrypt({&id->recipient()}, "hello");
  ASSERT_OK(file);
  auto h = ParseHeader(*file);
  ASSERT_OK(h);
  ASSERT_EQ(h->stanzas.size(), 1u);
  EXPECT_EQ(h->stanzas[0].type, "X25519");
  ASSERT_EQ(h->stanzas[0].args.size(), 1u);
  EXPECT_EQ(h->stanzas[0].args[0].size(), 43u);  // 32 bytes, unpadded base64
  EXPECT_EQ(h->stanzas[0].body.size(), 32u);
  EXPECT_EQ(file->rfind("age-encryption.org/v1\n-> X25519 ", 0), 0u);
  EXPECT_EQ(file->compare(h->encoded_size - 48, 4, "--- "), 0);  // "--- " + 43 + "\n"
  // Bodies wrap at 64 columns: 48 bytes is one full line and an empty final line.
  Stanza s{"t", {"a"}, std::vector<uint8_t>(48, 1)};
  auto text = EncodeHeaderMacInput({s});
  ASSERT_OK(text);
  EXPECT_EQ(*text, "age-encryption.org/v1\n-> t a\n" + Base64Encode(s.body) + "\n\n---");
  auto parsed = ParseHeader(*text + " " + Base64Encode(Bytes32{}) + "\n");
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->stanzas[0].body, s.body);
}

TEST(AgeRoundTripTest, Base64IsStrict) {
  EXPECT_EQ(Base64Encode(std::vector<uint8_t>{'a'}), "YQ");
  EXPECT_OK(Base64Decode("YQ"));
  EXPECT_FALSE(Base64Decode("YQ==").ok());  // padding
  EXPECT_FALSE(Base64Decode("YR").ok());    // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("Y").ok());
  EXPECT_FALSE(Base64Decode("Y-").ok());
}

TEST(AgeRoundTripTest, RandomAccessReads) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  const std::string plain = Pattern(3 * 65536 + 100, 9);
  auto file = Encrypt({&id->recipient()}, plain, 65536);
  ASSERT_OK(file);
  MemoryFile f(*file);
  auto r = AgeReader::Open(f, std::vector<const Identity*>{&*id});
  ASSERT_OK(r);
  std::vector<uint8_t> chunk;
  ASSERT_OK((*r)->ReadChunk(2, &chunk));
  EXPECT_EQ(std::string(chunk.begin(), chunk.end()), plain.substr(2 * 65536, 65536));
  ASSERT_OK((*r)->ReadChunk(3, &chunk));
  EXPECT_EQ(chunk.size(), 100u);
  EXPECT_EQ((*r)->ReadChunk(4, &chunk).code(), ErrorCode::kUsage);
  for (uint64_t off : {uint64_t{0}, uint64_t{65530}, uint64_t{131071}, uint64_t{196600}}) {
    std::string buf(20000, '\0');
    auto n = (*r)->ReadAt(off, buf.data(), buf.size());
    ASSERT_OK(n);
    const size_t want = std::min<size_t>(buf.size(), plain.size() - off);
    ASSERT_EQ(*n, want) << off;
    EXPECT_EQ(buf.substr(0, *n), plain.substr(off, want)) << off;
  }
}

TEST(AgeKeyFileTest, IdentityAndRecipientsFiles) {
  auto a = X25519Identity::Generate();
  auto b = X25519Identity::Generate();
  ASSERT_OK(a);
  ASSERT_OK(b);
  const std::string ids = "# created: today\n# public key: " + a->recipient().String() + "\n" +
                          a->String() + "\n\n" + b->String() + "\r\n";
  auto parsed = ParseIdentityFile(ids);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].recipient().String(), b->recipient().String());
  auto bad = ParseIdentityFile("# c\n" + a->String() + "\nnot-a-key\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kUsage);
  EXPECT_NE(bad.status().message().find("line 3"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseIdentityFile("# only a comment\n\n").ok());
  auto rs = ParseRecipientsFile("# team\n" + a->recipient().String() + "\n" +
                                b->recipient().String() + "\n");
  ASSERT_OK(rs);
  EXPECT_EQ(rs->size(), 2u);
  auto ssh = ParseRecipientsFile("ssh-ed25519 AAAA\n");
  ASSERT_FALSE(ssh.ok());
  EXPECT_NE(ssh.status().message().find("line 1"), std::string::npos);
}

TEST(SecretBytesTest, PageAlignedAndMovable) {
  SecretBytes s(16);
  ASSERT_EQ(s.size(), 16u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s.data()) % sysconf(_SC_PAGESIZE), 0u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.data()[i], 0);
  s.data()[0] = 42;
  SecretBytes t = std::move(s);
  EXPECT_EQ(s.data(), nullptr);
  EXPECT_EQ(t.data()[0], 42);
  // The mapping is excluded from core dumps: /proc/self/smaps lists "dd" in its VmFlags.
  char line[512];
  FILE* smaps = fopen("/proc/self/smaps", "r");
  ASSERT_NE(smaps, nullptr);
  bool in_range = false, found = false;
  const auto addr = reinterpret_cast<uintptr_t>(t.data());
  while (fgets(line, sizeof(line), smaps)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) in_range = addr >= lo && addr < hi;
    if (in_range && strncmp(line, "VmFlags:", 8) == 0) found = strstr(line, " dd") != nullptr;
  }
  fclose(smaps);
  EXPECT_TRUE(found);
}

// A WritableFile that keeps what it is given in memory.
class StringWritableFile : public stripe::WritableFile {
 public:
  explicit StringWritableFile(std::string* out) : out_(out) {}
  Status Append(std::span<const stripe::ConstBuffer> pieces) override {
    if (fail_append) return Status::TargetIo("target full");
    for (const auto& p : pieces) out_->append(static_cast<const char*>(p.data), p.size);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Commit() override {
    committed = true;
    return Status::Ok();
  }
  void Abort() override { aborted = true; }
  uint64_t size() const override { return out_->size(); }
  const std::string& name() const override { return name_; }
  bool committed = false, aborted = false, fail_append = false;

 private:
  std::string* out_;
  std::string name_ = "s-0001.vdibk";
};

TEST(AgeWritableFileTest, EncryptsTransparently) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  std::string bytes;
  auto inner = std::make_unique<StringWritableFile>(&bytes);
  StringWritableFile* raw = inner.get();
  std::vector<const Recipient*> rs{&id->recipient()};
  auto f = AgeWritableFile::Create(std::move(inner), rs);
  ASSERT_OK(f);
  const std::string plain = Pattern(200000, 11);
  stripe::ConstBuffer pieces[2] = {{plain.data(), 150000}, {plain.data() + 150000, 50000}};
  ASSERT_OK((*f)->Append(pieces));
  EXPECT_EQ((*f)->size(), plain.size());
  EXPECT_EQ((*f)->name(), "s-0001.vdibk");
  ASSERT_OK((*f)->Commit());
  EXPECT_TRUE(raw->committed);
  EXPECT_EQ((*f)->encrypted_size(), bytes.size());
  auto back = Decrypt(bytes, {&*id});
  ASSERT_OK(back);
  EXPECT_EQ(*back, plain);
}

// A StringWritableFile that reports Abort through a flag that outlives it.
class WatchedFile : public StringWritableFile {
 public:
  WatchedFile(std::string* out, bool* aborted) : StringWritableFile(out), aborted_(aborted) {}
  void Abort() override { *aborted_ = true; }

 private:
  bool* aborted_;
};

TEST(AgeWritableFileTest, FailedHeaderWriteAbortsTheInnerFile) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  std::string bytes;
  bool aborted = false;
  auto inner = std::make_unique<WatchedFile>(&bytes, &aborted);
  inner->fail_append = true;
  std::vector<const Recipient*> rs{&id->recipient()};
  auto f = AgeWritableFile::Create(std::move(inner), rs);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), ErrorCode::kTargetIo);
  EXPECT_TRUE(aborted);
}

TEST(AgeReadableFileTest, RangedReadsAndNamedErrors) {
  auto id = X25519Identity::Generate();
  ASSERT_OK(id);
  const std::string plain = Pattern(2 * 65536 + 5, 13);
  std::string file = Encrypt({&id->recipient()}, plain).value();
  std::vector<const Identity*> ids{&*id};
  auto f = AgeReadableFile::Open(std::make_unique<MemoryFile>(file), ids);
  ASSERT_OK(f);
  EXPECT_EQ((*f)->Size().value(), plain.size());
  std::string buf(70000, '\0');
  auto n = (*f)->ReadAt(65000, buf.data(), buf.size());
  ASSERT_OK(n);
  EXPECT_EQ(*n, plain.size() - 65000);
  EXPECT_EQ(buf.substr(0, *n), plain.substr(65000));
  file[file.size() - 3] ^= 1;  // the last chunk
  auto g = AgeReadableFile::Open(std::make_unique<MemoryFile>(file), ids);
  ASSERT_OK(g);
  EXPECT_OK((*g)->ReadAt(0, buf.data(), 100));  // chunk 0 is intact
  auto bad = (*g)->ReadAt(2 * 65536, buf.data(), 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kIntegrity);
  EXPECT_EQ(bad.status().message().rfind("memory: age: chunk 2: authentication failed", 0), 0u)
      << bad.status().message();
}

}  // namespace
}  // namespace vdibk::age
