// Checksum64 implementation (see checksum.h for the algorithm).
#include "emulator/db/checksum.h"

#include <cstring>

namespace vdibk::emulator {
namespace {

constexpr uint64_t kK1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kK2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kK3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kK4 = 0x85EBCA77C2B2AE63ULL;

inline uint64_t Rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }
inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // the project only targets little-endian hosts
  return v;
}
inline uint64_t Round(uint64_t acc, uint64_t w) { return Rotl(acc + w * kK2, 31) * kK1; }

}  // namespace

void Checksum64::Reset(uint64_t seed) {
  seed_ = seed;
  lane_[0] = seed + kK1 + kK2;
  lane_[1] = seed + kK2;
  lane_[2] = seed;
  lane_[3] = seed - kK1;
  total_ = 0;
  tail_len_ = 0;
}

void Checksum64::Stripe(const uint8_t* p) {
  lane_[0] = Round(lane_[0], Load64(p));
  lane_[1] = Round(lane_[1], Load64(p + 8));
  lane_[2] = Round(lane_[2], Load64(p + 16));
  lane_[3] = Round(lane_[3], Load64(p + 24));
}

void Checksum64::Update(const void* data, size_t len) {
  if (len == 0) return;  // data may be null for an empty span
  const uint8_t* p = static_cast<const uint8_t*>(data);
  total_ += len;
  if (tail_len_ > 0) {
    size_t take = 32 - tail_len_ < len ? 32 - tail_len_ : len;
    std::memcpy(tail_ + tail_len_, p, take);
    tail_len_ += take;
    p += take;
    len -= take;
    if (tail_len_ < 32) return;
    Stripe(tail_);
    tail_len_ = 0;
  }
  while (len >= 32) {
    Stripe(p);
    p += 32;
    len -= 32;
  }
  if (len > 0) {
    std::memcpy(tail_, p, len);
    tail_len_ = len;
  }
}

void Checksum64::UpdateU64(uint64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);
  Update(b, 8);
}

uint64_t Checksum64::Digest() const {
  uint64_t h;
  if (total_ >= 32) {
    h = Rotl(lane_[0], 1) + Rotl(lane_[1], 7) + Rotl(lane_[2], 12) + Rotl(lane_[3], 18);
    for (uint64_t l : lane_) h = (h ^ Round(0, l)) * kK1 + kK4;
  } else {
    h = seed_ + kK3;
  }
  h += total_;
  const uint8_t* p = tail_;
  size_t len = tail_len_;
  while (len >= 8) {
    h = Rotl(h ^ Round(0, Load64(p)), 27) * kK1 + kK4;
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    h = Rotl(h ^ (*p * kK3), 11) * kK1;
    ++p;
    --len;
  }
  h ^= h >> 33;
  h *= kK2;
  h ^= h >> 29;
  h *= kK3;
  h ^= h >> 32;
  return h;
}

uint64_t ComputeChecksum64(const void* data, size_t len, uint64_t seed) {
  Checksum64 c(seed);
  c.Update(data, len);
  return c.Digest();
}

}  // namespace vdibk::emulator
