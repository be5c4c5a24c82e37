// SHA-256 and HMAC-SHA-256 over OpenSSL's EVP (the SigV4 signer's primitives), and lower-case hex.
#ifndef VDIBK_SHARED_S3_SHA256_H_
#define VDIBK_SHARED_S3_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vdibk::s3 {

using Sha256Digest = std::array<uint8_t, 32>;

// Lower-case hex of `size` bytes.
std::string HexLower(const uint8_t* data, size_t size);
inline std::string HexLower(const Sha256Digest& d) { return HexLower(d.data(), d.size()); }

Sha256Digest Sha256Of(std::string_view data);
inline std::string Sha256Hex(std::string_view data) { return HexLower(Sha256Of(data)); }

// HMAC-SHA-256 of `data` under `key`.
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
inline Sha256Digest HmacSha256(const Sha256Digest& key, std::string_view data) {
  return HmacSha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), data);
}

// Streaming SHA-256 (a payload hashed as it is produced): any split of the input into Update()
// calls gives Sha256Of of the whole. Move-only; not thread-safe. Finish() ends the hash; Update()
// after it starts a new one.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void Update(const void* data, size_t size);  // data may be null when size is 0
  Sha256Digest Finish();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
  bool started_ = false;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_SHA256_H_
