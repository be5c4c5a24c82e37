// Bech32 (BIP 173, the original checksum constant 1) as age keys use it: no 90-character limit,
// case-insensitive decoding (mixed case refused), lower- or upper-case encoding.
#ifndef VDIBK_SHARED_AGE_BECH32_H_
#define VDIBK_SHARED_AGE_BECH32_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::age {

struct Bech32Data {
  std::string hrp;            // lower case, as decoded
  std::vector<uint8_t> data;  // 8-bit bytes (the 5-bit groups converted back, padding checked)
};

// Encodes `data` (8-bit bytes) under `hrp`. `upper` gives the all-upper-case form.
// Errors: kUsage for an empty or invalid HRP.
Result<std::string> Bech32Encode(std::string_view hrp, std::span<const uint8_t> data, bool upper);

// Decodes and verifies a Bech32 string. Errors: kUsage naming what is wrong (mixed case, no
// separator, invalid character, bad checksum, non-zero padding).
Result<Bech32Data> Bech32Decode(std::string_view text);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_BECH32_H_
