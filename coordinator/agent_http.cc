// HttpServer on Boost.Beast: non-blocking sockets driven by poll() with a per-request deadline,
// one thread per session, a bounded session count. Boost exceptions stop at this adapter.
#include "coordinator/agent_http.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "shared/base/log.h"

namespace vdibk::coordinator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 64 * 1024;
constexpr auto kStopCheck = std::chrono::milliseconds(250);

bool WouldBlock(const beast::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

// Waits until `fd` is ready for `events`: false at the deadline or when the server stops.
bool WaitReady(int fd, short events, Clock::time_point deadline, const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load()) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min(left, kStopCheck).count()));
    if (n > 0) return true;
  }
}

// Writes the whole response before the deadline. False: timed out, stopped or failed.
bool WriteResponse(tcp::socket& socket, http::response<http::string_body>& res,
                   Clock::time_point deadline, const std::atomic<bool>& stop) {
  http::response_serializer<http::string_body> sr{res};
  while (!sr.is_done()) {
    beast::error_code ec;
    http::write_some(socket, sr, ec);
    if (WouldBlock(ec)) {
      if (!WaitReady(socket.native_handle(), POLLOUT, deadline, stop)) return false;
      continue;
    }
    if (ec) return false;
  }
  return true;
}

http::response<http::string_body> ErrorResponse(http::status status, const std::string& error) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::server, "vdibackup-agent");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::connection, "close");
  res.body() = "{\"error\":\"" + error + "\"}\n";
  res.prepare_payload();
  return res;
}

void ServeConnection(tcp::socket& socket, const HttpServer::Handler& handler,
                     const HttpServerOptions& options, const std::atomic<bool>& stop) {
  socket.non_blocking(true);
  beast::flat_buffer buffer;
  for (;;) {
    const Clock::time_point deadline = Clock::now() + options.request_timeout;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    beast::error_code ec;
    while (!parser.is_done()) {
      http::read_some(socket, buffer, parser, ec);
      if (!ec) continue;
      if (!WouldBlock(ec)) break;
      ec = {};
      if (!WaitReady(socket.native_handle(), POLLIN, deadline, stop)) {
        if (stop.load()) return;
        if (buffer.size() > 0 || parser.got_some()) {
          auto res = ErrorResponse(http::status::request_timeout, "request timed out");
          (void)WriteResponse(socket, res, Clock::now() + std::chrono::seconds(1), stop);
        }
        return;
      }
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof) return;
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        auto res = ErrorResponse(http::status::payload_too_large, "request too large");
        (void)WriteResponse(socket, res, Clock::now() + options.request_timeout, stop);
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
    if (!WriteResponse(socket, res, Clock::now() + options.request_timeout, stop)) return;
    if (!res.keep_alive()) return;
  }
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
  HttpServerOptions options;
  tcp::endpoint bound;
};

// One connection and the thread serving it; `ended` is set by that thread as its last act.
struct HttpServer::Session {
  std::thread thread;
  std::atomic<bool> ended{false};
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  port_ = impl_->bound.port();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const std::string& host, uint16_t port,
                                                       Handler handler, HttpServerOptions options) {
  if (options.max_connections == 0) options.max_connections = 1;
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->options = options;
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
  thread_ = std::thread([this] { AcceptLoop(); });
}

size_t HttpServer::ActiveSessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& s : sessions_) n += s->ended.load() ? 0 : 1;
  return n;
}

void HttpServer::JoinEndedSessions(bool all) {
  std::list<std::unique_ptr<Session>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (all || (*it)->ended.load()) {
        done.push_back(std::move(*it));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : done) s->thread.join();
}

void HttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    tcp::socket socket(impl_->io);
    beast::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (stopping_.load()) return;
    if (ec) continue;
    JoinEndedSessions(false);
    if (ActiveSessions() >= impl_->options.max_connections) {
      // Over the limit: a short answer, best effort, and the connection is closed.
      socket.non_blocking(true, ec);
      auto res = ErrorResponse(http::status::service_unavailable, "too many connections");
      (void)WriteResponse(socket, res, Clock::now() + std::chrono::milliseconds(100), stopping_);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      log::Warn("agent http: connection refused, " +
                std::to_string(impl_->options.max_connections) + " sessions busy");
      continue;
    }
    auto session = std::make_unique<Session>();
    Session* s = session.get();
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.push_back(std::move(session));
    s->thread = std::thread([this, s, sock = std::move(socket)]() mutable {
      try {
        ServeConnection(sock, impl_->handler, impl_->options, stopping_);
      } catch (const std::exception& e) {
        log::Warn(std::string("agent http: ") + e.what());
      }
      // Uncounted before the close: a client that saw the close finds the slot free.
      s->ended.store(true);
      beast::error_code ignored;
      sock.shutdown(tcp::socket::shutdown_both, ignored);
      sock.close(ignored);
    });
  }
}

void HttpServer::Stop() {
  if (!stopping_.exchange(true) && thread_.joinable()) {
    // Wake the blocking accept() by shutting the listening socket down (Linux returns EINVAL).
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  }
  if (thread_.joinable()) thread_.join();
  JoinEndedSessions(true);
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace vdibk::coordinator
