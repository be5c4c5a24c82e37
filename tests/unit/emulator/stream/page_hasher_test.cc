// Tests of HashPages: the parallel split gives exactly the per-page checksums, short last page
// included, also with several callers competing for the one helper thread.
#include "emulator/stream/page_hasher.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "emulator/db/checksum.h"

namespace vdibk::emulator {
namespace {

constexpr size_t kPage = 8192;

std::vector<uint8_t> Bytes(size_t n, uint8_t salt) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + (i >> 13) + salt);
  return v;
}

std::vector<uint64_t> Sequential(const std::vector<uint8_t>& d, size_t count, size_t last) {
  std::vector<uint64_t> out(count);
  for (size_t i = 0; i < count; ++i) {
    out[i] = ComputeChecksum64(d.data() + i * kPage, i + 1 == count ? last : kPage, 42);
  }
  return out;
}

TEST(PageHasherTest, MatchesPerPageChecksumsForEverySize) {
  for (size_t count :
       {size_t{1}, size_t{2}, kParallelHashMinPages - 1, kParallelHashMinPages, size_t{257}}) {
    for (size_t last : {kPage, size_t{512}}) {
      std::vector<uint8_t> d = Bytes(count * kPage, static_cast<uint8_t>(count));
      std::vector<uint64_t> got(count, 0);
      HashPages(d.data(), count, kPage, last, 42, got.data());
      EXPECT_EQ(got, Sequential(d, count, last)) << count << " pages, last " << last;
    }
  }
}

TEST(PageHasherTest, EveryPageIsCoveredByItsOwnChecksum) {
  const size_t count = 128;
  std::vector<uint8_t> d = Bytes(count * kPage, 1);
  std::vector<uint64_t> before(count), after(count);
  HashPages(d.data(), count, kPage, kPage, 42, before.data());
  d[3 * kPage + 17] ^= 0x01;   // a page in the first half (the helper's)
  d[100 * kPage + 5] ^= 0x80;  // a page in the second half (the caller's)
  HashPages(d.data(), count, kPage, kPage, 42, after.data());
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(before[i] != after[i], i == 3 || i == 100) << "page " << i;
  }
}

TEST(PageHasherTest, ConcurrentCallersAllGetTheirOwnResults) {
  const size_t count = 200;
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);  // not vector<bool>: callers write their own slot concurrently
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> d = Bytes(count * kPage, static_cast<uint8_t>(t * 7));
      const std::vector<uint64_t> want = Sequential(d, count, kPage);
      bool all = true;
      for (int round = 0; round < 20; ++round) {
        std::vector<uint64_t> got(count, 0);
        HashPages(d.data(), count, kPage, kPage, 42, got.data());
        all = all && got == want;
      }
      ok[static_cast<size_t>(t)] = all ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[static_cast<size_t>(t)], 1) << "caller " << t;
}

}  // namespace
}  // namespace vdibk::emulator
