// Checksum64 implementation: XXH3-64 from libxxhash, through its run-time CPU dispatch (AVX2 where
// the machine has it, SSE2 otherwise).
#include "emulator/db/checksum.h"

#include <xxh_x86dispatch.h>

namespace vdibk::emulator {

void Checksum64::Reset(uint64_t seed) { XXH3_64bits_reset_withSeed(&state_, seed); }

void Checksum64::Update(const void* data, size_t len) {
  if (len == 0) return;  // data may be null for an empty span
  XXH3_64bits_update_dispatch(&state_, data, len);
}

void Checksum64::UpdateU64(uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  XXH3_64bits_update_dispatch(&state_, b, sizeof(b));
}

uint64_t Checksum64::Digest() const { return XXH3_64bits_digest(&state_); }

uint64_t Checksum64::total_length() const { return state_.totalLen; }

uint64_t ComputeChecksum64(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed_dispatch(len == 0 ? "" : data, len, seed);
}

}  // namespace vdibk::emulator
