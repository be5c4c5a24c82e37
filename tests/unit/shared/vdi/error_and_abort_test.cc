// The IO-ERROR / ClearError rules, aborts from either side, the serverTimeOut watchdog, and the
// server transition table (every call in every server state).
#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

class ErrorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = SetName("err");
    VDConfig cfg{};
    ASSERT_EQ(CreateAndConfigure(client_, server_, name_, 1, &cfg), NOERROR);
    ASSERT_EQ(client_.OpenDevice(C(name_), &dev_), NOERROR);
    for (int i = 0; i < 4; ++i) bufs_.push_back(server_.Buffer());
  }
  std::unique_ptr<TestCommand> Send(uint32_t code, int buf = -1, int expect = NOERROR) {
    auto c =
        std::make_unique<TestCommand>(code, buf >= 0 ? bufs_[buf] : nullptr, buf >= 0 ? 512 : 0);
    EXPECT_EQ(server_.devices[0]->SendCommand(&c->cmd), expect);
    return c;
  }
  VDC_Command* Get() {
    VDC_Command* c = nullptr;
    EXPECT_EQ(dev_->GetCommand(2000, &c), NOERROR);
    return c;
  }

  std::string name_;
  ClientVirtualDeviceSet client_;
  ServerFixture server_;
  ClientVirtualDevice* dev_ = nullptr;
  std::vector<uint8_t*> bufs_;
};

TEST_F(ErrorFixture, ErrorCompletionEntersIoErrorAndClearErrorLeavesIt) {
  server_.StartAgent();
  auto w1 = Send(VDC_Write, 0);
  auto w2 = Send(VDC_Write, 1);
  auto w3 = Send(VDC_Write, 2);  // queued behind the error: never seen by the client
  VDC_Command* c1 = Get();
  VDC_Command* c2 = Get();
  ASSERT_EQ(dev_->CompleteCommand(c1, ERROR_DISK_FULL, 0, 0), NOERROR);  // rule 1
  ASSERT_TRUE(w1->WaitDone());
  EXPECT_EQ(w1->code(), static_cast<uint32_t>(ERROR_DISK_FULL));
  EXPECT_TRUE(server_.devices[0]->InIoError());
  ASSERT_TRUE(w3->WaitDone());  // rule 3
  EXPECT_EQ(w3->code(), static_cast<uint32_t>(ERROR_IO_DEVICE));
  // Rule 2: further commands are rejected at once on the sending thread.
  auto w4 = Send(VDC_Write, 3, VD_E_IO_ERROR);
  ASSERT_TRUE(w4->done());
  EXPECT_EQ(w4->code(), static_cast<uint32_t>(ERROR_IO_DEVICE));
  EXPECT_EQ(w4->completed_on, std::this_thread::get_id());
  // Rule 4: ClearError is delivered only after the outstanding write (c2) is completed.
  auto clear = Send(VDC_ClearError);
  VDC_Command* none = nullptr;
  EXPECT_EQ(dev_->GetCommand(50, &none), VD_E_TIMEOUT);
  ASSERT_EQ(dev_->CompleteCommand(c2, ERROR_SUCCESS, 512, 0), NOERROR);
  VDC_Command* ce = Get();
  ASSERT_NE(ce, nullptr);
  EXPECT_EQ(ce->commandCode, VDC_ClearError);
  ASSERT_EQ(dev_->CompleteCommand(ce, ERROR_SUCCESS, 0, 0), NOERROR);
  ASSERT_TRUE(clear->WaitDone());
  EXPECT_FALSE(server_.devices[0]->InIoError());
  auto w5 = Send(VDC_Write, 3);  // Active again
  VDC_Command* c5 = Get();
  ASSERT_NE(c5, nullptr);
  EXPECT_EQ(c5->commandCode, VDC_Write);
  dev_->CompleteCommand(c5, ERROR_SUCCESS, 512, 0);
  ASSERT_TRUE(w5->WaitDone());
  EXPECT_EQ(w5->code(), 0u);
}

