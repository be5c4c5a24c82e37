// HttpServer on Boost.Asio/Beast: the listeners and their accept loops on one I/O thread, the
// admission of each connection against the limits, and an orderly Stop(). The connection state
// machine is http_connection.h. Boost exceptions stop at this adapter.
#include "agent/http_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <future>
#include <mutex>
#include <thread>

#include "agent/http_connection.h"
#include "shared/base/json_text.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {

using namespace http_internal;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using UnixStream = beast::basic_stream<unix_socket>;

namespace http_internal {

ReadFailure ClassifyReadError(const beast::error_code& ec, bool got_bytes) {
  if (ec == beast::error::timeout) {
    if (!got_bytes) return {};  // idle: closed without a word
    return {408, "timeout", "request timed out"};
  }
  if (ec == http::error::header_limit) return {431, "too_large", "request header too large"};
  if (ec == http::error::body_limit) return {413, "too_large", "request body too large"};
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return {};
  if (ec.category() == beast::error_code(http::error::bad_method).category()) {
    return {400, "malformed", "malformed request: " + ec.message()};
  }
  return {};  // a socket or TLS error: the client is gone
}

std::string ErrorBody(const std::string& message) {
  return "{\"error\":" + JsonString(message) + "}\n";
}

http::response<http::string_body> MakeResponse(const HttpResponse& out, unsigned version,
                                               bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(out.status), version};
  res.set(http::field::server, "vdibackup-agent");
  res.set(http::field::content_type, out.content_type);
  for (const auto& [name, value] : out.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = out.body;
  res.prepare_payload();
  return res;
}

}  // namespace http_internal

struct HttpServer::Impl {
  struct TcpListener {
    explicit TcpListener(asio::io_context& io, bool t) : acceptor(io), tls(t) {}
    tcp::acceptor acceptor;
    bool tls;
  };

  explicit Impl(std::shared_ptr<ServerCore> c) : core(std::move(c)) {}

  std::shared_ptr<TlsContext> CurrentTls() {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls;
  }
  void Track(const std::shared_ptr<ConnectionBase>& c) {
    auto& list = core->connections;
    list.remove_if([](const std::weak_ptr<ConnectionBase>& w) { return w.expired(); });
    list.push_back(c);
  }
  // Re-arms an accept after an error (EMFILE...) without spinning.
  template <class F>
  void Later(F f) {
    auto timer = std::make_shared<asio::steady_timer>(core->io, std::chrono::milliseconds(50));
    timer->async_wait([timer, f](beast::error_code) { f(); });
  }
  void AcceptTcp(TcpListener& l) {
    l.acceptor.async_accept([this, &l](beast::error_code ec, tcp::socket socket) {
      if (core->stopping || ec == asio::error::operation_aborted) return;
      if (ec) return Later([this, &l] { AcceptTcp(l); });
      OnTcp(l.tls, std::move(socket));
      AcceptTcp(l);
    });
  }
  void OnTcp(bool is_tls, tcp::socket socket) {
    beast::error_code ec;
    const tcp::endpoint ep = socket.remote_endpoint(ec);
    if (ec) return;
    const std::string addr = ep.address().to_string();
    const ServerCore::Admission a = core->Admit(addr);
    if (a == ServerCore::Admission::kRefused) return;  // the socket closes here
    PeerInfo peer;
    peer.transport = is_tls ? Transport::kTls : Transport::kTcp;
    peer.address =
        (ep.address().is_v6() ? "[" + addr + "]" : addr) + ":" + std::to_string(ep.port());
    const bool overflow = a == ServerCore::Admission::kOverflow;
    if (is_tls) {
      std::shared_ptr<TlsContext> ctx = CurrentTls();
      auto c = std::make_shared<Connection<TlsStream>>(core, TlsStream(std::move(socket), *ctx),
                                                       peer, addr, overflow, ctx);
      Track(c);
      c->Run();
    } else {
      auto c = std::make_shared<Connection<beast::tcp_stream>>(
          core, beast::tcp_stream(std::move(socket)), peer, addr, overflow);
      Track(c);
      c->Run();
    }
  }
  void AcceptUnix() {
    unix_acceptor->async_accept([this](beast::error_code ec, unix_socket::socket socket) {
      if (core->stopping || ec == asio::error::operation_aborted) return;
      if (ec) return Later([this] { AcceptUnix(); });
      ucred cred{};
      socklen_t len = sizeof(cred);
      if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        const std::string key = "uid:" + std::to_string(cred.uid);
        const ServerCore::Admission a = core->Admit(key);
        if (a != ServerCore::Admission::kRefused) {
          PeerInfo peer{Transport::kUnix, "unix", static_cast<uint32_t>(cred.uid), std::nullopt};
          auto c =
              std::make_shared<Connection<UnixStream>>(core, UnixStream(std::move(socket)), peer,
                                                       key, a == ServerCore::Admission::kOverflow);
          Track(c);
          c->Run();
        }
      }
      AcceptUnix();
    });
  }
  void CloseAll() {  // I/O thread
    core->stopping = true;
    beast::error_code ec;
    for (TcpListener& l : tcp_listeners) l.acceptor.close(ec);
    if (unix_acceptor) unix_acceptor->close(ec);
    for (auto& w : core->connections) {
      if (auto c = w.lock()) c->Close();
    }
  }

  std::shared_ptr<ServerCore> core;
  std::list<TcpListener> tcp_listeners;
  std::unique_ptr<unix_socket::acceptor> unix_acceptor;
  std::string unix_path;
  std::mutex tls_mu;
  std::shared_ptr<TlsContext> tls;
  uint16_t first_port = 0;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread io_thread;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<HttpServer> HttpServer::Create(Handler handler, HttpServerOptions options) {
  if (options.max_connections == 0) options.max_connections = 1;
  if (options.max_connections_per_peer == 0) options.max_connections_per_peer = 1;
  auto core = std::make_shared<ServerCore>(std::move(handler), std::move(options));
  return std::unique_ptr<HttpServer>(new HttpServer(std::make_unique<Impl>(std::move(core))));
}

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const std::string& host, uint16_t port,
                                                       Handler handler, HttpServerOptions options) {
  std::unique_ptr<HttpServer> s = Create(std::move(handler), std::move(options));
  VDIBK_ASSIGN_OR_RETURN(uint16_t bound, s->ListenTcp(host, port));
  (void)bound;
  return s;
}

