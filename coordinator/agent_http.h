// HttpServer: the agent's HTTP/1.1 listener on Boost.Beast. An accept thread hands each
// connection to its own session thread, up to HttpServerOptions::max_connections at once (one
// more is answered 503 and closed); every request must arrive whole within request_timeout of
// the session starting to wait for it (else 408 and close), so a slow or stuck client holds one
// session, never the others. Requests are bounded (8 KiB header, 64 KiB body).
#ifndef VDIBK_COORDINATOR_AGENT_HTTP_H_
#define VDIBK_COORDINATOR_AGENT_HTTP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "coordinator/agent_api.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct HttpServerOptions {
  size_t max_connections = 16;                       // sessions served at once
  std::chrono::milliseconds request_timeout{10000};  // idle keep-alive included
};

class HttpServer {
 public:
  // Called on session threads, concurrently: must be thread-safe.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Binds and listens on host:port (port 0 = a free port). Errors: kConfiguration.
  static Result<std::unique_ptr<HttpServer>> Listen(const std::string& host, uint16_t port,
                                                    Handler handler,
                                                    HttpServerOptions options = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  // Starts the accept thread.
  void Start();
  // Stops accepting; sessions end within ~250 ms (a request being handled finishes first); joins
  // every thread. Idempotent.
  void Stop();
  // Sessions alive now (for tests and logs).
  size_t ActiveSessions() const;

 private:
  struct Impl;
  struct Session;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  void AcceptLoop();
  void JoinEndedSessions(bool all);

  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::list<std::unique_ptr<Session>> sessions_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_HTTP_H_
