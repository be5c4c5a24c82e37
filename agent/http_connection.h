// Internal to http_server.cc: the state every connection shares (ServerCore: handler, limits,
// handler pool) and one connection over any stream (TCP, TLS, Unix) as an asynchronous state
// machine: [TLS handshake] -> headers -> body -> handler -> response -> keep-alive or close.
// Everything here runs on the server's one I/O thread except the handler calls on the pool.
#ifndef VDIBK_AGENT_HTTP_CONNECTION_H_
#define VDIBK_AGENT_HTTP_CONNECTION_H_

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "agent/http_server.h"
#include "agent/tls_context.h"

namespace vdibk::coordinator::http_internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 64 * 1024;
constexpr auto kCloseTimeout = std::chrono::seconds(1);

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void Close() = 0;  // I/O thread
};

struct ServerCore {
  ServerCore(HttpServer::Handler h, HttpServerOptions o)
      : handler(std::move(h)),
        options(std::move(o)),
        pool(std::max<size_t>(1, options.handler_threads)) {}

  enum class Admission { kNormal, kOverflow, kRefused };
  // I/O thread: a slot for a new connection from `peer`.
  Admission Admit(const std::string& peer) {
    size_t& n = per_peer[peer];
    if (total < options.max_connections && n < options.max_connections_per_peer) {
      ++total;
      ++n;
      return Admission::kNormal;
    }
    if (n == 0) per_peer.erase(peer);
    if (overflow < options.max_connections) {
      ++overflow;
      return Admission::kOverflow;
    }
    Refused("too_many_connections");
    return Admission::kRefused;
  }
  void Release(const std::string& peer, bool was_overflow) {
    if (was_overflow) {
      --overflow;
      return;
    }
    --total;
    if (--per_peer[peer] == 0) per_peer.erase(peer);
  }
  void Refused(const std::string& reason) {
    if (options.on_refused) options.on_refused(reason);
  }
  bool IsPriority(const std::string& path) const {
    const auto& p = options.priority_paths;
    return std::find(p.begin(), p.end(), path) != p.end();
  }

  const HttpServer::Handler handler;
  const HttpServerOptions options;
  asio::thread_pool pool;
  // I/O thread only:
  size_t total = 0;
  size_t overflow = 0;
  std::map<std::string, size_t> per_peer;
  std::list<std::weak_ptr<ConnectionBase>> connections;
  bool stopping = false;
  std::atomic<size_t> active{0};  // connections alive (any thread reads)
  asio::io_context io;            // last: destroyed first, while the rest is alive
};

// The reason label and the answer for a read error; status 0 = close without an answer.
struct ReadFailure {
  int status = 0;
  std::string reason;
  std::string message;
};
ReadFailure ClassifyReadError(const beast::error_code& ec, bool got_bytes);
// {"error":"<message>"} and a newline.
std::string ErrorBody(const std::string& message);

// A response with the agent's headers; `close`: Connection: close.
http::response<http::string_body> MakeResponse(const HttpResponse& out, unsigned version,
                                               bool keep_alive);

