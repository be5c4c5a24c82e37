// Guid: a 16-byte identifier (backup set GUIDs, differential bases) with text form and a random
// source.
#ifndef VDIBK_EMULATOR_DB_GUID_H_
#define VDIBK_EMULATOR_DB_GUID_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/base/result.h"

namespace vdibk::emulator {

struct Guid {
  std::array<uint8_t, 16> bytes{};

  bool IsZero() const;
  // "8-4-4-4-12" lower-case hex of the bytes in order (no Windows mixed-endian swapping).
  std::string ToString() const;
  static Result<Guid> Parse(std::string_view text);
  // 16 bytes from the OS random source (getrandom); never fails in practice.
  static Guid Random();
  // A deterministic GUID from a number (tests inject these).
  static Guid FromSeed(uint64_t seed);

  friend bool operator==(const Guid& a, const Guid& b) { return a.bytes == b.bytes; }
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_GUID_H_
