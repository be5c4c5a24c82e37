// OpenSSL 3 EVP calls behind age_crypto.h; every context is owned by a unique_ptr.
#include "shared/age/age_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <climits>
#include <memory>
#include <string>

namespace vdibk::age {
namespace {

struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

Status OpensslError(const char* what) {
  return Status::Failed(std::string("age: OpenSSL ") + what);
}

Result<PkeyPtr> PrivateKey(std::span<const uint8_t> scalar) {
  if (scalar.size() != kX25519Size) return Status::Failed("age: X25519 scalar must be 32 bytes");
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  if (!key) return OpensslError("X25519 private key");
  return key;
}

}  // namespace

Status RandomBytes(std::span<uint8_t> out) {
  if (out.empty()) return Status::Ok();
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) return OpensslError("RAND_bytes");
  return Status::Ok();
}

Status Hkdf(std::span<const uint8_t> ikm, std::span<const uint8_t> salt, std::string_view info,
            std::span<uint8_t> out) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpensslError("HKDF fetch");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpensslError("HKDF context");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  const_cast<uint8_t*>(ikm.data()), ikm.size());
  if (!salt.empty())
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<uint8_t*>(salt.data()), salt.size());
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
    return OpensslError("HKDF derive");
  return Status::Ok();
}

Result<Bytes32> HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data) {
  Bytes32 mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           mac.data(), &len) == nullptr ||
      len != mac.size())
    return OpensslError("HMAC-SHA-256");
  return mac;
}

namespace {

Status Aead(bool seal, std::span<const uint8_t> key, const AeadNonce& nonce,
            std::span<const uint8_t> in, size_t in_len, uint8_t* out, const uint8_t* tag_in,
            uint8_t* tag_out) {
  if (key.size() != 32) return Status::Failed("age: ChaCha20-Poly1305 key must be 32 bytes");
  if (in_len > INT_MAX) return Status::Failed("age: AEAD message too large");
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpensslError("cipher context");
  if (EVP_CipherInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, key.data(), nonce.data(),
                        seal ? 1 : 0) != 1)
    return OpensslError("ChaCha20-Poly1305 init");
  int len = 0;
  if (in_len != 0 &&
      EVP_CipherUpdate(ctx.get(), out, &len, in.data(), static_cast<int>(in_len)) != 1)
    return OpensslError("ChaCha20-Poly1305 update");
  if (!seal && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize),
                                   const_cast<uint8_t*>(tag_in)) != 1)
    return OpensslError("ChaCha20-Poly1305 set tag");
  int fin = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out + len, &fin) != 1) {
    if (!seal) {
      Wipe(out, in_len);
      return Status::Integrity("age: authentication failed");
    }
    return OpensslError("ChaCha20-Poly1305 final");
  }
  if (seal && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize),
                                  tag_out) != 1)
    return OpensslError("ChaCha20-Poly1305 get tag");
  return Status::Ok();
}

}  // namespace

Status AeadSeal(std::span<const uint8_t> key, const AeadNonce& nonce,
                std::span<const uint8_t> plaintext, uint8_t* out) {
  return Aead(true, key, nonce, plaintext, plaintext.size(), out, nullptr, out + plaintext.size());
}

Status AeadOpen(std::span<const uint8_t> key, const AeadNonce& nonce,
                std::span<const uint8_t> ciphertext, uint8_t* out) {
  if (ciphertext.size() < kAeadTagSize) return Status::Integrity("age: ciphertext too short");
  const size_t n = ciphertext.size() - kAeadTagSize;
  return Aead(false, key, nonce, ciphertext, n, out, ciphertext.data() + n, nullptr);
}

Result<Bytes32> X25519Public(std::span<const uint8_t> scalar) {
  VDIBK_ASSIGN_OR_RETURN(PkeyPtr key, PrivateKey(scalar));
  Bytes32 pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size())
    return OpensslError("X25519 public key");
  return pub;
}

Result<SecretBytes> X25519Shared(std::span<const uint8_t> scalar, std::span<const uint8_t> peer) {
  if (peer.size() != kX25519Size) return Status::Integrity("age: X25519 share must be 32 bytes");
  VDIBK_ASSIGN_OR_RETURN(PkeyPtr key, PrivateKey(scalar));
  PkeyPtr peer_key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
  if (!peer_key) return OpensslError("X25519 peer key");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer_key.get()) != 1)
    return OpensslError("X25519 derive init");
  SecretBytes shared(kX25519Size);
  size_t len = shared.size();
  // OpenSSL refuses an all-zero result (a low-order peer share) here too.
  if (EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1 || len != kX25519Size)
    return Status::Integrity("age: X25519 with a low-order share (invalid stanza)");
  uint8_t acc = 0;
  for (size_t i = 0; i < len; ++i) acc |= shared.data()[i];
  if (acc == 0) return Status::Integrity("age: X25519 shared secret is zero (invalid stanza)");
  return shared;
}

Status Scrypt(std::string_view passphrase, std::span<const uint8_t> salt, int log_n,
              std::span<uint8_t> out) {
  if (log_n < 1 || log_n > 40) return Status::Failed("age: scrypt work factor out of range");
  const uint64_t n = uint64_t{1} << log_n;
  const uint64_t r = 8, p = 1;
  const uint64_t maxmem = 128 * r * n * p + (uint64_t{1} << 20);
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(), n, r, p,
                     maxmem, out.data(), out.size()) != 1)
    return OpensslError("scrypt");
  return Status::Ok();
}

}  // namespace vdibk::age
