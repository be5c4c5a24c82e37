// The abort and close paths a client takes when its T-SQL fails partway, and what each side then
// sees: Close in Initializing, SignalAbort outside Active, a GetConfiguration waiting without
// limit woken by a server abort, §4.4 rule 5 (Close or SignalAbort instead of ClearError), the
// server's Close completing outstanding commands with ERROR_OPERATION_ABORTED, serverTimeOut = 0
// meaning no limit, and OpenInSecondary on a set that does not exist or twice in one process.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <future>
#include <thread>

#include "tests/harness/subprocess.h"
#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using vdibk::testing::BinDir;
using vdibk::testing::Subprocess;

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

// Runs GetConfiguration(-1) on its own thread; `waiting` is set just before the call.
struct InfiniteGetConfiguration {
  explicit InfiniteGetConfiguration(ClientVirtualDeviceSet& set)
      : result(std::async(std::launch::async, [&set, this] {
          VDConfig cfg{};
          waiting.store(true);
          return set.GetConfiguration(-1, &cfg);
        })) {
    while (!waiting.load()) std::this_thread::yield();
  }
  std::atomic<bool> waiting{false};
  std::future<int> result;
};

TEST(FailurePathsTest, CloseInInitializingAbortsTheSetTheServerStillUses) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("closeinit");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 2, &cfg), NOERROR);
  server.StartAgent();
  uint8_t* buf = server.Buffer();
  TestCommand queued(VDC_Write, buf, 512);  // sent before the client opened anything
  ASSERT_EQ(server.devices[0]->SendCommand(&queued.cmd), NOERROR);
  EXPECT_EQ(client.Close(), NOERROR);  // no device open: the table's OK, but the set is gone
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  ASSERT_TRUE(queued.WaitDone());
  EXPECT_EQ(queued.code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(queued.completions, 1);
  EXPECT_NE(server.set.AbortReason().find("primary client closed the set"), std::string::npos)
      << server.set.AbortReason();
  TestCommand late(VDC_Write, buf, 512);
  EXPECT_EQ(server.devices[1]->SendCommand(&late.cmd), VD_E_ABORT);
  EXPECT_EQ(late.code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  server.set.Close();
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(FailurePathsTest, CloseWithSomeDevicesOpenInInitializingReturnsOpen) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("closeinit2");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 2, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  EXPECT_EQ(client.Close(), VD_E_OPEN);
  EXPECT_TRUE(server.set.IsAborted());
}

TEST(FailurePathsTest, SignalAbortInConfigurableKeepsTheServerOut) {
  const std::string name = SetName("abortcfg");
  ClientVirtualDeviceSet client;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  EXPECT_EQ(client.SignalAbort(), NOERROR);
  ServerVirtualDeviceSet late;
  EXPECT_EQ(late.Open(name.c_str()), VD_E_ABORT);  // the statement cannot use the set
  EXPECT_EQ(client.GetConfiguration(-1, &cfg), VD_E_ABORT);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(FailurePathsTest, SignalAbortWhileTheServerConfiguresFailsItsNextStep) {
  const std::string name = SetName("abortcfg2");
  ClientVirtualDeviceSet client;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ServerVirtualDeviceSet server;
  ASSERT_EQ(server.Open(name.c_str()), NOERROR);
  EXPECT_EQ(client.SignalAbort(), NOERROR);
  EXPECT_EQ(server.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0), VD_E_ABORT);
  EXPECT_NE(server.AbortReason().find("client called SignalAbort"), std::string::npos);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(server.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(FailurePathsTest, SignalAbortInInitializingFailsTheServersCommands) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("abortinit");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  server.StartAgent();
  TestCommand queued(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&queued.cmd), NOERROR);
  EXPECT_EQ(client.SignalAbort(), NOERROR);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  ASSERT_TRUE(queued.WaitDone());
  EXPECT_EQ(queued.code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  ClientVirtualDevice* dev = nullptr;
  EXPECT_EQ(client.OpenDevice(C(name), &dev), VD_E_ABORT);
  EXPECT_EQ(dev, nullptr);
  EXPECT_EQ(client.Close(), NOERROR);
}

// A client may still fail a statement whose devices all ended: the server sees the abort.
TEST(FailurePathsTest, SignalAbortAfterNormalTerminationReachesTheServer) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("abortnt");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c), VD_E_CLOSE);
  ASSERT_EQ(server.JoinAgent(), NOERROR);
  EXPECT_FALSE(server.set.IsAborted());
  EXPECT_EQ(client.SignalAbort(), NOERROR);
  EXPECT_TRUE(server.set.IsAborted());
  EXPECT_EQ(client.Close(), NOERROR);
}

