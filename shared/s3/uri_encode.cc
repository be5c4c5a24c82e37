// S3's URI encoding: RFC 3986 unreserved characters stay, every other byte is %XX.
#include "shared/s3/uri_encode.h"

#include <algorithm>
#include <utility>

namespace vdibk::s3 {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string UriEncode(std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string EncodePath(std::string_view path) {
  if (path.empty()) return "/";
  std::string out = path.front() == '/' ? std::string() : std::string("/");
  out += UriEncode(path, /*keep_slash=*/true);
  return out;
}

std::string CanonicalQuery(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const QueryParam& p : query)
    encoded.emplace_back(UriEncode(p.name, false), UriEncode(p.value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string RequestTarget(std::string_view path, const std::vector<QueryParam>& query) {
  std::string out = EncodePath(path);
  char sep = '?';
  for (const QueryParam& p : query) {
    out.push_back(sep);
    sep = '&';
    out += UriEncode(p.name, false);
    if (!p.value.empty()) {
      out.push_back('=');
      out += UriEncode(p.value, false);
    }
  }
  return out;
}

}  // namespace vdibk::s3
