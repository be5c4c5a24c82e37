// MD5 for S3's integrity headers and ETags (OpenSSL EVP): Content-MD5 (base64), the hex ETag of a
// single-part object, and the "<md5 of part md5s>-N" ETag of a multipart one.
#ifndef VDIBK_SHARED_S3_CONTENT_MD5_H_
#define VDIBK_SHARED_S3_CONTENT_MD5_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vdibk::s3 {

using Md5Digest = std::array<uint8_t, 16>;

Md5Digest Md5Of(std::string_view data);
std::string Base64(const uint8_t* data, size_t size);
inline std::string ContentMd5(std::string_view data) {
  const Md5Digest d = Md5Of(data);
  return Base64(d.data(), d.size());
}

// An ETag without its quotes ("\"abc\"" -> "abc"), lower-cased.
std::string BareEtag(std::string_view etag);

// The ETag S3 gives an object completed from parts with these ETags (each a plain MD5 in hex,
// quoted or not): hex(MD5(concatenated binary part MD5s)) + "-" + count. nullopt when a part
// ETag is not a plain MD5 (e.g. SSE-KMS), so no expectation can be formed.
std::optional<std::string> MultipartEtag(const std::vector<std::string>& part_etags);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_CONTENT_MD5_H_