HttpServer::~HttpServer() { Stop(); }

namespace {

Result<uint16_t> Bind(tcp::acceptor& acceptor, const std::string& host, uint16_t port) {
  beast::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec) return Status::Configuration("listen: '" + host + "' is not an IP address");
  try {
    const tcp::endpoint ep(addr, port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    return Status::Configuration("listen on " + host + ":" + std::to_string(port) + ": " +
                                 e.what());
  }
}

}  // namespace

Result<uint16_t> HttpServer::ListenTcp(const std::string& host, uint16_t port) {
  Impl::TcpListener& l = impl_->tcp_listeners.emplace_back(impl_->core->io, false);
  Result<uint16_t> bound = Bind(l.acceptor, host, port);
  if (!bound.ok()) {
    impl_->tcp_listeners.pop_back();
    return bound;
  }
  if (impl_->first_port == 0) impl_->first_port = *bound;
  return bound;
}

Result<uint16_t> HttpServer::ListenTls(const std::string& host, uint16_t port,
                                       std::shared_ptr<TlsContext> context) {
  Impl::TcpListener& l = impl_->tcp_listeners.emplace_back(impl_->core->io, true);
  Result<uint16_t> bound = Bind(l.acceptor, host, port);
  if (!bound.ok()) {
    impl_->tcp_listeners.pop_back();
    return Status::Configuration("listen_tls: " + bound.status().message());
  }
  SetTlsContext(std::move(context));
  return bound;
}

Status HttpServer::ListenUnix(const std::string& path, uint32_t mode) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::Configuration("listen_unix: " + path + " exists and is not a socket");
    }
    ::unlink(path.c_str());  // a stale socket of an earlier run
  }
  auto acceptor = std::make_unique<unix_socket::acceptor>(impl_->core->io);
  try {
    const unix_socket::endpoint ep(path);
    acceptor->open(ep.protocol());
    acceptor->bind(ep);
    acceptor->listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    return Status::Configuration("listen_unix " + path + ": " + e.what());
  }
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return Status::FromErrno(ErrorCode::kConfiguration, "listen_unix: chmod " + path, err);
  }
  impl_->unix_acceptor = std::move(acceptor);
  impl_->unix_path = path;
  return Status::Ok();
}

void HttpServer::SetTlsContext(std::shared_ptr<TlsContext> context) {
  std::lock_guard<std::mutex> lock(impl_->tls_mu);
  impl_->tls = std::move(context);
}

uint16_t HttpServer::port() const { return impl_->first_port; }

size_t HttpServer::ActiveSessions() const { return impl_->core->active.load(); }

void HttpServer::Start() {
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  for (Impl::TcpListener& l : impl_->tcp_listeners) impl_->AcceptTcp(l);
  if (impl_->unix_acceptor) impl_->AcceptUnix();
  impl_->work.emplace(impl_->core->io.get_executor());
  impl_->io_thread = std::thread([core = impl_->core] {
    for (;;) {
      try {
        core->io.run();
        return;
      } catch (const std::exception& e) {
        log::Warn(std::string("agent http: ") + e.what());
      }
    }
  });
}

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->started) {
    // Close listeners and connections on the I/O thread; then let handlers finish (their
    // answers fail on the closed sockets) and the I/O thread run out of work.
    std::promise<void> closed;
    asio::post(impl_->core->io, [this, &closed] {
      impl_->CloseAll();
      closed.set_value();
    });
    closed.get_future().wait();
    impl_->core->pool.join();
    impl_->work.reset();
    impl_->io_thread.join();
  } else {
    impl_->CloseAll();
    impl_->core->pool.join();
  }
  if (!impl_->unix_path.empty()) ::unlink(impl_->unix_path.c_str());
}

}  // namespace vdibk::coordinator
