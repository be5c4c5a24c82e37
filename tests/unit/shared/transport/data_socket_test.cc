// DataSocket (a socketpair of encoded messages) and Poller (channels and descriptors together).
#include "shared/transport/data_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/transport/poller.h"

namespace vdibk::transport {
namespace {

using std::chrono::milliseconds;

Message ReplyMessage(uint64_t seq) {
  transport::Reply r;
  r.command_seq = seq;
  return Message{"w0", seq, r};
}

TEST(DataSocketTest, OnePacketPerEnvelopeInOrder) {
  auto pair = DataSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  for (uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE(a.Send(ReplyMessage(i)).ok());
  for (uint64_t i = 1; i <= 3; ++i) {
    auto p = b.Receive(milliseconds(1000));
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->has_value());
    EXPECT_TRUE((*p)->status.ok());
    EXPECT_EQ(std::get<transport::Reply>((*p)->message.body).command_seq, i);
  }
  auto none = b.Receive(milliseconds(0));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(DataSocketTest, GarbageIsADecodeErrorAndAClosedPeerIsAborted) {
  auto pair = DataSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  const char junk[] = "\xff\xff\xff not an envelope";
  ASSERT_EQ(send(a.fd(), junk, sizeof(junk), 0), static_cast<ssize_t>(sizeof(junk)));
  auto p = b.Receive(milliseconds(1000));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->status.code(), ErrorCode::kIntegrity);
  a = DataSocket();  // closes
  EXPECT_EQ(b.Receive(milliseconds(1000)).status().code(), ErrorCode::kAborted);
  EXPECT_EQ(b.Send(ReplyMessage(1)).code(), ErrorCode::kAborted);
}

TEST(DataSocketTest, AdoptRefusesWhatIsNotASeqpacketSocket) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_EQ(DataSocket::Adopt(fds[0]).status().code(), ErrorCode::kConfiguration);
  close(fds[0]);
  close(fds[1]);
}

TEST(PollerTest, ReportsWhichDescriptorIsReadable) {
  auto pair = DataSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  auto other = DataSocket::Pair();
  ASSERT_TRUE(other.ok());
  Poller poller;
  const size_t ib = poller.AddFd(b.fd());
  const size_t io = poller.AddFd(other->second.fd());
  auto n = poller.Wait(milliseconds(0));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  ASSERT_TRUE(a.Send(ReplyMessage(1)).ok());
  n = poller.Wait(milliseconds(1000));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(poller.Ready(ib));
  EXPECT_FALSE(poller.Ready(io));
}

}  // namespace
}  // namespace vdibk::transport
