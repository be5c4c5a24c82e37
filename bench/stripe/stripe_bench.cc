// StripeWriter and StripeReader throughput vs memcpy, the hashes they run and bare LZ4 block
// decoding: how much of a core does encoding or restoring a VDI buffer cost? Data:
// half-compressible (random runs alternating with repetitive text), or the file named by
// STRIPE_BENCH_INPUT (e.g. a native BACKUP TO DISK of a generated database).
#include <benchmark/benchmark.h>
#include <lz4.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <vector>

#include "shared/stripe/digest.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/null_target.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kBuffer = 1u << 20;   // one VDI transfer (MAXTRANSFERSIZE 1 MiB)
constexpr size_t kCorpus = 64u << 20;  // cycled through so caches do not flatter us

const std::vector<uint8_t>& Corpus() {
  static const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> out;
    if (const char* path = std::getenv("STRIPE_BENCH_INPUT")) {
      std::ifstream in(path, std::ios::binary);
      out.assign(std::istreambuf_iterator<char>(in), {});
      out.resize(kCorpus);  // the first 64 MiB (zero-padded if the file is shorter)
      return out;
    }
    std::mt19937 rng(1);
    out.reserve(kCorpus);
    static const char kText[] = "INSERT INTO Sales VALUES (12345, 'vdibackup', 0.00); ";
    while (out.size() < kCorpus) {
      size_t run = 256 + rng() % 8192;
      bool random = rng() & 1;
      for (size_t i = 0; i < run && out.size() < kCorpus; ++i) {
        out.push_back(random ? static_cast<uint8_t>(rng()) : kText[i % (sizeof kText - 1)]);
      }
    }
    return out;
  }();
  return data;
}

void BM_Memcpy(benchmark::State& state) {
  const auto& src = Corpus();
  std::vector<uint8_t> dst(kBuffer);
  size_t off = 0;
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data() + off, kBuffer);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
    off = (off + kBuffer) % kCorpus;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_Memcpy);

