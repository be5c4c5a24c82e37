// ROUTER <-> DEALER over ipc:// in a private temp dir: round trip, credentials, uid filter,
// oversized and garbage messages, timeouts, ROUTER_MANDATORY.
#include "shared/transport/channel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "proto/envelope.pb.h"
#include "shared/transport/ipc_dir.h"
#include "shared/transport/message_codec.h"
#include "shared/transport/message_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::transport {
namespace {

using namespace std::chrono_literals;

Message MakeHello(const std::string& id, uint64_t seq) {
  Hello hello;
  hello.worker_id = id;
  hello.pid = static_cast<uint32_t>(::getpid());
  hello.uid = ::getuid();
  return Message{id, seq, hello};
}

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ipc_dir_ = tmp_.Join("ipc");
    ASSERT_OK(CreatePrivateDir(ipc_dir_));
    auto ep = IpcEndpoint(ipc_dir_, "coordinator.sock");
    ASSERT_OK(ep);
    endpoint_ = *ep;
  }

  // Receives on `ch`, failing the test if nothing arrives within 5 s (a generous bound, not a
  // sleep: the call returns as soon as the message is there).
  Inbound MustReceive(Channel& ch) {
    auto in = ReceiveMessage(ch, 5000ms);
    EXPECT_OK(in);
    EXPECT_TRUE(in.ok() && in->has_value()) << "nothing received";
    return in.ok() && in->has_value() ? std::move(**in) : Inbound{};
  }

  vdibk::testing::TempDir tmp_;
  std::string ipc_dir_;
  std::string endpoint_;
  Context ctx_;  // destroyed last (declared before the channels of each test)
};

TEST_F(ChannelTest, RoundTripWithPeerCredentials) {
  auto router = Channel::BindRouter(ctx_, endpoint_);
  ASSERT_OK(router);
  ChannelOptions opt;
  opt.routing_id = "w0";
  auto dealer = Channel::ConnectDealer(ctx_, endpoint_, opt);
  ASSERT_OK(dealer);

  ASSERT_OK(SendMessage(*dealer, MakeHello("w0", 1), 5000ms));
  Inbound in = MustReceive(*router);
  ASSERT_OK(in.status);
  EXPECT_EQ(in.peer, "w0");
  EXPECT_EQ(std::get<Hello>(in.message.body).worker_id, "w0");
  ASSERT_TRUE(in.credentials.has_value());
  EXPECT_EQ(in.credentials->uid, ::getuid());
  EXPECT_EQ(in.credentials->pid, ::getpid());

  Assign assign;
  assign.set_name = "set1";
  ASSERT_OK(SendMessageTo(*router, "w0", Message{"coordinator", 1, assign}, 5000ms));
  Inbound back = MustReceive(*dealer);
  ASSERT_OK(back.status);
  EXPECT_EQ(back.peer, "");
  EXPECT_EQ(std::get<Assign>(back.message.body).set_name, "set1");
}

TEST_F(ChannelTest, RecvTimesOutWithNothing) {
  auto router = Channel::BindRouter(ctx_, endpoint_);
  ASSERT_OK(router);
  auto start = std::chrono::steady_clock::now();
  auto in = ReceiveMessage(*router, 50ms);
  ASSERT_OK(in);
  EXPECT_FALSE(in->has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);
}

TEST_F(ChannelTest, SendToUnknownPeerFailsInsteadOfDropping) {
  auto router = Channel::BindRouter(ctx_, endpoint_);
  ASSERT_OK(router);
  Status s = SendMessageTo(*router, "nobody", MakeHello("c", 1), 100ms);
  EXPECT_EQ(s.code(), ErrorCode::kAborted);
  EXPECT_NE(s.message().find("peer unknown"), std::string::npos) << s.ToString();
}

