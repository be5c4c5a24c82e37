// CurlTransport: HttpTransport over one libcurl easy handle, kept for the transport's lifetime so
// consecutive requests reuse the connection (keep-alive) and the DNS/TLS session caches.
#ifndef VDIBK_SHARED_S3_CURL_TRANSPORT_H_
#define VDIBK_SHARED_S3_CURL_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <string>

#include "shared/base/result.h"
#include "shared/s3/http_transport.h"

namespace vdibk::s3 {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // A transfer slower than low_speed_bytes per second for low_speed_time fails with kTimeout.
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  // PEM file of CA certificates for https; empty: the system CA store.
  std::string ca_file;
  bool verify_tls = true;  // tests against self-signed servers only
};

// Move-only; not thread-safe (one transport per thread). Redirects are not followed (S3 answers
// a wrong region with 301 + an Error body, which the client reports).
class CurlTransport final : public HttpTransport {
 public:
  // Fails (kFailed) only when libcurl cannot initialize.
  static Result<std::unique_ptr<CurlTransport>> Create(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Handle;
  CurlTransport(CurlTransportOptions options, std::unique_ptr<Handle> handle);
  CurlTransportOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_CURL_TRANSPORT_H_