// The hashes of a stripe, one pass over a 256 KiB slice (StripeWriter's slice size) that is already
// in the L2 cache, as it is for every pass after the first: 0 = XXH32 (LZ4 content checksum),
// 1 = XXH64 (format 1 digests), 2 = Digest64 (XXH3-64, format 2 digests).
void BM_Hash(benchmark::State& state) {
  const uint8_t* p = Corpus().data();
  const size_t n = 256u << 10;
  const int kind = static_cast<int>(state.range(0));
  uint64_t sink = 0;
  for (auto _ : state) {
    sink += kind == 0 ? XXH32(p, n, 0) : kind == 1 ? XXH64(p, n, 0) : Digest64Of(p, n);
    benchmark::DoNotOptimize(sink);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Hash)->ArgName("xxh32_xxh64_xxh3")->Arg(0)->Arg(1)->Arg(2);

// Args: compression (0 none, 1 lz4), level, block size KiB.
void BM_StripeWriter(benchmark::State& state) {
  const auto& src = Corpus();
  NullTarget target;
  StripeHeader h;
  h.compression = state.range(0) ? Compression::kLz4 : Compression::kNone;
  h.level = static_cast<int8_t>(state.range(1));
  h.block_size = static_cast<uint32_t>(state.range(2)) << 10;
  auto w = StripeWriter::Create(target, "bench", h);
  if (!w.ok()) {
    state.SkipWithError(w.status().ToString().c_str());
    return;
  }
  size_t off = 0;
  for (auto _ : state) {
    if (!w->Append(src.data() + off, kBuffer).ok()) {
      state.SkipWithError("append failed");
      break;
    }
    off = (off + kBuffer) % kCorpus;
  }
  auto sum = w->Finalize();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
  if (sum.ok() && sum->raw_bytes) {
    state.counters["ratio"] =
        static_cast<double>(sum->file_bytes) / static_cast<double>(sum->raw_bytes);
  }
}
BENCHMARK(BM_StripeWriter)
    ->ArgNames({"lz4", "level", "blockKiB"})
    ->Args({1, 1, 64})
    ->Args({1, 1, 256})
    ->Args({1, 1, 4096})
    ->Args({1, 9, 256})
    ->Args({0, 0, 64})
    ->Args({0, 0, 4096});  // CPU time (the default): steadier than wall time on a shared VM

// Stripes of the whole corpus (64 KiB blocks) in a private directory under /dev/shm, read with
// pread as a restore worker reads them; removed when the benchmark exits.
class ShmStripes {
 public:
  ShmStripes() : dir_(MakeDir()), target_(dir_) {}
  ~ShmStripes() {
    for (const char* name : {"lz4", "none"}) ::unlink((dir_ + "/" + name).c_str());
    if (!dir_.empty()) ::rmdir(dir_.c_str());
  }
  // Writes the stripe on first use; the target to open it from, or null on failure.
  DirectoryTarget* For(Compression c) {
    const int i = c == Compression::kLz4 ? 0 : 1;
    if (dir_.empty()) return nullptr;
    if (!written_[i]) {
      StripeHeader h;
      h.compression = c;
      auto w = StripeWriter::Create(target_, Name(c), h);
      if (!w.ok() || !w->Append(Corpus().data(), kCorpus).ok() || !w->Finalize().ok()) {
        return nullptr;
      }
      written_[i] = true;
    }
    return &target_;
  }
  static const char* Name(Compression c) { return c == Compression::kLz4 ? "lz4" : "none"; }

 private:
  static std::string MakeDir() {
    char tmpl[] = "/dev/shm/vdibk-stripe-bench.XXXXXX";
    return ::mkdtemp(tmpl) ? tmpl : "";
  }

  std::string dir_;
  DirectoryTarget target_;
  bool written_[2] = {false, false};
};

ShmStripes& Stripes() {
  static ShmStripes s;
  return s;
}

// A restore worker's reads: 1 MiB at a time from a stripe of the corpus, reopened at its end.
// Args: compression (0 none, 1 lz4), content checksums checked (1, verify) or not (0, restore).
void BM_StripeReader(benchmark::State& state) {
  const Compression c = state.range(0) ? Compression::kLz4 : Compression::kNone;
  DirectoryTarget* target = Stripes().For(c);
  if (!target) {
    state.SkipWithError("cannot write the stripe under /dev/shm");
    return;
  }
  std::vector<uint8_t> dst(kBuffer);
  std::optional<StripeReader> reader;
  for (auto _ : state) {
    if (!reader) {
      auto r = StripeReader::Open(*target, ShmStripes::Name(c));
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        break;
      }
      reader.emplace(std::move(r).value());
      reader->set_content_checksums(state.range(1) != 0);
    }
    auto n = reader->Read(dst.data(), dst.size());
    if (!n.ok()) {
      state.SkipWithError(n.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(dst.data());
    if (*n < dst.size()) reader.reset();  // the end: the stream digest was checked
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_StripeReader)
    ->ArgNames({"lz4", "content_checksums"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({0, 0});

// The floor under BM_StripeReader/lz4: liblz4 decoding the same corpus in 64 KiB blocks from
// memory, no checksums, no reads.
void BM_Lz4DecodeBlocks(benchmark::State& state) {
  constexpr size_t kBlock = 64u << 10;
  static const std::vector<std::vector<char>> blocks = [] {
    std::vector<std::vector<char>> out;
    const auto& src = Corpus();
    for (size_t off = 0; off < kCorpus; off += kBlock) {
      std::vector<char> b(static_cast<size_t>(LZ4_compressBound(kBlock)));
      const int n = LZ4_compress_default(reinterpret_cast<const char*>(src.data() + off), b.data(),
                                         kBlock, static_cast<int>(b.size()));
      b.resize(static_cast<size_t>(n > 0 ? n : 0));
      out.push_back(std::move(b));
    }
    return out;
  }();
  std::vector<char> dst(kBuffer);
  size_t next = 0;
  for (auto _ : state) {
    for (size_t off = 0; off < kBuffer; off += kBlock) {
      const auto& b = blocks[next++ % blocks.size()];
      if (LZ4_decompress_safe(b.data(), dst.data() + off, static_cast<int>(b.size()), kBlock) < 0) {
        state.SkipWithError("decode failed");
        return;
      }
    }
    benchmark::DoNotOptimize(dst.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBuffer));
}
BENCHMARK(BM_Lz4DecodeBlocks);

}  // namespace
}  // namespace vdibk::stripe
