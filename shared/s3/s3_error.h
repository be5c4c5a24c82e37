// S3Error: why one S3 request failed (no response, or an HTTP error with S3's <Error> body), its
// classification (transient: worth a retry; permanent: fail at once) and its Status, which names
// the operation, bucket and key and says how to fix a permanent cause.
#ifndef VDIBK_SHARED_S3_S3_ERROR_H_
#define VDIBK_SHARED_S3_S3_ERROR_H_

#include <string>
#include <string_view>

#include "shared/base/status.h"
#include "shared/s3/http_transport.h"
#include "shared/s3/s3_messages.h"

namespace vdibk::s3 {

struct S3Error {
  TransportError transport = TransportError::kNone;
  std::string transport_detail;  // curl's words when transport != kNone
  long http_status = 0;
  S3ErrorBody body;  // parsed from the response (code empty when there was none)

  // From a response that is not a success: the transport error, or the status and <Error> body.
  static S3Error FromResponse(const HttpResponse& response);
};

// Transient: no connection, reset, timeout, HTTP 500/502/503/504/429, and the codes SlowDown,
// RequestTimeout, InternalError, ServiceUnavailable (RequestTimeTooSkewed is not: a clock problem).
// Everything else (403, 404, 400, TLS, DNS, a local body failure) is permanent.
bool IsTransient(const S3Error& error);

// The Status of a failure of `operation` (e.g. "PutObject") on s3://bucket/key ("" key: the
// bucket). Codes: kConfiguration (78) for credentials, permissions, a missing bucket, region,
// TLS and endpoint problems; kMissing (4) for NoSuchKey/NoSuchUpload; kIntegrity for BadDigest and
// InvalidPart; kTargetIo (6) for the rest, including transient failures. The message holds the
// S3 code, message and request id and a fix hint, never a header value or a secret.
Status ToStatus(const S3Error& error, std::string_view operation, std::string_view bucket,
                std::string_view key);

// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string Redact(std::string text, std::string_view secret1, std::string_view secret2 = {});

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_ERROR_H_
