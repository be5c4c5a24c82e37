// LoadLe/StoreLe: fixed-width integers read from and written to unaligned bytes in little-endian
// order, the byte order of every format of ours (stripes, the emulator's pages, log and streams).
// Header-only; on a little-endian host each is one unaligned load or store.
#ifndef VDIBK_SHARED_BASE_LITTLE_ENDIAN_H_
#define VDIBK_SHARED_BASE_LITTLE_ENDIAN_H_

#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace vdibk {

// The sizeof(T) bytes at `p` (no alignment needed) as a little-endian T.
template <std::integral T>
T LoadLe(const void* p) {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  } else {
    const auto* b = static_cast<const uint8_t*>(p);
    std::make_unsigned_t<T> u = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      u |= static_cast<std::make_unsigned_t<T>>(b[i]) << (8 * i);
    }
    return static_cast<T>(u);
  }
}

// Writes `v` to the sizeof(T) bytes at `p` (no alignment needed), least significant byte first.
template <std::integral T>
void StoreLe(void* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof(T));
  } else {
    auto* b = static_cast<uint8_t*>(p);
    const auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<uint8_t>(u >> (8 * i));
  }
}

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_LITTLE_ENDIAN_H_
