// StripeWriter throughput vs memcpy: how much of a core does compressing a VDI buffer cost?
// Data: half-compressible (random runs alternating with repetitive text), 1 MiB writes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

#include "shared/stripe/null_target.h"
#include "shared/stripe/stripe_reader.h"
#include "shared/stripe/stripe_writer.h"

namespace vdibk::stripe {
namespace {

constexpr size_t kBuffer = 1u << 20;   // one VDI transfer (MAXTRANSFERSIZE 1 MiB)
constexpr size_t kCorpus = 64u << 20;  // cycled through so caches do not flatter us

const std::vector<uint8_t>& Corpus() {
  static const std::vector<uint8_t> data = [] {
    std::mt19937 rng(1);
    std::vector<uint8_t> out;
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
    ->Args({0, 0, 4096})
    ->UseRealTime();

}  // namespace
}  // namespace vdibk::stripe
