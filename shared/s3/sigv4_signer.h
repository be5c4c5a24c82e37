// SigV4Signer: AWS Signature Version 4 (AWS4-HMAC-SHA256) for S3 requests sent in the
// Authorization header, with a signed payload hash or UNSIGNED-PAYLOAD.
#ifndef VDIBK_SHARED_S3_SIGV4_SIGNER_H_
#define VDIBK_SHARED_S3_SIGV4_SIGNER_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"
#include "shared/s3/uri_encode.h"

namespace vdibk::s3 {

// The payload hash of a body that is not hashed (S3 accepts it over TLS and plain HTTP alike).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// An access key pair with an optional session token (temporary credentials). The secret is
// used only to derive signing keys: nothing in this library writes it into a message or a log.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none; otherwise sent and signed as x-amz-security-token
};

struct HttpHeader {
  std::string name;
  std::string value;
};

struct SigV4Request {
  std::string method;               // "GET", "PUT", ...
  std::string path;                 // decoded ("/bucket/a key"); see EncodePath
  std::vector<QueryParam> query;    // decoded; see CanonicalQuery
  std::vector<HttpHeader> headers;  // every one is signed; must include Host; names in any case,
                                    // a repeated name's values are joined with ',' in order
  std::string payload_sha256;       // lower-case hex SHA-256 of the body, or kUnsignedPayload
};

struct SigV4Signature {
  // The headers to add to the request as sent: x-amz-date, x-amz-content-sha256 (when the signer
  // adds it), x-amz-security-token (with a session token) and Authorization, in that order.
  std::vector<HttpHeader> headers;
  std::string authorization;   // the Authorization header's value
  std::string signed_headers;  // "host;x-amz-content-sha256;x-amz-date"
  std::string signature;       // hex
  // For tests and diagnosis. Neither holds the secret key; the canonical request holds the
  // session token (if any), so it is not for logs either.
  std::string canonical_request;
  std::string string_to_sign;
};

// "20150830T123600Z" (UTC) for a time point, and "20150830" its date.
std::string AmzDate(std::chrono::system_clock::time_point t);

// Signs requests for one region and service with one set of credentials. Immutable after
// construction: Sign() may be called from several threads at once. Copyable and movable.
class SigV4Signer {
 public:
  struct Options {
    // S3 requires x-amz-content-sha256 on every request; AWS's generic test suite has none.
    bool add_content_sha256_header = true;
  };

  SigV4Signer(AwsCredentials credentials, std::string region, std::string service = "s3");
  SigV4Signer(AwsCredentials credentials, std::string region, std::string service, Options options);

  // Signs `request` as of `now`. Fails (kUsage: a programming error) when Host is missing, a
  // header name is empty or not a token, a value holds CR or LF, the request already carries a
  // header the signer sets (Authorization, X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token),
  // or the payload hash is neither 64 lower-case hex digits nor UNSIGNED-PAYLOAD. Messages never
  // hold a secret.
  Result<SigV4Signature> Sign(const SigV4Request& request,
                              std::chrono::system_clock::time_point now) const;

  const std::string& access_key_id() const { return credentials_.access_key_id; }
  const std::string& region() const { return region_; }

 private:
  AwsCredentials credentials_;
  std::string region_;
  std::string service_;
  Options options_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_SIGV4_SIGNER_H_
