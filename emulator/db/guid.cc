// Guid implementation.
#include "emulator/db/guid.h"

#include <sys/random.h>

#include <chrono>
#include <cstring>

namespace vdibk::emulator {

bool Guid::IsZero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::string Guid::ToString() const {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

Result<Guid> Guid::Parse(std::string_view text) {
  Guid g;
  size_t n = 0;
  int half = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return Status::Usage("bad GUID: " + std::string(text));
    }
    if (half < 0) {
      half = v;
    } else {
      if (n >= 16) return Status::Usage("bad GUID: " + std::string(text));
      g.bytes[n++] = static_cast<uint8_t>(half << 4 | v);
      half = -1;
    }
  }
  if (n != 16 || half >= 0) return Status::Usage("bad GUID: " + std::string(text));
  return g;
}

Guid Guid::Random() {
  Guid g;
  if (getrandom(g.bytes.data(), g.bytes.size(), 0) != static_cast<ssize_t>(g.bytes.size())) {
    // Extremely unlikely; fall back to the clock so the GUID still differs between calls.
    return FromSeed(
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  }
  return g;
}

Guid Guid::FromSeed(uint64_t seed) {
  Guid g;
  uint64_t x = seed;
  for (size_t i = 0; i < 16; i += 8) {
    x += 0x9E3779B97F4A7C15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    std::memcpy(g.bytes.data() + i, &z, 8);
  }
  return g;
}

}  // namespace vdibk::emulator
