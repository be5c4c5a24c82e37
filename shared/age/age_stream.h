// The age v1 payload (STREAM): a 16-byte nonce, the payload key HKDF(file key, salt = nonce,
// info "payload"), then 64 KiB plaintext chunks sealed with ChaCha20-Poly1305 under the nonce
// (11-byte big-endian chunk counter || last-chunk flag). The last chunk is empty only when the
// whole plaintext is.
#ifndef VDIBK_SHARED_AGE_AGE_STREAM_H_
#define VDIBK_SHARED_AGE_AGE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/age/age_crypto.h"
#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"

namespace vdibk::age {

inline constexpr size_t kPayloadNonceSize = 16;
inline constexpr size_t kChunkSize = 64 * 1024;
inline constexpr size_t kSealedChunkSize = kChunkSize + kAeadTagSize;

Result<SecretBytes> DerivePayloadKey(const SecretBytes& file_key,
                                     std::span<const uint8_t> payload_nonce);

// The AEAD nonce of chunk `index`.
AeadNonce ChunkNonce(uint64_t index, bool last);

// Seals one chunk (at most kChunkSize bytes) into `out` (plaintext.size() + 16 bytes).
Status SealChunk(const SecretBytes& payload_key, uint64_t index, bool last,
                 std::span<const uint8_t> plaintext, uint8_t* out);
// Opens one sealed chunk into `out` (ciphertext.size() - 16 bytes). kIntegrity on a bad tag.
Status OpenChunk(const SecretBytes& payload_key, uint64_t index, bool last,
                 std::span<const uint8_t> ciphertext, uint8_t* out);

// Opens chunk `index` of a file given where it sits: `final_position` when no byte follows it,
// else `bytes_after` follow (UINT64_MAX: some, count unknown). Resizes `out` to the plaintext.
// Errors (kIntegrity, "age: chunk N: ..."): a bad tag (corruption, reordering, mid-chunk
// truncation), a chunk marked last with bytes after it (trailing data), a final chunk not
// marked last (truncation at a chunk boundary), an empty last chunk after data, fewer bytes than
// a tag.
Status OpenPositionedChunk(const SecretBytes& payload_key, uint64_t index, bool final_position,
                           uint64_t bytes_after, std::span<const uint8_t> sealed,
                           std::vector<uint8_t>* out);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_STREAM_H_
