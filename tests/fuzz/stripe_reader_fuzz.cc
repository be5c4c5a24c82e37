// Fuzz target: StripeReader over a whole stripe file held in memory. Invariants: errors are
// kIntegrity; both decode paths and both checksum settings agree; Seek serves the same tail.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kMaxRaw = 64u << 20;  // a stripe of the fuzzer's size decodes to less

class MemoryFile final : public ReadableFile {
 public:
  MemoryFile(const uint8_t* d, size_t n) : data_(d), size_(n) {}
  Result<size_t> ReadAt(uint64_t off, void* dst, size_t n) override {
    if (off >= size_) return size_t{0};
    const size_t k = static_cast<size_t>(std::min<uint64_t>(n, size_ - off));
    std::memcpy(dst, data_ + off, k);
    return k;
  }
  Result<uint64_t> Size() override { return uint64_t{size_}; }
  const std::string& name() const override { return name_; }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string name_ = "fuzz";
};

// The whole stream, read in `chunk`-byte calls. nullopt-like: ok=false when a Read failed.
struct Stream {
  bool ok = false;
  std::vector<uint8_t> bytes;
};

Stream ReadAll(StripeReader& r, size_t chunk) {
  Stream out;
  std::vector<uint8_t> buf(chunk);
  while (out.bytes.size() <= kMaxRaw) {
    Result<size_t> n = r.Read(buf.data(), buf.size());
    if (!n.ok()) {
      fuzz::CheckError(n.status(), {ErrorCode::kIntegrity});
      // Errors are sticky.
      FUZZ_CHECK(!r.Read(buf.data(), buf.size()).ok(), "a read after an error succeeded");
      return out;
    }
    FUZZ_CHECK(*n <= chunk, "Read returned more than asked");
    if (*n == 0) {
      out.ok = true;
      return out;
    }
    out.bytes.insert(out.bytes.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  return out;
}

Result<StripeReader> OpenMemory(const uint8_t* data, size_t size) {
  return StripeReader::Open(std::make_unique<MemoryFile>(data, size));
}

void FuzzStripe(const uint8_t* data, size_t size) {
  Result<StripeReader> a = OpenMemory(data, size);
  if (!a.ok()) {
    fuzz::CheckError(a.status(), {ErrorCode::kIntegrity});
    return;
  }
  // A: small buffer (blocks go through the spill), content checksums on. B: whole blocks decode
  // straight into the caller's buffer, content checksums off (a subset of A's checks).
  a->set_content_checksums(true);
  const Stream sa = ReadAll(*a, 4093);
  Result<StripeReader> b = OpenMemory(data, size);
  FUZZ_CHECK(b.ok(), "the second Open of the same bytes failed: " + b.status().ToString());
  b->set_content_checksums(false);
  const Stream sb = ReadAll(*b, 70000);
  if (sa.ok) {
    FUZZ_CHECK(sa.bytes.size() == a->trailer().raw_bytes, "end reached before raw_bytes");
    FUZZ_CHECK(sb.ok, "fewer checks failed where more passed");
    FUZZ_CHECK(sa.bytes == sb.bytes, "the two decode paths disagree");
  }
  if (!sb.ok) return;
  FUZZ_CHECK(sb.bytes.size() == b->trailer().raw_bytes, "end reached before raw_bytes");
  // Seek: the same tail as the sequential read; beyond the end is a usage error.
  Result<StripeReader> c = OpenMemory(data, size);
  FUZZ_CHECK(c.ok(), "the third Open of the same bytes failed");
  const uint64_t raw = c->trailer().raw_bytes;
  const Status beyond = c->Seek(raw + 1);
  fuzz::CheckError(beyond, {ErrorCode::kUsage});
  const uint64_t mid = raw / 2 + (size % 7);
  if (mid > raw) return;
  const Status st = c->Seek(mid);
  if (!st.ok()) {
    fuzz::CheckError(st, {ErrorCode::kIntegrity});
    return;
  }
  FUZZ_CHECK(c->position() == mid, "position after Seek");
  const Stream tail = ReadAll(*c, 65536);
  if (!tail.ok) return;  // block checksums still apply after a Seek; B did not check content ones
  FUZZ_CHECK(
      std::equal(tail.bytes.begin(), tail.bytes.end(), sb.bytes.begin() + mid, sb.bytes.end()),
      "Seek served other bytes than the sequential read");
}

// In-memory target used only to build seed inputs.
class MemorySink final : public WritableFile {
 public:
  explicit MemorySink(std::string* out) : out_(out) {}
  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    for (const auto& p : pieces) out_->append(static_cast<const char*>(p.data), p.size);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Commit() override { return Status::Ok(); }
  void Abort() override {}
  uint64_t size() const override { return out_->size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string* out_;
  std::string name_ = "seed";
};

class MemoryTarget final : public Target {
 public:
  using Target::Create;
  Result<std::unique_ptr<WritableFile>> Create(const std::string&, const CreateOptions&) override {
    bytes.clear();
    return std::unique_ptr<WritableFile>(std::make_unique<MemorySink>(&bytes));
  }
  Result<std::unique_ptr<ReadableFile>> Open(const std::string&) override {
    return Status::Missing("write-only");
  }
  std::string Describe() const override { return "memory"; }
  std::string bytes;
};

}  // namespace
}  // namespace vdibk::stripe

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vdibk::stripe::FuzzStripe(data, size);
  return 0;
}

// Stripes of the StripeWriter (LZ4 and stored, several frames) and of liblz4's own frame encoder.
std::vector<std::string> FuzzSeeds() {
  using namespace vdibk::stripe;
  std::vector<std::string> seeds;
  MemoryTarget target;
  for (Compression c : {Compression::kLz4, Compression::kNone}) {
    StripeHeader h;
    h.database = "fuzz";
    h.compression = c;
    StripeWriterOptions opt;
    opt.frame_raw_bytes = 3000;
    auto w = StripeWriter::Create(target, "s", h, opt);
    std::string text;
    for (int i = 0; i < 800; ++i) text += "row " + std::to_string(i * 7919 % 1000) + ";";
    if (!w.ok() || !w->Append(text.data(), text.size()).ok() || !w->Flush().ok() ||
        !w->Finalize().ok()) {
      std::abort();
    }
    seeds.push_back(target.bytes);
  }
  // Format 3 (block and content checksums, also with the content size in the frame header) and
  // format 2 (content checksum only).
  std::vector<uint8_t> text(5000, 'x');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<uint8_t>('a' + i % 26);
  for (const std::vector<uint8_t>& file :
       {testing::Lz4fStripe(kFormatVersion, true, true, text),
        testing::Lz4fStripe(kFormatVersion, true, true, text, /*content_size=*/true),
        testing::Lz4fStripe(kOldestReadableVersion, false, true, text)}) {
    if (file.empty()) std::abort();
    seeds.emplace_back(file.begin(), file.end());
  }
  return seeds;
}
