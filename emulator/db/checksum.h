// Checksum64: the emulator's fast 64-bit checksum for pages, log records and backup streams:
// XXH3-64 (libxxhash, run-time dispatched to the widest SIMD the CPU has).
#ifndef VDIBK_EMULATOR_DB_CHECKSUM_H_
#define VDIBK_EMULATOR_DB_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

#ifndef XXH_STATIC_LINKING_ONLY
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t is embedded, not heap-allocated
#endif
#include <xxhash.h>

namespace vdibk::emulator {

// Streaming checksum: XXH3-64 with a 64-bit seed. Splitting the input into Update() calls of any
// size gives the same digest as ComputeChecksum64 of the whole. Not cryptographic: it detects
// accidental corruption (any single flipped byte changes it). Copyable; not thread-safe.
class Checksum64 {
 public:
  explicit Checksum64(uint64_t seed = 0) { Reset(seed); }
  void Reset(uint64_t seed = 0);
  void Update(const void* data, size_t len);
  void UpdateU64(uint64_t v);  // same as Update() of the 8 little-endian bytes
  uint64_t Digest() const;     // does not change the state
  uint64_t total_length() const;

 private:
  XXH3_state_t state_;
};

// One-shot form of Checksum64.
uint64_t ComputeChecksum64(const void* data, size_t len, uint64_t seed = 0);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_CHECKSUM_H_
