// Test helpers for shared/stripe: deterministic test data, file bytes, and stripes built by hand
// around frames from liblz4's own frame encoder.
#ifndef VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_

#include <lz4frame.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "shared/stripe/digest.h"
#include "shared/stripe/stripe_format.h"

namespace vdibk::stripe::testing {

// Half-compressible bytes: runs of random bytes alternating with runs of repeated text.
inline std::vector<uint8_t> MakeData(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out;
  out.reserve(size);
  static const char kText[] = "SQL Server page 0000 row data 'vdibackup' ";
  while (out.size() < size) {
    size_t run = 1 + rng() % 4096;
    bool random = rng() & 1;
    for (size_t i = 0; i < run && out.size() < size; ++i) {
      out.push_back(random ? static_cast<uint8_t>(rng()) : kText[i % (sizeof kText - 1)]);
    }
  }
  return out;
}

inline StripeHeader MakeHeader(uint32_t index = 0, uint32_t count = 2) {
  StripeHeader h;
  for (size_t i = 0; i < h.set_id.size(); ++i) h.set_id[i] = static_cast<uint8_t>(0xA0 + i);
  h.database = "SalesDb";
  h.backup_type = BackupType::kFull;
  h.device_index = index;
  h.device_count = count;
  h.created_unix_ms = 1700000000000;
  return h;
}

inline std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A stripe (header MakeHeader(0, 2), format `version`) around one LZ4 frame of `raw` made by
// liblz4's LZ4F with 64 KiB independent blocks, the given checksum flags and, if asked, the
// content size in the frame header; empty on failure.
inline std::vector<uint8_t> Lz4fStripe(uint16_t version, bool block_sums, bool content_sum,
                                       const std::vector<uint8_t>& raw, bool content_size = false) {
  StripeHeader h = MakeHeader(0, 2);
  h.format_version = version;
  Result<std::vector<uint8_t>> head = EncodeHeaderFrame(h);
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.blockChecksumFlag = block_sums ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum;
  prefs.frameInfo.contentChecksumFlag =
      content_sum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
  prefs.frameInfo.contentSize = content_size ? raw.size() : 0;
  std::vector<uint8_t> frame(LZ4F_compressFrameBound(raw.size(), &prefs));
  const size_t n = LZ4F_compressFrame(frame.data(), frame.size(), raw.data(), raw.size(), &prefs);
  if (!head.ok() || LZ4F_isError(n)) return {};
  frame.resize(n);
  StripeTrailer t;
  t.format_version = version;
  t.raw_bytes = raw.size();
  t.compressed_bytes = frame.size();
  t.raw_xxh64 = Digest64Of(raw.data(), raw.size());
  t.frames = {{0, head->size()}};
  std::vector<uint8_t> file = *head;
  file.insert(file.end(), frame.begin(), frame.end());
  const std::vector<uint8_t> tail = EncodeTrailerFrame(t);
  file.insert(file.end(), tail.begin(), tail.end());
  return file;
}

}  // namespace vdibk::stripe::testing

#endif  // VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_
