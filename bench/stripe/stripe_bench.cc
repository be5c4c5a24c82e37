// StripeWriter throughput vs memcpy and the hashes it runs: how much of a core does encoding a VDI
// buffer cost? Data: half-compressible (random runs alternating with repetitive text), or the
// file named by STRIPE_BENCH_INPUT (e.g. a native BACKUP TO DISK of a generated database).
#include <benchmark/benchmark.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "shared/stripe/digest.h"
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

}  // namespace
}  // namespace vdibk::stripe