TEST_F(ChannelTest, GarbageAndWrongFramingAreErrorsOfThatPeer) {
  auto router = Channel::BindRouter(ctx_, endpoint_);
  ASSERT_OK(router);
  ChannelOptions opt;
  opt.routing_id = "bad";
  auto dealer = Channel::ConnectDealer(ctx_, endpoint_, opt);
  ASSERT_OK(dealer);

  Multipart garbage;
  garbage.emplace_back("\xff\xff\xff\xff\x0f garbage", 14);
  ASSERT_OK(dealer->Send(std::move(garbage), 5000ms));
  Inbound in = MustReceive(*router);
  EXPECT_EQ(in.peer, "bad");
  EXPECT_EQ(in.status.code(), ErrorCode::kIntegrity) << in.status.ToString();

  Multipart three;
  for (int i = 0; i < 3; ++i) three.emplace_back("x", 1);
  ASSERT_OK(dealer->Send(std::move(three), 5000ms));
  in = MustReceive(*router);
  EXPECT_EQ(in.status.code(), ErrorCode::kIntegrity);
  EXPECT_NE(in.status.message().find("frame"), std::string::npos);

  proto::Envelope empty;  // valid protobuf, but no version and no body
  const std::string bytes = empty.SerializeAsString();
  Multipart one;
  one.emplace_back(bytes.data(), bytes.size());
  ASSERT_OK(dealer->Send(std::move(one), 5000ms));
  in = MustReceive(*router);
  EXPECT_EQ(in.status.code(), ErrorCode::kConfiguration) << in.status.ToString();

  // The channel still works after all that.
  ASSERT_OK(SendMessage(*dealer, MakeHello("bad", 4), 5000ms));
  in = MustReceive(*router);
  EXPECT_OK(in.status);
}

TEST_F(ChannelTest, OversizedMessageNeverReachesTheRouter) {
  ChannelOptions small;
  small.max_message_bytes = 1024;
  auto router = Channel::BindRouter(ctx_, endpoint_, small);
  ASSERT_OK(router);
  ChannelOptions opt;
  opt.routing_id = "big";
  auto dealer = Channel::ConnectDealer(ctx_, endpoint_, opt);
  ASSERT_OK(dealer);
  // A small message first proves the connection is up (explicit readiness, no sleep).
  ASSERT_OK(SendMessage(*dealer, MakeHello("big", 1), 5000ms));
  ASSERT_OK(MustReceive(*router).status);

  Message huge = MakeHello("big", 2);
  huge.body = Abort{0, std::string(8192, 'x')};
  ASSERT_OK(SendMessage(*dealer, huge, 5000ms));
  // libzmq drops the connection on a message over ZMQ_MAXMSGSIZE; nothing is delivered.
  auto in = ReceiveMessage(*router, 300ms);
  ASSERT_OK(in);
  EXPECT_FALSE(in->has_value());
  // And the codec refuses to build such a message in the first place.
  std::string bytes;
  EXPECT_FALSE(EncodeMessage(huge, bytes, 1024).ok());
}

TEST_F(ChannelTest, UidFilterRejectsOtherUsers) {
  ChannelOptions opt;
  opt.allowed_uid = ::getuid() + 1;  // pretend the workers run as someone else
  auto router = Channel::BindRouter(ctx_, endpoint_, opt);
  ASSERT_OK(router);
  auto dealer = Channel::ConnectDealer(ctx_, endpoint_);
  ASSERT_OK(dealer);
  // With ZMQ_IMMEDIATE the dealer never gets a usable connection: the send times out.
  Status s = SendMessage(*dealer, MakeHello("w", 1), 200ms);
  auto in = ReceiveMessage(*router, 200ms);
  ASSERT_OK(in);
  EXPECT_FALSE(in->has_value());
  EXPECT_EQ(s.code(), ErrorCode::kAborted);
}

TEST_F(ChannelTest, BindErrorsAreStatus) {
  auto r = Channel::BindRouter(ctx_, "ipc://" + tmp_.Join("no/such/dir/x.sock"));
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration);
  auto d = Channel::ConnectDealer(ctx_, "bogus://x");
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace vdibk::transport