TEST_F(ErrorFixture, ServerSignalAbortFailsPendingAndWakesTheClient) {
  server_.StartAgent();
  auto w1 = Send(VDC_Write, 0);
  auto w2 = Send(VDC_Write, 1);
  VDC_Command* c1 = Get();
  std::promise<void> took_w2;
  std::thread waiter([&] {
    // c1 delivered; this GetCommand gets w2, the next one waits (infinite) and must see the abort.
    VDC_Command* c = nullptr;
    EXPECT_EQ(dev_->GetCommand(-1, &c), NOERROR);
    took_w2.set_value();
    EXPECT_EQ(dev_->GetCommand(-1, &c), VD_E_ABORT);
    EXPECT_EQ(c, nullptr);
  });
  took_w2.get_future().wait();
  EXPECT_EQ(server_.set.SignalAbort(), NOERROR);
  waiter.join();
  EXPECT_EQ(server_.JoinAgent(), VD_E_ABORT);
  ASSERT_TRUE(w1->WaitDone());
  ASSERT_TRUE(w2->WaitDone());
  EXPECT_EQ(w1->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(w2->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(dev_->CompleteCommand(c1, ERROR_SUCCESS, 512, 0), VD_E_ABORT);  // ignored
  EXPECT_EQ(w1->completions, 1);
  auto late = Send(VDC_Write, 2, VD_E_ABORT);
  EXPECT_EQ(late->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(server_.devices[0]->CloseDevice(), VD_E_ABORT);
  uint8_t* b = nullptr;
  EXPECT_EQ(server_.set.AllocateBuffer(&b, 512, 0), VD_E_ABORT);
  EXPECT_EQ(server_.set.FreeBuffer(bufs_[0], 512), VD_E_ABORT);
  EXPECT_NE(server_.set.AbortReason().find("server"), std::string::npos);
}

TEST_F(ErrorFixture, ClientSignalAbortCompletesOutstandingCommands) {
  server_.StartAgent();
  auto w1 = Send(VDC_Write, 0);
  auto w2 = Send(VDC_Write, 1);
  Get();
  EXPECT_EQ(client_.SignalAbort(), NOERROR);
  ASSERT_TRUE(w1->WaitDone());
  ASSERT_TRUE(w2->WaitDone());
  EXPECT_EQ(w1->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(w2->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(server_.JoinAgent(), VD_E_ABORT);
}

TEST(WatchdogTest, ServerTimeOutAbortsWhenNothingCompletes) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("watchdog");
  VDConfig cfg = ClientConfig(1);
  cfg.serverTimeOut = 100;
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, 1), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand w(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);  // taken, never completed
  ASSERT_TRUE(w.WaitDone(std::chrono::seconds(5)));
  EXPECT_EQ(w.code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  EXPECT_NE(server.set.AbortReason().find("timeout"), std::string::npos);
  EXPECT_EQ(dev->GetCommand(0, &c), VD_E_ABORT);
}

TEST(ServerStateTest, TransitionTable) {
  ServerVirtualDeviceSet s;
  VDConfig cfg{};
  ServerVirtualDevice* d = nullptr;
  uint8_t* b = nullptr;
  std::string name = SetName("srv");
  // DNE
  EXPECT_EQ(s.Open(name.c_str()), VD_E_INVALID);  // no such set
  EXPECT_EQ(s.GetConfiguration(&cfg), VD_E_PROTOCOL);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0), VD_E_PROTOCOL);
  EXPECT_EQ(s.EndConfiguration(), VD_E_PROTOCOL);
  EXPECT_EQ(s.OpenDevice(name.c_str(), &d), VD_E_PROTOCOL);
  EXPECT_EQ(s.ExecuteCompletionAgent(), VD_E_PROTOCOL);
  EXPECT_EQ(s.Close(), VD_E_PROTOCOL);
  ClientVirtualDeviceSet client;
  VDConfig ccfg = ClientConfig(2);
  ASSERT_EQ(client.Create(C(name), &ccfg), NOERROR);
  // Connected
  ASSERT_EQ(s.Open(name.c_str()), NOERROR);
  EXPECT_EQ(s.Open(name.c_str()), VD_E_PROTOCOL);
  ServerVirtualDeviceSet second;
  EXPECT_EQ(second.Open(name.c_str()), VD_E_PROTOCOL);  // one server per set
  EXPECT_EQ(s.EndConfiguration(), VD_E_PROTOCOL);
  EXPECT_EQ(s.RequestBuffers(65536, 0, 1), VD_E_PROTOCOL);
  EXPECT_EQ(s.OpenDevice(name.c_str(), &d), VD_E_PROTOCOL);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 500, 0, 65536, 0), VD_E_INVALID);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 131072, 0, 65536, 0), VD_E_INVALID);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 4096, 1024, 65536, 0), VD_E_INVALID);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 512, 0, 65535, 0), VD_E_INVALID);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 512, 0, 8u << 20, 0), VD_E_INVALID);
  EXPECT_EQ(s.BeginConfiguration(0, 512, 0, 65536, 0), VD_E_INVALID);
  // Configurable
  ASSERT_EQ(s.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0), NOERROR);
  EXPECT_EQ(s.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0), VD_E_PROTOCOL);
  EXPECT_EQ(s.ExecuteCompletionAgent(), VD_E_PROTOCOL);
  EXPECT_EQ(s.RequestBuffers(65536, 3, 1), VD_E_INVALID);
  ASSERT_EQ(s.RequestBuffers(65536, 0, 2), NOERROR);
  // Initializing
  ASSERT_EQ(s.EndConfiguration(), NOERROR);
  EXPECT_EQ(s.EndConfiguration(), VD_E_PROTOCOL);
  EXPECT_EQ(s.OpenDevice("not-the-set-name", &d), VD_E_INVALID);
  ASSERT_EQ(s.OpenDevice(name.c_str(), &d), NOERROR);
  EXPECT_STREQ(d->Name(), name.c_str());
  EXPECT_EQ(s.OpenDevice(name.c_str(), &d), VD_E_INVALID);  // duplicate
  ASSERT_EQ(s.OpenDevice((name + "b").c_str(), &d), NOERROR);
  ServerVirtualDevice* extra = nullptr;
  EXPECT_EQ(s.OpenDevice((name + "c").c_str(), &extra), VD_E_OPEN);
  EXPECT_EQ(extra, nullptr);
  ASSERT_EQ(s.AllocateBuffer(&b, 65536, 0), NOERROR);
  EXPECT_TRUE(s.IsSharedBuffer(b));
  EXPECT_FALSE(s.IsSharedBuffer(reinterpret_cast<uint8_t*>(&cfg)));
  EXPECT_EQ(s.AllocateBuffer(&b, 65537, 0), VD_E_MEMORY);  // too big for every buffer
  EXPECT_EQ(s.AllocateBuffer(&b, 512, 3), VD_E_INVALID);
  uint8_t* b2 = nullptr;
  ASSERT_EQ(s.AllocateBuffer(&b2, 512, 4096), NOERROR);
  EXPECT_EQ(s.FreeBuffer(b2, 512), NOERROR);
  EXPECT_EQ(s.FreeBuffer(b2, 512), VD_E_INVALID);  // already free
  EXPECT_EQ(s.FreeBuffer(reinterpret_cast<uint8_t*>(&cfg), 1), VD_E_INVALID);
  // A command on a bad buffer is rejected with its routine called.
  TestCommand bad(VDC_Write, reinterpret_cast<uint8_t*>(&cfg), 512);
  EXPECT_EQ(d->SendCommand(&bad.cmd), VD_E_INVALID);
  EXPECT_EQ(bad.code(), static_cast<uint32_t>(ERROR_INVALID_PARAMETER));
  // Close with devices still open: protocol error, the set is aborted.
  EXPECT_EQ(s.Close(), VD_E_PROTOCOL);
  VDConfig out{};
  EXPECT_EQ(client.GetConfiguration(0, &out), VD_E_ABORT);
  TestCommand after(VDC_Flush, nullptr, 0);
  EXPECT_EQ(d->SendCommand(&after.cmd), VD_E_PROTOCOL);  // device object outlives Close
  EXPECT_EQ(after.code(), static_cast<uint32_t>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ServerStateTest, BufferAreaLargerThanSharedMemoryIsOutOfMemory) {
  ClientVirtualDeviceSet client;
  ServerVirtualDeviceSet s;
  std::string name = SetName("nomem");
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(s.Open(name.c_str()), NOERROR);
  ASSERT_EQ(s.BeginConfiguration(VDF_WriteMedia, 65536, 0, 4u << 20, 0), NOERROR);
  // 256 x 1 GiB: more than /dev/shm holds on any machine this runs on (checked before reserving).
  ASSERT_EQ(s.RequestBuffers(1u << 30, 0, 256), NOERROR);
  EXPECT_EQ(s.EndConfiguration(), VD_E_MEMORY);
  // The set stays Configurable: a smaller request then succeeds.
  ASSERT_EQ(s.RequestBuffers(65536, 0, 4), NOERROR);
  EXPECT_EQ(s.EndConfiguration(), NOERROR);
  VDConfig out{};
  EXPECT_EQ(client.GetConfiguration(1000, &out), NOERROR);
  s.SignalAbort();
  s.Close();
  client.Close();
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ServerStateTest, SendAfterCloseDeviceIsRejected) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("afterclose");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  TestCommand c(VDC_Flush, nullptr, 0);
  EXPECT_EQ(server.devices[0]->SendCommand(&c.cmd), VD_E_PROTOCOL);
  EXPECT_EQ(c.code(), static_cast<uint32_t>(ERROR_INVALID_HANDLE));
}

}  // namespace
}  // namespace vdibk::vdi::testing