template <class Stream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>;

 public:
  Connection(std::shared_ptr<ServerCore> core, Stream stream, PeerInfo peer, std::string peer_key,
             bool overflow, std::shared_ptr<TlsContext> tls = nullptr)
      : core_(std::move(core)),
        stream_(std::move(stream)),
        peer_(std::move(peer)),
        peer_key_(std::move(peer_key)),
        overflow_(overflow),
        tls_(std::move(tls)),
        timer_(stream_.get_executor()) {
    ++core_->active;
  }
  ~Connection() override {
    ReleaseSlot();
    --core_->active;
  }

  void Run() {
    if constexpr (kTls) {
      Lowest().expires_after(HeaderTimeout());
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      ReadHeader();
    }
  }
  void Close() override {
    timer_.cancel();
    beast::error_code ec;
    Lowest().socket().close(ec);
  }

 private:
  // The connection stops counting against the limits (it is only closing).
  void ReleaseSlot() {
    if (!released_) core_->Release(peer_key_, overflow_);
    released_ = true;
  }
  // A read deadline that cancels the read (so a 408 can still be written), unlike the stream's
  // own timeouts, which close the socket (used for the handshake and writes).
  void Arm(std::chrono::milliseconds d) {
    timed_out_ = false;
    Lowest().expires_never();
    timer_.expires_after(d);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the read ended first
      self->timed_out_ = true;
      beast::error_code ignored;
      self->Lowest().socket().cancel(ignored);
    });
  }
  beast::error_code Disarm(beast::error_code ec) {
    timer_.cancel();
    if (timed_out_ && ec == asio::error::operation_aborted) return beast::error::timeout;
    return ec;
  }
  auto& Lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::milliseconds HeaderTimeout() const {
    return overflow_ ? std::min(core_->options.overflow_timeout, core_->options.header_timeout)
                     : core_->options.header_timeout;
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      core_->Refused("tls_handshake");
      return Close();
    }
    if constexpr (kTls) peer_.client_cn = VerifiedPeerCommonName(stream_.native_handle());
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    Arm(HeaderTimeout());
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(self->Disarm(ec));
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    Arm(core_->options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec2, size_t) {
                       ec2 = self->Disarm(ec2);
                       if (ec2) return self->OnReadError(ec2);
                       self->Dispatch();
                     });
  }

  void OnReadError(const beast::error_code& ec) {
    const ReadFailure f = ClassifyReadError(ec, buffer_.size() > 0 || parser_->got_some());
    if (f.status == 0) return Close();
    core_->Refused(f.reason);
    Respond(HttpResponse{f.status, "application/json", ErrorBody(f.message), {}}, 11, false);
  }

  void Dispatch() {
    if (core_->stopping) return Close();
    const auto& req = parser_->get();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      r.authorization = std::string(it->value());
    }
    r.peer = peer_;
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive() && !overflow_ && !core_->stopping;
    std::string path = r.target.substr(0, r.target.find('?'));
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    if (core_->IsPriority(path)) return Respond(core_->handler(r), version, keep_alive);
    if (overflow_) {
      core_->Refused("too_many_connections");
      return Respond({503, "application/json", ErrorBody("too many connections"), {}}, version,
                     false);
    }
    // The pool's reference moves to the I/O thread's task: the connection always ends (and
    // releases its slot) on the I/O thread.
    asio::post(core_->pool,
               [self = this->shared_from_this(), r = std::move(r), version, keep_alive]() mutable {
                 HttpResponse out = self->core_->handler(r);
                 asio::io_context& io = self->core_->io;
                 asio::post(io, [self = std::move(self), out = std::move(out), version,
                                 keep_alive]() { self->Respond(out, version, keep_alive); });
               });
  }

  void Respond(const HttpResponse& out, unsigned version, bool keep_alive) {
    response_.emplace(MakeResponse(out, version, keep_alive));
    Lowest().expires_after(core_->options.header_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (keep_alive && !self->core_->stopping) return self->ReadHeader();
                        self->Shutdown();
                      });
  }

  // Ends the connection so the client reads the whole response: TLS close_notify, or a
  // half-close and a short drain of what the client still sends (no RST over the answer).
  void Shutdown() {
    ReleaseSlot();
    Lowest().expires_after(kCloseTimeout);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ec;
      Lowest().socket().shutdown(asio::socket_base::shutdown_send, ec);
      Drain();
    }
  }
  void Drain() {
    Lowest().async_read_some(asio::buffer(drain_),
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->Drain();
                             });
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  PeerInfo peer_;
  const std::string peer_key_;
  const bool overflow_;
  std::shared_ptr<TlsContext> tls_;  // kept alive while the connection uses it
  asio::steady_timer timer_;         // read deadlines (Arm)
  bool timed_out_ = false;
  bool released_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  char drain_[1024];
};

}  // namespace vdibk::coordinator::http_internal

#endif  // VDIBK_AGENT_HTTP_CONNECTION_H_
