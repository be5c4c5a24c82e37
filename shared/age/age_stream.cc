// STREAM chunk nonces and sealing for the age payload.
#include "shared/age/age_stream.h"

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

}  // namespace vdibk::age
