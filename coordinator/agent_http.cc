// HttpServer on Boost.Beast (synchronous): accept, read one request at a time with a bounded
// parser, hand it to the handler, write the response. Boost exceptions stop at this adapter.
#include "coordinator/agent_http.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "shared/base/log.h"

namespace vdibk::coordinator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 64 * 1024;

void SetTimeouts(tcp::socket& s) {
  timeval tv{10, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void ServeConnection(tcp::socket& socket, const HttpServer::Handler& handler) {
  SetTimeouts(socket);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    beast::error_code ec;
    http::read(socket, buffer, parser, ec);
    if (ec == http::error::end_of_stream || ec == asio::error::eof) return;
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        http::response<http::string_body> res{http::status::payload_too_large, 11};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::connection, "close");
        res.body() = "{\"error\":\"request too large\"}\n";
        res.prepare_payload();
        http::write(socket, res, ec);
      }
      return;
    }
    const http::request<http::string_body>& req = parser.get();
    HttpRequest r{std::string(req.method_string()), std::string(req.target()), req.body()};
    HttpResponse out = handler(r);
    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::server, "vdibackup-agent");
    res.set(http::field::content_type, out.content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out.body);
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !res.keep_alive()) return;
  }
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
  tcp::endpoint bound;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  port_ = impl_->bound.port();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const std::string& host, uint16_t port,
                                                       Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  try {
    beast::error_code ec;
    const asio::ip::address addr = asio::ip::make_address(host, ec);
    if (ec) return Status::Configuration("listen: '" + host + "' is not an IP address");
    const tcp::endpoint ep(addr, port);
    impl->acceptor.open(ep.protocol());
    impl->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl->acceptor.bind(ep);
    impl->acceptor.listen(asio::socket_base::max_listen_connections);
    impl->bound = impl->acceptor.local_endpoint();
  } catch (const boost::system::system_error& e) {
    return Status::Configuration("listen on " + host + ":" + std::to_string(port) + ": " +
                                 e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  thread_ = std::thread([this] { Serve(); });
}

void HttpServer::Serve() {
  while (!stopping_.load()) {
    tcp::socket socket(impl_->io);
    beast::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (stopping_.load()) return;
    if (ec) continue;
    try {
      ServeConnection(socket, impl_->handler);
    } catch (const std::exception& e) {
      log::Warn(std::string("agent http: ") + e.what());
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable()) thread_.join();
    return;
  }
  if (thread_.joinable()) {
    // Wake the blocking accept() by shutting the listening socket down (Linux returns EINVAL).
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    thread_.join();
  }
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace vdibk::coordinator
