// S3Location parsing and validation.
#include "shared/s3/s3_location.h"

namespace vdibk::s3 {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(std::string_view s) {
  int dots = 0;
  for (char c : s) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return dots == 3;
}

}  // namespace

bool IsValidBucketName(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  if (!IsLowerAlnum(b.front()) || !IsLowerAlnum(b.back())) return false;
  for (char c : b)
    if (!IsLowerAlnum(c) && c != '.' && c != '-') return false;
  if (b.find("..") != std::string_view::npos) return false;
  return !LooksLikeIpv4(b);
}

std::string S3Location::ToString() const {
  return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
}

Result<S3Location> S3Location::Parse(std::string_view url) {
  const std::string shown = "'" + std::string(url.substr(0, 200)) + "'";
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme))
    return Status::Usage("S3 location " + shown + ": must start with s3:// (s3://BUCKET/PREFIX)");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty())
    return Status::Usage("S3 location " + shown + ": no bucket (s3://BUCKET/PREFIX)");
  if (!IsValidBucketName(bucket))
    return Status::Usage("S3 location " + shown + ": '" + std::string(bucket) +
                         "' is not a valid bucket name (3-63 characters of a-z, 0-9, '.' and '-', "
                         "starting and ending with a letter or digit)");
  S3Location loc;
  loc.bucket = std::string(bucket);
  if (slash == std::string_view::npos) return loc;
  std::string_view prefix = rest.substr(slash + 1);
  if (prefix.empty()) return loc;
  for (char c : prefix)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Status::Usage("S3 location " + shown + ": the prefix holds a control character");
  if (prefix.front() == '/' || prefix.find("//") != std::string_view::npos)
    return Status::Usage("S3 location " + shown + ": the prefix has an empty path segment ('//')");
  if (prefix.size() > 900)
    return Status::Usage("S3 location " + shown + ": the prefix is longer than 900 bytes");
  loc.prefix = std::string(prefix);
  if (loc.prefix.back() != '/') loc.prefix += '/';
  return loc;
}

}  // namespace vdibk::s3
