// HttpServer: the agent's HTTP/1.1 listener on Boost.Beast. One thread accepts and serves each
// connection synchronously (keep-alive honoured); requests are bounded (8 KiB header, 64 KiB
// body) and sockets time out after 10 s of silence.
#ifndef VDIBK_COORDINATOR_AGENT_HTTP_H_
#define VDIBK_COORDINATOR_AGENT_HTTP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "coordinator/agent_api.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Binds and listens on host:port (port 0 = a free port). Errors: kConfiguration.
  static Result<std::unique_ptr<HttpServer>> Listen(const std::string& host, uint16_t port,
                                                    Handler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  // Starts the serving thread.
  void Start();
  // Stops accepting, finishes the connection being served, joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  void Serve();
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_HTTP_H_
