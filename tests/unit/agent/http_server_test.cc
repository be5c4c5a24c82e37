// HttpServer over real loopback and Unix sockets: a half-sent request does not stop others, the
// connection limits (only priority paths served over them), the header and body timeouts (408),
// malformed requests (4xx, the handler never sees them), priority paths while every handler
// thread is busy, keep-alive, the Unix socket's peer uid, Stop() with sessions still open.
#include "agent/http_server.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <string>

#include "tests/harness/test_dirs.h"
#include "tests/integration/agent_http_client.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
using vdibk::testing::HttpCall;
using vdibk::testing::RawClient;

const char* kHalfRequest = "GET /v1/jobs HTTP/1.1\r\nHost: x\r\n";  // no blank line: unfinished

std::string StatusLine(const std::string& reply) { return reply.substr(0, 12); }

class AgentHttpTest : public ::testing::Test {
 protected:
  ~AgentHttpTest() override {
    Release();  // a handler still blocked on /slow would hold Stop()
    server_.reset();
  }
  void Release() {
    if (!released_.exchange(true)) unblock_.set_value();
  }
  // Starts a server with the default options as `configure` changes them.
  void Start(const std::function<void(HttpServerOptions&)>& configure = {}) {
    HttpServerOptions options;
    if (configure) configure(options);
    options.on_refused = [this](const std::string& reason) {
      std::lock_guard<std::mutex> lock(mu_);
      ++refused_[reason];
    };
    server_ = HttpServer::Create(
        [this](const HttpRequest& r) {
          ++handled_;
          if (r.target == "/slow") release_.wait();
          std::lock_guard<std::mutex> lock(mu_);
          last_peer_ = r.peer;
          return HttpResponse{200, "application/json", "{\"path\":\"" + r.target + "\"}\n", {}};
        },
        options);
    auto port = server_->ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    server_->Start();
  }
  uint16_t port() const { return server_->port(); }
  int Refused(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_[reason];
  }
  // One raw request on a new connection; the whole answer.
  std::string Raw(const std::string& request) {
    RawClient c(port());
    EXPECT_TRUE(c.Send(request));
    return c.ReadToClose();
  }

