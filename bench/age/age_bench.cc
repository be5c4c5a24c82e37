// age encryption and decryption throughput (AgeWriter into a discarding sink, AgeReader over an
// in-memory file) against memcpy of the same bytes and bare ChaCha20-Poly1305 chunk sealing:
// what does encrypting a backup stream cost per core?
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "shared/age/age_keys.h"
#include "shared/age/age_reader.h"
#include "shared/age/age_stream.h"
#include "shared/age/age_writer.h"

namespace vdibk::age {
namespace {

constexpr size_t kBuffer = 1u << 20;   // one VDI transfer
constexpr size_t kCorpus = 64u << 20;  // cycled through so caches do not flatter us

const std::vector<uint8_t>& Corpus() {
  static const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> out(kCorpus);
    std::mt19937 rng(1);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    return out;
  }();
  return data;
}

const X25519Identity& Key() {
  static const X25519Identity id = X25519Identity::Generate().value();
  return id;
}

class StringFile : public stripe::ReadableFile {
 public:
  explicit StringFile(const std::string& bytes) : bytes_(bytes) {}
  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override {
    if (offset >= bytes_.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(size, bytes_.size() - offset);
    std::memcpy(dst, bytes_.data() + offset, n);
    return n;
  }
  Result<uint64_t> Size() override { return uint64_t{bytes_.size()}; }
  const std::string& name() const override { return name_; }

 private:
  const std::string& bytes_;
  std::string name_ = "bench";
};

void BM_Memcpy(benchmark::State& state) {
  const auto& src = Corpus();
  std::vector<uint8_t> dst(kBuffer);
  size_t off = 0;
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data() + off, kBuffer);
    benchmark::DoNotOptimize(dst.data());
    off = (off + kBuffer) % kCorpus;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_Memcpy);

void BM_SealChunk(benchmark::State& state) {
  const auto& src = Corpus();
  SecretBytes key(32);
  std::vector<uint8_t> out(kSealedChunkSize);
  size_t off = 0;
  uint64_t index = 0;
  for (auto _ : state) {
    if (!SealChunk(key, index++, false, {src.data() + off, kChunkSize}, out.data()).ok())
      state.SkipWithError("seal failed");
    off = (off + kChunkSize) % kCorpus;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChunkSize));
}
BENCHMARK(BM_SealChunk);

void BM_Encrypt(benchmark::State& state) {
  const auto& src = Corpus();
  std::vector<const Recipient*> rs{&Key().recipient()};
  uint64_t sunk = 0;
  auto w = AgeWriter::Create(rs, [&](const uint8_t*, size_t n) {
             sunk += n;
             return Status::Ok();
           }).value();
  size_t off = 0;
  for (auto _ : state) {
    if (!w->Write(src.data() + off, kBuffer).ok()) state.SkipWithError("write failed");
    off = (off + kBuffer) % kCorpus;
  }
  benchmark::DoNotOptimize(sunk);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_Encrypt);

void BM_Decrypt(benchmark::State& state) {
  const auto& src = Corpus();
  std::vector<const Recipient*> rs{&Key().recipient()};
  std::string file;
  auto w = AgeWriter::Create(rs, [&](const uint8_t* p, size_t n) {
             file.append(reinterpret_cast<const char*>(p), n);
             return Status::Ok();
           }).value();
  if (!w->Write(src.data(), kCorpus).ok() || !w->Finish().ok()) state.SkipWithError("encrypt");
  StringFile f(file);
  std::vector<const Identity*> ids{&Key()};
  auto r = AgeReader::Open(f, ids).value();
  std::vector<uint8_t> dst(kBuffer);
  uint64_t off = 0;
  for (auto _ : state) {
    auto n = r->ReadAt(off, dst.data(), kBuffer);
    if (!n.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(dst.data());
    off = (off + kBuffer) % kCorpus;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_Decrypt);

}  // namespace
}  // namespace vdibk::age
