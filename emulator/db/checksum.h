// Checksum64: the emulator's fast 64-bit checksum for pages, log records and backup streams.
// Four independent multiply-rotate lanes over 32-byte stripes, folded and avalanched at the end.
#ifndef VDIBK_EMULATOR_DB_CHECKSUM_H_
#define VDIBK_EMULATOR_DB_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace vdibk::emulator {

// Streaming checksum. Algorithm (all little-endian, arithmetic mod 2^64):
//   lanes l0..l3 start at seed + {K1+K2, K2, 0, -K1}; every 32-byte stripe feeds word i to lane i
//   as l = rotl(l + w * K2, 31) * K1. Digest folds the lanes (rotations 1/7/12/18), adds the total
//   length, mixes the <32-byte tail word by word, then avalanches (xor-shift-multiply).
// Splitting the input into Update() calls of any size gives the same digest. Not cryptographic:
// it detects accidental corruption (any single flipped byte changes it). Not thread-safe.
class Checksum64 {
 public:
  explicit Checksum64(uint64_t seed = 0) { Reset(seed); }
  void Reset(uint64_t seed = 0);
  void Update(const void* data, size_t len);
  void UpdateU64(uint64_t v);  // same as Update() of the 8 little-endian bytes
  uint64_t Digest() const;     // does not change the state
  uint64_t total_length() const { return total_; }

 private:
  void Stripe(const uint8_t* p);
  uint64_t lane_[4];
  uint64_t seed_;
  uint64_t total_;
  uint8_t tail_[32];
  size_t tail_len_;
};

// One-shot form of Checksum64.
uint64_t ComputeChecksum64(const void* data, size_t len, uint64_t seed = 0);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_CHECKSUM_H_