  std::atomic<int> handled_{0};
  std::atomic<bool> released_{false};
  std::promise<void> unblock_;
  std::shared_future<void> release_ = unblock_.get_future().share();
  std::mutex mu_;
  std::map<std::string, int> refused_;
  PeerInfo last_peer_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(AgentHttpTest, AHalfSentRequestDoesNotBlockOtherClients) {
  Start([](HttpServerOptions& o) {
    o.max_connections = o.max_connections_per_peer = 4;
    o.header_timeout = 30s;
  });
  RawClient slow(port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  for (int i = 0; i < 3; ++i) {
    auto r = HttpCall(port(), "GET", "/v1/x");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "{\"path\":\"/v1/x\"}\n");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(last_peer_.transport, Transport::kTcp);
    EXPECT_EQ(last_peer_.address.rfind("127.0.0.1:", 0), 0u) << last_peer_.address;
  }
  // The slow client finishes its request and is answered too.
  ASSERT_TRUE(slow.Send("Connection: close\r\n\r\n"));
  EXPECT_EQ(StatusLine(slow.ReadToClose()), "HTTP/1.1 200");
  EXPECT_EQ(handled_.load(), 4);
}

TEST_F(AgentHttpTest, OverTheLimitsOnlyPriorityPathsAreServed) {
  Start([](HttpServerOptions& o) {
    o.max_connections = 8;
    o.max_connections_per_peer = 2;
    o.header_timeout = o.overflow_timeout = 30s;
  });
  RawClient a(port()), b(port());
  ASSERT_TRUE(a.Send(kHalfRequest));
  ASSERT_TRUE(b.Send(kHalfRequest));
  // 127.0.0.1 holds its two connections: a third is read, but only /healthz is served to it.
  std::string reply = Raw("GET /v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusLine(reply), "HTTP/1.1 503") << reply;
  EXPECT_NE(reply.find("too many connections"), std::string::npos) << reply;
  EXPECT_EQ(handled_.load(), 0);
  for (int i = 0; i < 5; ++i) {
    reply = Raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // closed after the answer
    EXPECT_EQ(StatusLine(reply), "HTTP/1.1 200") << reply;
  }
  EXPECT_EQ(handled_.load(), 5);
  EXPECT_EQ(Refused("too_many_connections"), 1);
  // One finishes: its slot is free again for anything.
  ASSERT_TRUE(a.Send("Connection: close\r\n\r\n"));
  EXPECT_EQ(StatusLine(a.ReadToClose()), "HTTP/1.1 200");
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) status = HttpCall(port(), "GET", "/v1/x").status;
  EXPECT_EQ(status, 200);
}

TEST_F(AgentHttpTest, HeaderAndBodyTimeoutsGet408AndIdleConnectionsAreClosed) {
  Start([](HttpServerOptions& o) { o.header_timeout = o.body_timeout = 300ms; });
  RawClient slow(port());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  EXPECT_EQ(StatusLine(slow.ReadToClose()), "HTTP/1.1 408");
  RawClient body(port());
  ASSERT_TRUE(body.Send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(StatusLine(body.ReadToClose()), "HTTP/1.1 408");
  RawClient idle(port());  // never sends anything: closed without a word
  EXPECT_EQ(idle.ReadToClose(), "");
  EXPECT_EQ(Refused("timeout"), 2);
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(HttpCall(port(), "GET", "/x").status, 200);
}

TEST_F(AgentHttpTest, MalformedRequestsGet4xxAndNeverReachTheHandler) {
  Start();
  const std::string h = "Host: x\r\n";
  EXPECT_EQ(StatusLine(Raw("POST /v1/jobs HTTP/1.1\r\n" + h + "Content-Length: -5\r\n\r\n")),
            "HTTP/1.1 400");
  EXPECT_EQ(StatusLine(Raw("POST /v1/jobs HTTP/1.1\r\n" + h + "Content-Length: abc\r\n\r\n")),
            "HTTP/1.1 400");
  EXPECT_EQ(StatusLine(Raw("POST /v1/jobs HTTP/1.1\r\n" + h +
                           "Content-Length: 5\r\n"
                           "Content-Length: 6\r\n\r\n")),
            "HTTP/1.1 400");
  EXPECT_EQ(StatusLine(Raw("G(T / HTTP/1.1\r\n" + h + "\r\n")), "HTTP/1.1 400");
  EXPECT_EQ(StatusLine(Raw("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n")),
            "HTTP/1.1 431");
  EXPECT_EQ(StatusLine(Raw("POST / HTTP/1.1\r\n" + h + "Content-Length: 100000\r\n\r\n")),
            "HTTP/1.1 413");
  const std::string reply = Raw("POST /v1/jobs HTTP/1.1\r\n" + h + "Content-Length: -5\r\n\r\n");
  EXPECT_NE(reply.find("{\"error\":\"malformed request: "), std::string::npos) << reply;
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(Refused("malformed"), 5);
  EXPECT_EQ(Refused("too_large"), 2);
  // A method the parser accepts reaches the handler, whose routes answer 405.
  EXPECT_EQ(StatusLine(Raw("BREW /x HTTP/1.1\r\n" + h + "Connection: close\r\n\r\n")),
            "HTTP/1.1 200");
}

TEST_F(AgentHttpTest, PriorityPathsAreAnsweredWhileEveryHandlerThreadIsBusy) {
  Start([](HttpServerOptions& o) { o.handler_threads = 1; });
  RawClient busy(port());
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  while (handled_.load() == 0) std::this_thread::yield();  // the one handler thread is taken
  EXPECT_EQ(HttpCall(port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(handled_.load(), 2);
  Release();
  EXPECT_EQ(StatusLine(busy.ReadToClose()), "HTTP/1.1 200");
}

TEST_F(AgentHttpTest, KeepAliveServesPipelinedRequestsInOrder) {
  Start();
  const std::string reply =
      Raw("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n"
          "Connection: close\r\n\r\n");
  const size_t a = reply.find("{\"path\":\"/a\"}"), b = reply.find("{\"path\":\"/b\"}");
  ASSERT_NE(a, std::string::npos) << reply;
  ASSERT_NE(b, std::string::npos) << reply;
  EXPECT_LT(a, b);
}

// A connected Unix stream socket to `path` (-1 on failure).
int ConnectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST_F(AgentHttpTest, UnixSocketPeersCarryTheirUid) {
  vdibk::testing::TempDir dir;
  const std::string path = dir.Join("agent.sock");
  {  // a stale socket file, as a crashed agent leaves it
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ::close(fd);
    EXPECT_EQ(ConnectUnix(path), -1);
  }
  server_ = HttpServer::Create(
      [this](const HttpRequest& r) {
        std::lock_guard<std::mutex> lock(mu_);
        last_peer_ = r.peer;
        return HttpResponse{200, "text/plain", "ok\n", {}};
      },
      {});
  ASSERT_TRUE(server_->ListenUnix(path, 0600).ok());  // the stale file is replaced
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server_->Start();
  const int fd = ConnectUnix(path);
  ASSERT_GE(fd, 0);
  const std::string req = "GET /v1/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  std::string reply;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) reply.append(buf, n);
  ::close(fd);
  EXPECT_EQ(StatusLine(reply), "HTTP/1.1 200") << reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(last_peer_.transport, Transport::kUnix);
    ASSERT_TRUE(last_peer_.uid);
    EXPECT_EQ(*last_peer_.uid, ::geteuid());
  }
  server_->Stop();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);  // removed
  // Something that is not a socket is never replaced.
  std::ofstream(dir.Join("file")) << "x";
  auto other = HttpServer::Create([](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_FALSE(other->ListenUnix(dir.Join("file"), 0600).ok());
}

TEST_F(AgentHttpTest, StopEndsSessionsThatAreStillOpen) {
  Start([](HttpServerOptions& o) { o.header_timeout = 30s; });
  RawClient slow(port());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  ASSERT_EQ(HttpCall(port(), "GET", "/x").status, 200);  // slow's connection is accepted
  server_->Stop();
  EXPECT_EQ(server_->ActiveSessions(), 0u);
  EXPECT_EQ(slow.ReadToClose(), "");
}

}  // namespace
}  // namespace vdibk::coordinator
