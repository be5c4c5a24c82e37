// HttpServer: the agent's HTTP/1.1 listeners on Boost.Beast: TCP, TLS (listen_tls) and a Unix
// socket (peer uid by SO_PEERCRED). One I/O thread reads every connection asynchronously, so an
// idle or slow client costs a socket, never a thread; whole requests go to a small pool of
// handler threads, except the priority paths (/healthz), answered on the I/O thread at once.
// Limits: open connections (in all and per peer address or uid), a header and a body timeout
// (408), 8 KiB of header (431) and 64 KiB of body (413); a malformed request is answered 400.
// A connection over the limits is still read, briefly (overflow_timeout), and only a priority
// path is served to it (else 503), so clients that hold connections open cannot starve /healthz.
#ifndef VDIBK_AGENT_HTTP_SERVER_H_
#define VDIBK_AGENT_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/http_request.h"
#include "shared/base/result.h"

namespace boost::asio::ssl {
class context;
}

namespace vdibk::coordinator {

struct HttpServerOptions {
  size_t max_connections = 64;                      // connections served normally, in all
  size_t max_connections_per_peer = 16;             // ... per peer (TCP/TLS: address; Unix: uid)
  std::chrono::milliseconds header_timeout{10000};  // request line + headers (and keep-alive idle)
  std::chrono::milliseconds body_timeout{10000};    // the body, after the headers
  // Connections over the limits: their header timeout; at most max_connections of them at once
  // (more are closed at accept).
  std::chrono::milliseconds overflow_timeout{1000};
  size_t handler_threads = 4;
  // Answered on the I/O thread (the handler must not block for them), over the limits too.
  std::vector<std::string> priority_paths = {"/healthz"};
  // Called (on the I/O thread) for each request the server itself refuses, with the reason:
  // too_many_connections, timeout, too_large, malformed, tls_handshake.
  std::function<void(const std::string& reason)> on_refused;
};

class HttpServer {
 public:
  // Called on handler threads (and the I/O thread for priority paths), concurrently.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  static std::unique_ptr<HttpServer> Create(Handler handler, HttpServerOptions options = {});
  // Create + ListenTcp: kept for callers with one TCP listener.
  static Result<std::unique_ptr<HttpServer>> Listen(const std::string& host, uint16_t port,
                                                    Handler handler,
                                                    HttpServerOptions options = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listeners, added before Start(). Port 0 = a free port; the bound port is returned.
  // Errors: kConfiguration (not an IP address, cannot bind).
  Result<uint16_t> ListenTcp(const std::string& host, uint16_t port);
  Result<uint16_t> ListenTls(const std::string& host, uint16_t port,
                             std::shared_ptr<boost::asio::ssl::context> context);
  // Binds `path` (a stale socket file there is replaced) and chmods it to `mode`; the file is
  // removed by Stop(). Errors: kConfiguration.
  Status ListenUnix(const std::string& path, uint32_t mode);
  // New TLS connections use `context` from now on; open ones keep theirs (SIGHUP reload).
  void SetTlsContext(std::shared_ptr<boost::asio::ssl::context> context);

  uint16_t port() const;  // the first TCP listener's port (0: none)
  // Starts the I/O thread and the handler threads.
  void Start();
  // Stops accepting, closes every connection (requests being handled finish first), joins the
  // threads. Idempotent.
  void Stop();
  // Connections open now (for tests and logs).
  size_t ActiveSessions() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_HTTP_SERVER_H_
