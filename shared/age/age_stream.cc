// STREAM chunk nonces and sealing for the age payload.
#include "shared/age/age_stream.h"

#include <string>

namespace vdibk::age {

Result<SecretBytes> DerivePayloadKey(const SecretBytes& file_key,
                                     std::span<const uint8_t> payload_nonce) {
  SecretBytes key(32);
  VDIBK_RETURN_IF_ERROR(Hkdf(file_key.span(), payload_nonce, "payload", {key.data(), key.size()}));
  return key;
}

AeadNonce ChunkNonce(uint64_t index, bool last) {
  AeadNonce n{};
  for (int i = 0; i < 8; ++i) n[10 - i] = static_cast<uint8_t>(index >> (8 * i));
  n[11] = last ? 1 : 0;
  return n;
}

Status SealChunk(const SecretBytes& payload_key, uint64_t index, bool last,
                 std::span<const uint8_t> plaintext, uint8_t* out) {
  if (plaintext.size() > kChunkSize) return Status::Failed("age: chunk larger than 64 KiB");
  return AeadSeal(payload_key.span(), ChunkNonce(index, last), plaintext, out);
}

Status OpenChunk(const SecretBytes& payload_key, uint64_t index, bool last,
                 std::span<const uint8_t> ciphertext, uint8_t* out) {
  if (ciphertext.size() > kSealedChunkSize) return Status::Failed("age: chunk larger than 64 KiB");
  return AeadOpen(payload_key.span(), ChunkNonce(index, last), ciphertext, out);
}

Status OpenPositionedChunk(const SecretBytes& payload_key, uint64_t index, bool final_position,
                           uint64_t bytes_after, std::span<const uint8_t> sealed,
                           std::vector<uint8_t>* out) {
  const std::string where = "age: chunk " + std::to_string(index) + ": ";
  const size_t len = sealed.size();
  if (len < kAeadTagSize)
    return Status::Integrity(where + std::to_string(len) +
                             " bytes, shorter than a chunk tag (truncated, or trailing data)");
  out->resize(len - kAeadTagSize);
  auto refuse = [&](std::string what) {
    Wipe(out->data(), out->size());
    out->clear();
    return Status::Integrity(where + what);
  };
  if (final_position) {
    if (len == kAeadTagSize && index > 0) return refuse("an empty last chunk after data (invalid)");
    if (OpenChunk(payload_key, index, true, sealed, out->data()).ok()) return Status::Ok();
    if (OpenChunk(payload_key, index, false, sealed, out->data()).ok())
      return refuse("not marked last, but the file ends here (truncated at a chunk boundary)");
    return refuse(
        "authentication failed (corrupted, reordered, or the file was truncated "
        "mid-chunk)");
  }
  if (OpenChunk(payload_key, index, false, sealed, out->data()).ok()) return Status::Ok();
  if (OpenChunk(payload_key, index, true, sealed, out->data()).ok())
    return refuse("marked last, but " +
                  (bytes_after == UINT64_MAX ? std::string() : std::to_string(bytes_after) + " ") +
                  "more bytes follow (trailing data)");
  return refuse("authentication failed (corrupted or reordered)");
}

}  // namespace vdibk::age