TEST(FailurePathsTest, ServerAbortWakesGetConfigurationWaitingWithoutLimit) {
  const std::string name = SetName("cfgwake");
  ClientVirtualDeviceSet client;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ServerVirtualDeviceSet server;
  ASSERT_EQ(server.Open(name.c_str()), NOERROR);
  ASSERT_EQ(server.BeginConfiguration(VDF_WriteMedia, 512, 0, 65536, 0), NOERROR);
  InfiniteGetConfiguration wait(client);
  // The server cannot go on (e.g. no memory for the buffers) and aborts.
  const auto t0 = Clock::now();
  EXPECT_EQ(server.SignalAbort(), NOERROR);
  ASSERT_EQ(wait.result.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(wait.result.get(), VD_E_ABORT);
  EXPECT_LT(Clock::now() - t0, 1s);
  EXPECT_EQ(server.Close(), NOERROR);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(FailurePathsTest, ServerCloseBeforeConfiguringWakesGetConfigurationWaitingWithoutLimit) {
  const std::string name = SetName("cfgclose");
  ClientVirtualDeviceSet client;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ServerVirtualDeviceSet server;
  ASSERT_EQ(server.Open(name.c_str()), NOERROR);
  InfiniteGetConfiguration wait(client);
  EXPECT_EQ(server.Close(), NOERROR);  // the statement gave up without SignalAbort
  ASSERT_EQ(wait.result.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(wait.result.get(), VD_E_ABORT);
  EXPECT_EQ(client.Close(), NOERROR);
}

// §4.4 rule 5, CloseDevice variant: the client never sees ClearError or the queued commands;
// GetCommand answers VD_E_CLOSE; a command still held is completed afterwards, and only then is
// the set Normally Terminated.
TEST(FailurePathsTest, ServerClosesTheDeviceInsteadOfClearError) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("rule5c");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand held(VDC_Write, server.Buffer(), 512);
  TestCommand failing(VDC_Write, server.Buffer(), 512);
  TestCommand queued(VDC_Write, server.Buffer(), 512);
  for (TestCommand* t : {&held, &failing, &queued}) {
    ASSERT_EQ(server.devices[0]->SendCommand(&t->cmd), NOERROR);
  }
  VDC_Command* c_held = nullptr;
  VDC_Command* c_fail = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c_held), NOERROR);
  ASSERT_EQ(dev->GetCommand(5000, &c_fail), NOERROR);
  ASSERT_EQ(dev->CompleteCommand(c_fail, ERROR_DISK_FULL, 0, 0), NOERROR);
  ASSERT_TRUE(queued.WaitDone());
  EXPECT_EQ(queued.code(), static_cast<uint32_t>(ERROR_IO_DEVICE));
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  VDC_Command* c = nullptr;
  EXPECT_EQ(dev->GetCommand(5000, &c), VD_E_CLOSE);
  VDConfig probe{};
  ClientVirtualDevice* none = nullptr;
  EXPECT_EQ(client.OpenDevice(C(std::string("x")), &none), VD_E_OPEN);  // still Active
  EXPECT_EQ(dev->CompleteCommand(c_held, ERROR_SUCCESS, 512, 0), NOERROR);
  ASSERT_TRUE(held.WaitDone());
  EXPECT_EQ(held.code(), 0u);
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  EXPECT_EQ(client.GetConfiguration(0, &probe), NOERROR);
  EXPECT_EQ(client.OpenDevice(C(std::string("x")), &none), VD_E_PROTOCOL);  // Terminated
  EXPECT_EQ(dev->GetCommand(0, &c), VD_E_PROTOCOL);
  EXPECT_FALSE(server.set.IsAborted());
  EXPECT_EQ(client.Close(), NOERROR);
}

