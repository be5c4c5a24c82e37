// A real vdibackup-worker against a coordinator played by the test (a ZeroMQ ROUTER speaking the
// pipeline protocol): the worker gives up on a coordinator that says nothing (exit 5, "coordinator
// silent"), and keeps going while the coordinator's heartbeats arrive.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "shared/transport/message_io.h"
#include "shared/transport/pipeline_messages.h"
#include "tests/harness/programs.h"
#include "tests/harness/test_dirs.h"

namespace vdibk {
namespace {

using namespace std::chrono_literals;
using testing::Bin;
using testing::Finish;
using testing::StartMerged;
using testing::TempDir;

class WorkerLivenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = "ipc://" + dir_.Join("hub");
    Result<transport::Channel> ch = transport::Channel::BindRouter(ctx_, endpoint_);
    ASSERT_TRUE(ch.ok()) << ch.status().ToString();
    router_.emplace(std::move(*ch));
  }
  // Starts a worker with a 50 ms heartbeat (silence after 150 ms) and waits for its Hello.
  std::unique_ptr<testing::Subprocess> StartWorker() {
    auto w = StartMerged({Bin("vdibackup-worker"), "--connect", endpoint_, "--id", "w0",
                          "--heartbeat-ms", "50"});
    Result<std::optional<transport::Inbound>> in = transport::ReceiveMessage(*router_, 20s);
    EXPECT_TRUE(in.ok() && in->has_value()) << "no Hello from the worker";
    if (in.ok() && in->has_value()) {
      EXPECT_TRUE(std::holds_alternative<transport::Hello>((*in)->message.body));
      EXPECT_EQ((*in)->peer, "w0");
    }
    return w;
  }

  TempDir dir_;
  std::string endpoint_;
  transport::Context ctx_;
  std::optional<transport::Channel> router_;
};

TEST_F(WorkerLivenessTest, SilentCoordinatorEndsTheWorkerWithExit5) {
  auto w = StartWorker();
  ASSERT_NE(w, nullptr);
  testing::Outcome o = Finish(*w);
  EXPECT_EQ(o.exit_code, 5) << o.out;
  EXPECT_NE(o.out.find("coordinator silent for 3 heartbeat intervals"), std::string::npos) << o.out;
}

// Heartbeats keep it alive far past the silence limit; it then obeys Shutdown (exit 0).
TEST_F(WorkerLivenessTest, HeartbeatsKeepTheWorkerUntilShutdown) {
  auto w = StartWorker();
  ASSERT_NE(w, nullptr);
  uint64_t seq = 1;
  int heard = 0;
  // 1 s of the worker's 50 ms heartbeats: each is answered with ours.
  const auto until = std::chrono::steady_clock::now() + 1s;
  while (std::chrono::steady_clock::now() < until) {
    Result<std::optional<transport::Inbound>> in = transport::ReceiveMessage(*router_, 500ms);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    ASSERT_TRUE(in->has_value()) << "the worker went quiet";
    if (std::holds_alternative<transport::Heartbeat>((*in)->message.body)) ++heard;
    ASSERT_TRUE(transport::SendMessageTo(*router_, "w0",
                                         transport::Message{"coordinator", seq++,
                                                            transport::Heartbeat{}},
                                         1s)
                    .ok());
  }
  EXPECT_GE(heard, 5);
  ASSERT_TRUE(transport::SendMessageTo(*router_, "w0",
                                       transport::Message{"coordinator", seq++,
                                                          transport::Shutdown{}},
                                       1s)
                  .ok());
  testing::Outcome o = Finish(*w);
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.find("coordinator silent"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace vdibk
