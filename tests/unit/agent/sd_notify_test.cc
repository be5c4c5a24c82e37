// sd_notify over a unix datagram socket the test binds, and the watchdog interval.
#include "agent/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

class AgentNotifyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    if (fd_ >= 0) close(fd_);
  }
  // Binds a datagram socket at `path` (a leading '@' = abstract) and points NOTIFY_SOCKET at it.
  void Bind(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path.data(), path.size());
    if (path[0] == '@') a.sun_path[0] = '\0';
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size())),
              0);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  std::string Receive() {
    char buf[256];
    const ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
  }
  vdibk::testing::TempDir dir_;
  int fd_ = -1;
};

TEST_F(AgentNotifyTest, SendsTheStateToThePathSocket) {
  Bind(dir_.Join("notify.sock"));
  ASSERT_TRUE(SdNotify("READY=1").ok());
  EXPECT_EQ(Receive(), "READY=1");
  ASSERT_TRUE(SdNotify("WATCHDOG=1").ok());
  EXPECT_EQ(Receive(), "WATCHDOG=1");
}

TEST_F(AgentNotifyTest, AReceiverThatNeverReadsDoesNotBlockTheSender) {
  Bind(dir_.Join("full.sock"));
  bool dropped = false;
  for (int i = 0; i < 10000 && !dropped; ++i) dropped = !SdNotify("WATCHDOG=1").ok();
  EXPECT_TRUE(dropped);  // the queue filled up and the send failed instead of blocking
  EXPECT_EQ(Receive(), "WATCHDOG=1");
}

TEST_F(AgentNotifyTest, SendsToAnAbstractSocket) {
  Bind("@" + vdibk::testing::UniqueName("notify"));
  ASSERT_TRUE(SdNotify("READY=1").ok());
  EXPECT_EQ(Receive(), "READY=1");
}

TEST_F(AgentNotifyTest, NoSocketIsANoOpAndABadOneAnError) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(SdNotify("READY=1").ok());
  setenv("NOTIFY_SOCKET", "relative", 1);
  EXPECT_FALSE(SdNotify("READY=1").ok());
  setenv("NOTIFY_SOCKET", dir_.Join("nobody-listens").c_str(), 1);
  EXPECT_FALSE(SdNotify("READY=1").ok());
}

TEST_F(AgentNotifyTest, WatchdogIntervalIsHalfOfWatchdogUsec) {
  EXPECT_FALSE(WatchdogInterval());
  setenv("WATCHDOG_USEC", "2000000", 1);
  ASSERT_TRUE(WatchdogInterval());
  EXPECT_EQ(WatchdogInterval()->count(), 1000000);
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_FALSE(WatchdogInterval());  // meant for another process
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_TRUE(WatchdogInterval());
}

}  // namespace
}  // namespace vdibk::coordinator
