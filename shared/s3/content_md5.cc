// MD5 over OpenSSL's EVP (the default provider has it), base64 via EVP_EncodeBlock.
#include "shared/s3/content_md5.h"

#include <openssl/evp.h>

#include <cctype>

#include "shared/s3/sha256.h"

namespace vdibk::s3 {

Md5Digest Md5Of(std::string_view data) {
  Md5Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  return out;
}

std::string Base64(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::string BareEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  std::string out(etag);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> MultipartEtag(const std::vector<std::string>& part_etags) {
  if (part_etags.empty()) return std::nullopt;
  std::string concatenated;
  for (const std::string& quoted : part_etags) {
    const std::string hex = BareEtag(quoted);
    if (hex.size() != 32) return std::nullopt;
    for (size_t i = 0; i < 32; i += 2) {
      int v = 0;
      for (size_t j = i; j < i + 2; ++j) {
        const char c = hex[j];
        if (c >= '0' && c <= '9')
          v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f')
          v = v * 16 + (c - 'a' + 10);
        else
          return std::nullopt;
      }
      concatenated += static_cast<char>(v);
    }
  }
  const Md5Digest d = Md5Of(concatenated);
  return HexLower(d.data(), d.size()) + "-" + std::to_string(part_etags.size());
}

}  // namespace vdibk::s3
