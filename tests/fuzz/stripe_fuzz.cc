// Fuzz target for untrusted input parsers: StripeReader (whole files), the manifest file and the
// pipeline Envelope. LLVMFuzzerTestOneInput for libFuzzer; a bounded mutation driver otherwise.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"
#include "shared/transport/envelope_codec.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

class MemoryFile final : public ReadableFile {
 public:
  MemoryFile(const uint8_t* d, size_t n) : data_(d), size_(n) {}
  Result<size_t> ReadAt(uint64_t off, void* dst, size_t n) override {
    if (off >= size_) return size_t{0};
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, size_ - off));
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

// In-memory sink used only to build seed inputs.
class MemorySink final : public WritableFile {
 public:
  explicit MemorySink(std::vector<uint8_t>* out) : out_(out) {}
  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    for (const auto& p : pieces) {
      auto* b = static_cast<const uint8_t*>(p.data);
      out_->insert(out_->end(), b, b + p.size);
    }
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Commit() override { return Status::Ok(); }
  void Abort() override {}
  uint64_t size() const override { return out_->size(); }
  const std::string& name() const override { return name_; }

 private:
  std::vector<uint8_t>* out_;
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
  std::vector<uint8_t> bytes;
};

void FuzzStripe(const uint8_t* data, size_t size) {
  auto r = StripeReader::Open(std::make_unique<MemoryFile>(data, size));
  if (!r.ok()) return;
  // Both decode paths (a whole block fits the buffer, or it goes through the spill) and both
  // content checksum settings, chosen by the input's length.
  std::vector<uint8_t> buf(size % 2 ? 70000 : 4093);
  r->set_content_checksums(size % 3 != 0);
  for (int i = 0; i < 10000; ++i) {
    auto n = r->Read(buf.data(), buf.size());
    if (!n.ok() || *n == 0) break;
  }
  if (r->trailer().raw_bytes > 0) (void)r->Seek(r->trailer().raw_bytes / 2);
}

}  // namespace
}  // namespace vdibk::stripe

// First byte chooses the parser, the rest is its input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* in = data + 1;
  size_t n = size - 1;
  switch (data[0] % 3) {
    case 0:
      vdibk::stripe::FuzzStripe(in, n);
      break;
    case 1:
      (void)vdibk::stripe::DecodeManifestFile(std::span<const uint8_t>(in, n));
      break;
    default: {
      zmq::message_t m(in, n);
      (void)vdibk::transport::DecodeEnvelope(m);
    }
  }
  return 0;
}

#ifndef VDIBK_LIBFUZZER
namespace {

std::vector<uint8_t> Tagged(uint8_t tag, const void* p, size_t n) {
  std::vector<uint8_t> out(n + 1);
  out[0] = tag;
  if (n) std::memcpy(out.data() + 1, p, n);
  return out;
}

std::vector<std::vector<uint8_t>> Seeds() {
  using namespace vdibk::stripe;
  std::vector<std::vector<uint8_t>> seeds;
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
    seeds.push_back(Tagged(0, target.bytes.data(), target.bytes.size()));
  }
  // Stripes around one LZ4 frame made by liblz4's LZ4F: format 3 (block and content checksums,
  // also with the content size in the frame header) and format 2 (content checksum only).
  std::vector<uint8_t> text(5000, 'x');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<uint8_t>('a' + i % 26);
  for (const std::vector<uint8_t>& file :
       {testing::Lz4fStripe(kFormatVersion, true, true, text),
        testing::Lz4fStripe(kFormatVersion, true, true, text, /*content_size=*/true),
        testing::Lz4fStripe(kOldestReadableVersion, false, true, text)}) {
    if (file.empty()) std::abort();
    seeds.push_back(Tagged(0, file.data(), file.size()));
  }
  vdibk::proto::Manifest m;
  m.set_database("fuzz");
  m.add_stripes()->set_file_name("stripe-01-of-01.lz4");
  auto mf = EncodeManifestFile(m);
  seeds.push_back(Tagged(1, mf->data(), mf->size()));
  vdibk::proto::Envelope env;
  env.set_protocol_version(vdibk::proto::PROTOCOL_VERSION_CURRENT);
  env.mutable_write()->set_buffer_handle(7);
  std::string e = env.SerializeAsString();
  seeds.push_back(Tagged(2, e.data(), e.size()));
  return seeds;
}

void Mutate(std::vector<uint8_t>& b, std::mt19937_64& rng) {
  int ops = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < ops && b.size() > 1; ++i) {
    size_t pos = 1 + rng() % (b.size() - 1);
    switch (rng() % 6) {
      case 0:
        b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        b[pos] = static_cast<uint8_t>(rng());
        break;
      case 2:
        b.resize(pos);
        break;
      case 3:
        b.insert(b.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng()));
        break;
      case 4:
        b.erase(b.begin() + static_cast<long>(pos));
        break;
      default: {  // overwrite 4 bytes with an "interesting" length
        static const uint32_t kVals[] = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 4096};
        uint32_t v = kVals[rng() % 6];
        for (int k = 0; k < 4 && pos + k < b.size(); ++k)
          b[pos + k] = static_cast<uint8_t>(v >> (8 * k));
      }
    }
  }
}

}  // namespace

// Usage: stripe_fuzz [--seconds=N] [--seed=S] [files...]  (files are run once each first)
int main(int argc, char** argv) {
  double seconds = 5;
  uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0)
      seconds = std::atof(a.c_str() + 10);
    else if (a.rfind("--seed=", 0) == 0)
      seed = std::strtoull(a.c_str() + 7, nullptr, 10);
    else
      files.push_back(a);
  }
  for (const auto& f : files) {
    FILE* fp = std::fopen(f.c_str(), "rb");
    if (!fp) continue;
    std::vector<uint8_t> b;
    int c;
    while ((c = std::fgetc(fp)) != EOF) b.push_back(static_cast<uint8_t>(c));
    std::fclose(fp);
    LLVMFuzzerTestOneInput(b.data(), b.size());
  }
  std::printf("stripe_fuzz: seed %llu, %.1f s\n", static_cast<unsigned long long>(seed), seconds);
  std::mt19937_64 rng(seed);
  auto seeds = Seeds();
  for (auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  const clock_t end = std::clock() + static_cast<clock_t>(seconds * CLOCKS_PER_SEC);
  uint64_t runs = 0;
  while (std::clock() < end) {
    std::vector<uint8_t> b = seeds[rng() % seeds.size()];
    Mutate(b, rng);
    LLVMFuzzerTestOneInput(b.data(), b.size());
    ++runs;
  }
  std::printf("stripe_fuzz: %llu inputs, no crash\n", static_cast<unsigned long long>(runs));
  return 0;
}
#endif  // VDIBK_LIBFUZZER
