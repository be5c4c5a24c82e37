// HttpServer over real loopback sockets: concurrent sessions (a client holding a half-sent
// request does not stop others), the connection limit (503), the request timeout (408), Stop()
// with a session still open.
#include "coordinator/agent_http.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "tests/integration/agent_http_client.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
using vdibk::testing::HttpCall;
using vdibk::testing::RawClient;

const char* kHalfRequest = "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // no blank line: unfinished

class AgentHttpTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options) {
    auto s = HttpServer::Listen(
        "127.0.0.1", 0,
        [this](const HttpRequest& r) {
          ++handled_;
          return HttpResponse{200, "application/json", "{\"path\":\"" + r.target + "\"}\n"};
        },
        options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    server_->Start();
  }
  std::atomic<int> handled_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(AgentHttpTest, AHalfSentRequestDoesNotBlockOtherClients) {
  Start({4, 30s});
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  for (int i = 0; i < 3; ++i) {
    auto r = HttpCall(server_->port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "{\"path\":\"/healthz\"}\n");
  }
  // The slow client finishes its request and is answered too.
  ASSERT_TRUE(slow.Send("Connection: close\r\n\r\n"));
  const std::string reply = slow.ReadToClose();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_EQ(handled_.load(), 4);
}

TEST_F(AgentHttpTest, ConnectionsOverTheLimitGet503) {
  Start({2, 30s});
  RawClient a(server_->port()), b(server_->port());
  ASSERT_TRUE(a.Send(kHalfRequest));
  ASSERT_TRUE(b.Send(kHalfRequest));
  // Accepted in order: both sessions exist before the third connection is looked at.
  auto r = HttpCall(server_->port(), "GET", "/healthz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("too many connections"), std::string::npos) << r.body;
  EXPECT_EQ(handled_.load(), 0);
  // One finishes: its session ends and a new client is served again.
  ASSERT_TRUE(a.Send("Connection: close\r\n\r\n"));
  EXPECT_EQ(a.ReadToClose().rfind("HTTP/1.1 200", 0), 0u);
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    // The ended session is reaped when the next connection is accepted; a 503 may come first
    // while its thread is finishing.
    status = HttpCall(server_->port(), "GET", "/healthz").status;
    if (status != 200) {
      ASSERT_EQ(status, 503);
    }
  }
  EXPECT_EQ(status, 200);
}

TEST_F(AgentHttpTest, ARequestNotCompleteInTimeGets408AndFreesItsSession) {
  Start({1, 300ms});
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  const std::string reply = slow.ReadToClose();  // the server gives up and closes
  EXPECT_EQ(reply.rfind("HTTP/1.1 408", 0), 0u) << reply;
  // An idle connection that never sent anything is closed without a word.
  RawClient idle(server_->port());
  EXPECT_EQ(idle.ReadToClose(), "");
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    status = HttpCall(server_->port(), "GET", "/healthz").status;
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(AgentHttpTest, StopEndsSessionsThatAreStillOpen) {
  Start({4, 30s});
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.Send(kHalfRequest));
  ASSERT_EQ(HttpCall(server_->port(), "GET", "/x").status, 200);  // slow's session exists
  server_->Stop();  // returns: the held session noticed the stop
  EXPECT_EQ(server_->ActiveSessions(), 0u);
  EXPECT_EQ(slow.ReadToClose(), "");
}

}  // namespace
}  // namespace vdibk::coordinator