// A client that Closes while a command it took is still uncompleted has not finished with its
// device: VD_E_OPEN and an abort, so the server's agent does not wait for that command forever.
TEST(FailurePathsTest, CloseWithACommandStillHeldAbortsEvenAfterClose) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("heldclose");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand held(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&held.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c), NOERROR);
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  ASSERT_EQ(dev->GetCommand(5000, &c), VD_E_CLOSE);
  EXPECT_EQ(client.Close(), VD_E_OPEN);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  ASSERT_TRUE(held.WaitDone());
  EXPECT_EQ(held.code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
}

double CpuSeconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// In the IO-ERROR state the server waits for the commands the client still holds; its
// completion agent must wait too, not spin (it did: a busy loop for as long as they were held).
TEST(FailurePathsTest, IoErrorWithACommandHeldLeavesTheAgentIdle) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("ioidle");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand held(VDC_Write, server.Buffer(), 512);
  TestCommand failing(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&held.cmd), NOERROR);
  ASSERT_EQ(server.devices[0]->SendCommand(&failing.cmd), NOERROR);
  VDC_Command* c_held = nullptr;
  VDC_Command* c_fail = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c_held), NOERROR);
  ASSERT_EQ(dev->GetCommand(5000, &c_fail), NOERROR);
  ASSERT_EQ(dev->CompleteCommand(c_fail, ERROR_DISK_FULL, 0, 0), NOERROR);
  ASSERT_TRUE(failing.WaitDone());
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now();
  EXPECT_FALSE(held.WaitDone(600ms));
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  EXPECT_LT(cpu, wall / 3) << "the process burnt " << cpu << " s of CPU in " << wall << " s";
  ASSERT_EQ(dev->CompleteCommand(c_held, ERROR_SUCCESS, 512, 0), NOERROR);
  ASSERT_TRUE(held.WaitDone());
  EXPECT_EQ(held.code(), 0u);
  TestCommand clear(VDC_ClearError, nullptr, 0);  // the device recovers as usual
  ASSERT_EQ(server.devices[0]->SendCommand(&clear.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c), NOERROR);
  EXPECT_EQ(c->commandCode, VDC_ClearError);
  ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, 0, 0), NOERROR);
  ASSERT_TRUE(clear.WaitDone());
  EXPECT_FALSE(server.devices[0]->InIoError());
}

// §4.4 rule 5, SignalAbort variant.
TEST(FailurePathsTest, ServerAbortsInsteadOfClearError) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("rule5a");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand failing(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&failing.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c), NOERROR);
  ASSERT_EQ(dev->CompleteCommand(c, ERROR_DISK_FULL, 0, 0), NOERROR);
  ASSERT_TRUE(failing.WaitDone());
  EXPECT_TRUE(server.devices[0]->InIoError());
  EXPECT_EQ(server.set.SignalAbort(), NOERROR);
  EXPECT_EQ(dev->GetCommand(-1, &c), VD_E_ABORT);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  EXPECT_EQ(client.Close(), NOERROR);
}

// The server's Close with commands outstanding (its device threads gone): every one completes,
// once, with ERROR_OPERATION_ABORTED; the client sees the abort; its late completion is ignored.
TEST(FailurePathsTest, ServerCloseCompletesOutstandingCommandsWithAborted) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("srvclose");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  TestCommand delivered(VDC_Write, server.Buffer(), 512);
  TestCommand queued(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&delivered.cmd), NOERROR);
  ASSERT_EQ(server.devices[0]->SendCommand(&queued.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &c), NOERROR);
  EXPECT_EQ(server.set.Close(), VD_E_PROTOCOL);  // devices still open
  for (TestCommand* t : {&delivered, &queued}) {
    ASSERT_TRUE(t->done());  // completed by Close itself, before it returned
    EXPECT_EQ(t->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
    EXPECT_EQ(t->completions, 1);
  }
  VDC_Command* next = nullptr;
  EXPECT_EQ(dev->GetCommand(-1, &next), VD_E_ABORT);
  EXPECT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, 512, 0), VD_E_ABORT);
  EXPECT_EQ(delivered.completions, 1);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

