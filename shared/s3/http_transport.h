// HttpTransport: the seam between the S3 client and HTTP (CurlTransport in production, scripted
// fakes in tests). One request at a time, whole response before returning.
#ifndef VDIBK_SHARED_S3_HTTP_TRANSPORT_H_
#define VDIBK_SHARED_S3_HTTP_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"
#include "shared/base/status.h"
#include "shared/s3/sigv4_signer.h"

namespace vdibk::s3 {

// A request body produced while it is sent (a file, a stripe being read). size() is fixed and
// sent as Content-Length. Rewind() starts it over for a retry; a source that cannot restart fails
// it (the request is then not retried).
class HttpBodySource {
 public:
  virtual ~HttpBodySource() = default;
  virtual uint64_t size() const = 0;
  // Fills up to `max` bytes of `buffer`; returns how many (0 only at the end).
  virtual Result<size_t> Read(char* buffer, size_t max) = 0;
  virtual Status Rewind() = 0;
};

// Where a successful (2xx) response body goes while it arrives. Restart() is called before a
// retried request writes again (drop what the failed attempt wrote); an error response's body
// never reaches the sink.
class HttpBodySink {
 public:
  virtual ~HttpBodySink() = default;
  virtual Status Write(std::string_view data) = 0;
  virtual Status Restart() = 0;
};

struct HttpRequest {
  std::string method;                // "GET", "PUT", "POST", "DELETE", "HEAD"
  std::string url;                   // scheme://host[:port]/encoded-path?query
  std::vector<HttpHeader> headers;   // sent as given (Host included); nothing else is added
  std::span<const char> body;        // the body in memory (may be empty) ...
  HttpBodySource* source = nullptr;  // ... or streamed from here (not owned); wins when set
  HttpBodySink* sink = nullptr;      // 2xx body goes here (not owned) instead of response.body
};

// Why a request got no HTTP response. The S3 client decides what is worth a retry.
enum class TransportError {
  kNone,        // a response arrived (any status)
  kConnect,     // connection refused / host unreachable
  kResolve,     // the host name does not resolve
  kTimeout,     // connect timeout or the low-speed limit
  kConnection,  // reset, closed early, send/receive failure mid-request
  kTls,         // certificate or handshake failure
  kBodySource,  // the body source or sink failed (its message is in detail)
  kOther,       // anything else (bad URL, out of memory, ...)
};

inline std::string_view TransportErrorName(TransportError e) {
  switch (e) {
    case TransportError::kNone:
      return "none";
    case TransportError::kConnect:
      return "connection failed";
    case TransportError::kResolve:
      return "host not found";
    case TransportError::kTimeout:
      return "timed out";
    case TransportError::kConnection:
      return "connection lost";
    case TransportError::kTls:
      return "TLS failure";
    case TransportError::kBodySource:
      return "body source/sink failed";
    case TransportError::kOther:
      return "transport failure";
  }
  return "transport failure";
}

struct HttpResponse {
  TransportError error = TransportError::kNone;
  std::string detail;               // when error != kNone: what went wrong (never a secret)
  long status = 0;                  // HTTP status when error == kNone
  std::vector<HttpHeader> headers;  // names lower-cased, of the final response
  std::string body;                 // the whole body unless a sink took a 2xx one

  // The first header named `lower_name`, if any.
  std::optional<std::string_view> Header(std::string_view lower_name) const {
    for (const HttpHeader& h : headers)
      if (h.name == lower_name) return std::string_view(h.value);
    return std::nullopt;
  }
};

// Sends HTTP requests, reusing connections between them. Not thread-safe: one per thread.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Blocks until the whole response has arrived or the request failed (see TransportError).
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_HTTP_TRANSPORT_H_
