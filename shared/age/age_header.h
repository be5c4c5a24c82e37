// The age v1 header (age-encryption.org/v1): stanzas, the MAC line, their canonical encoding
// (unpadded base64, bodies wrapped at 64 columns) and the strict parser.
#ifndef VDIBK_SHARED_AGE_AGE_HEADER_H_
#define VDIBK_SHARED_AGE_AGE_HEADER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/age/age_crypto.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

inline constexpr std::string_view kVersionLine = "age-encryption.org/v1";
inline constexpr size_t kFileKeySize = 16;
// Readers refuse longer headers (kIntegrity) rather than buffer without bound.
inline constexpr size_t kMaxHeaderSize = 1 << 20;

// One recipient stanza: "-> type args..." and its body.
struct Stanza {
  std::string type;
  std::vector<std::string> args;
  std::vector<uint8_t> body;
};

struct Header {
  std::vector<Stanza> stanzas;
  Bytes32 mac{};
  // The bytes the MAC covers: from the version line up to and including "---" of the MAC line.
  std::string mac_input;
  size_t encoded_size = 0;  // bytes of the whole header, MAC line and its '\n' included
};

// Standard base64 without padding; decoding refuses padding, non-canonical trailing bits and
// characters outside the alphabet (kIntegrity).
std::string Base64Encode(std::span<const uint8_t> data);
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

// The header's text up to and including "---" (what the MAC covers) for `stanzas`.
// Errors: kUsage for a stanza type or argument that is empty or not printable ASCII.
Result<std::string> EncodeHeaderMacInput(const std::vector<Stanza>& stanzas);

// The MAC over `mac_input` under HKDF(file key, salt empty, info "header").
Result<Bytes32> HeaderMac(const SecretBytes& file_key, std::string_view mac_input);

// Parses a header from the start of `text`, which must hold at least the whole header (the
// payload may follow). Returns kMissing when `text` ends before the MAC line (read more), and
// kIntegrity naming the line for anything malformed.
Result<Header> ParseHeader(std::string_view text);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_HEADER_H_