// serverTimeOut = 0: no watchdog. A command held for longer than two of the agent's idle waits
// (1 s each) does not abort the set; the same hold with serverTimeOut = 100 ms does
// (WatchdogTest.ServerTimeOutAbortsWhenNothingCompletes).
TEST(FailurePathsTest, ServerTimeOutZeroMeansNoLimit) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("notimeout");
  VDConfig cfg = ClientConfig(1);
  cfg.serverTimeOut = 0;
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, 1), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  EXPECT_EQ(cfg.serverTimeOut, 0u);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  TestCommand w(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);
  EXPECT_FALSE(w.WaitDone(2500ms));  // held: nothing completes, nothing aborts
  EXPECT_FALSE(server.set.IsAborted()) << server.set.AbortReason();
  ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, 512, 0), NOERROR);
  ASSERT_TRUE(w.WaitDone());
  EXPECT_EQ(w.code(), 0u);
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  EXPECT_EQ(dev->GetCommand(1000, &c), VD_E_CLOSE);
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  EXPECT_EQ(client.Close(), NOERROR);
}

TEST(FailurePathsTest, OpenInSecondaryOfASetThatDoesNotExist) {
  const std::string name = SetName("nosuchset");
  ClientVirtualDeviceSet secondary;
  EXPECT_EQ(secondary.OpenInSecondary(C(name)), VD_E_PROTOCOL);
  EXPECT_EQ(secondary.Close(), VD_E_PROTOCOL);  // still DNE
  EXPECT_EQ(ShmLeftoversFor(name), "");         // nothing created on the way
  // Case matters: a set of another spelling is another set.
  ClientVirtualDeviceSet primary;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(primary.Create(C(name), &cfg), NOERROR);
  std::string upper = name;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ASSERT_NE(upper, name);
  EXPECT_EQ(secondary.OpenInSecondary(C(upper)), VD_E_PROTOCOL);
  EXPECT_EQ(primary.Close(), NOERROR);
}

// The primary is another process (vdi_test_peer client); this process attaches as a secondary
// once, and a second attachment in the same process is refused until the first one closes.
TEST(FailurePathsTest, OpenInSecondaryTwiceInOneProcessIsRefused) {
  const std::string name = SetName("sectwice");
  Subprocess primary({BinDir() + "/vdi_test_peer", "client", name, "1"});
  ASSERT_TRUE(primary.WaitForLine("CREATED 0", 10s));
  ServerFixture server;
  ASSERT_EQ(server.Setup(name, 1), NOERROR);
  server.StartAgent();
  // Once a command went through, the primary is past GetConfiguration: secondaries may attach.
  TestCommand w(VDC_Write, server.Buffer(), 512);
  ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
  ASSERT_TRUE(w.WaitDone());
  ClientVirtualDeviceSet first, second;
  ASSERT_EQ(first.OpenInSecondary(C(name)), NOERROR);
  EXPECT_EQ(first.OpenInSecondary(C(name)), VD_E_PROTOCOL);   // this object has it open
  EXPECT_EQ(second.OpenInSecondary(C(name)), VD_E_PROTOCOL);  // this process has it open
  VDConfig cfg{};
  EXPECT_EQ(first.GetConfiguration(1000, &cfg), NOERROR);
  EXPECT_TRUE(cfg.features & VDF_WriteMedia);
  EXPECT_EQ(first.Close(), NOERROR);
  EXPECT_EQ(second.OpenInSecondary(C(name)), NOERROR);  // free again in this process
  EXPECT_EQ(second.Close(), NOERROR);
  EXPECT_FALSE(server.set.IsAborted()) << server.set.AbortReason();  // secondaries left cleanly
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  auto result = primary.WaitForLine("RESULT", 10s);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "RESULT " + std::to_string(VD_E_CLOSE));
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  ASSERT_TRUE(primary.Wait(10s));
}

// In the primary's own process the set counts as open already.
TEST(FailurePathsTest, OpenInSecondaryInThePrimarysProcessIsRefused) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  const std::string name = SetName("secself");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDeviceSet secondary;
  EXPECT_EQ(secondary.OpenInSecondary(C(name)), VD_E_PROTOCOL);
  EXPECT_FALSE(server.set.IsAborted());
  EXPECT_EQ(client.Close(), NOERROR);
}

}  // namespace
}  // namespace vdibk::vdi::testing
