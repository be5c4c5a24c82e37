// S3's URI encoding (SigV4 "UriEncode"): the one encoding of object keys and query parameters,
// used both for the canonical request and for the URL on the wire, so the two always agree.
#ifndef VDIBK_SHARED_S3_URI_ENCODE_H_
#define VDIBK_SHARED_S3_URI_ENCODE_H_

#include <string>
#include <string_view>
#include <vector>

namespace vdibk::s3 {

// One query parameter, decoded. An empty value is a parameter without one (`?uploads`).
struct QueryParam {
  std::string name;
  std::string value;
};

// Percent-encodes every byte except the unreserved A-Z a-z 0-9 - . _ ~ (upper-case hex digits).
// '/' is kept when `keep_slash` (paths) and encoded otherwise (query names and values).
std::string UriEncode(std::string_view bytes, bool keep_slash);

// The canonical URI of a decoded path ("/bucket/a b" -> "/bucket/a%20b"): encoded once, not
// normalized (S3 keys may hold "//", "." and ".."); "" becomes "/".
std::string EncodePath(std::string_view path);

// The canonical query string: names and values encoded, sorted by name then value, each as
// "name=value" (also "uploads=" for a parameter without a value), joined by '&'.
std::string CanonicalQuery(const std::vector<QueryParam>& query);

// The request target for the wire: EncodePath(path) plus "?" and the parameters in the given
// order, "name=value" or just "name" when the value is empty ("/b/k?uploads").
std::string RequestTarget(std::string_view path, const std::vector<QueryParam>& query);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_URI_ENCODE_H_
