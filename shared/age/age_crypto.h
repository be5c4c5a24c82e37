// The primitives age v1 is built from, on OpenSSL 3 (EVP): random bytes, HKDF-SHA-256,
// HMAC-SHA-256, ChaCha20-Poly1305, X25519 and scrypt. Thread-safe (no shared state).
#ifndef VDIBK_SHARED_AGE_AGE_CRYPTO_H_
#define VDIBK_SHARED_AGE_AGE_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "shared/age/secret_bytes.h"
#include "shared/base/result.h"
#include "shared/base/status.h"

namespace vdibk::age {

inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kX25519Size = 32;
using Bytes32 = std::array<uint8_t, 32>;
using AeadNonce = std::array<uint8_t, kAeadNonceSize>;

// Fills `out` from the OpenSSL CSPRNG. Errors: kFailed.
Status RandomBytes(std::span<uint8_t> out);

// HKDF-SHA-256 (RFC 5869) of `ikm` into `out` (an empty salt is the RFC's zero salt).
Status Hkdf(std::span<const uint8_t> ikm, std::span<const uint8_t> salt, std::string_view info,
            std::span<uint8_t> out);

// HMAC-SHA-256 of `data` under `key`.
Result<Bytes32> HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data);

// ChaCha20-Poly1305 (RFC 8439), no associated data. `key` is 32 bytes. Seal writes
// plaintext.size() + 16 bytes to `out`; Open writes ciphertext.size() - 16 bytes and fails with
// kIntegrity when the tag does not verify (then `out` holds no plaintext).
Status AeadSeal(std::span<const uint8_t> key, const AeadNonce& nonce,
                std::span<const uint8_t> plaintext, uint8_t* out);
Status AeadOpen(std::span<const uint8_t> key, const AeadNonce& nonce,
                std::span<const uint8_t> ciphertext, uint8_t* out);

// X25519 (RFC 7748): the public share of a 32-byte scalar, and the shared secret of a scalar and
// a peer's share. An all-zero shared secret (a low-order share) is an error (kIntegrity).
Result<Bytes32> X25519Public(std::span<const uint8_t> scalar);
Result<SecretBytes> X25519Shared(std::span<const uint8_t> scalar, std::span<const uint8_t> peer);

// scrypt (RFC 7914) with N = 2^log_n, r = 8, p = 1, into `out`.
Status Scrypt(std::string_view passphrase, std::span<const uint8_t> salt, int log_n,
              std::span<uint8_t> out);

}  // namespace vdibk::age

#endif  // VDIBK_SHARED_AGE_AGE_CRYPTO_H_
