// Test helpers for shared/stripe: deterministic test data and a one-call stripe writer.
#ifndef VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_
#define VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

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

}  // namespace vdibk::stripe::testing

#endif  // VDIBK_TESTS_UNIT_SHARED_STRIPE_STRIPE_TEST_UTIL_H_
