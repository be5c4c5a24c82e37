// The secondary-process model and participant death across real processes (fork/exec of
// vdi_test_peer): handles mapped in another process, kill -9 of the primary client, the server
// and a secondary, stale objects of dead creators, and /dev/shm left clean.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "tests/harness/subprocess.h"
#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

using vdibk::testing::BinDir;
using vdibk::testing::Subprocess;
using namespace std::chrono_literals;

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }
std::string Peer() { return BinDir() + "/vdi_test_peer"; }

uint64_t Fnv(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

TEST(ProcessTest, SecondaryMapsAHandleAndSeesTheServersBytes) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("secmap");
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  {  // Before the primary's GetConfiguration a secondary is refused.
    Subprocess early({Peer(), "secondary-hold", name});
    auto line = early.WaitForLine("OPENERR", 10s);
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "OPENERR " + std::to_string(VD_E_PROTOCOL));
    ASSERT_TRUE(early.Wait(10s));
  }
  ASSERT_EQ(server.Setup(name, 1), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  uint8_t* b = server.Buffer();
  for (int i = 0; i < 65536; ++i) b[i] = static_cast<uint8_t>(i * 13 + 5);
  const uint64_t expected = Fnv(b, 65536);
  TestCommand w(VDC_Write, b, 65536);
  ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);
  unsigned int handle = 0;
  ASSERT_EQ(client.GetBufferHandle(c->buffer, &handle), NOERROR);
  EXPECT_EQ(client.GetBufferHandle(c->buffer + 1, &handle), VD_E_INVALID);
  ASSERT_EQ(client.GetBufferHandle(c->buffer, &handle), NOERROR);
  {
    Subprocess sec({Peer(), "secondary-map", name, std::to_string(handle), "65536"});
    auto line = sec.WaitForLine("MAPPED", 10s);
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "MAPPED " + std::to_string(expected));
    ASSERT_TRUE(sec.Wait(10s));
  }
  EXPECT_EQ(c->buffer[0], 0xAB);  // the secondary's write is visible here
  // Forged handles: other index, other issue, other set tag, negative.
  for (unsigned int forged : {handle ^ 0x1u, handle ^ 0x1000u, handle ^ 0x1000000u}) {
    Subprocess sec({Peer(), "secondary-map", name, std::to_string(forged), "1"});
    auto line = sec.WaitForLine("MAP", 10s);
    ASSERT_TRUE(line) << server.set.AbortReason();
    EXPECT_EQ(*line, "MAPERR " + std::to_string(VD_E_INVALID)) << std::hex << forged;
    ASSERT_TRUE(sec.Wait(10s));  // let it Close: killing it would be a participant death
  }
  uint8_t* p = nullptr;
  EXPECT_EQ(client.MapBufferHandle(-5, &p), VD_E_INVALID);
  EXPECT_EQ(client.MapBufferHandle(static_cast<int>(handle), &p), NOERROR);
  EXPECT_EQ(p, c->buffer);
  ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, 65536, 0), NOERROR);
  ASSERT_TRUE(w.WaitDone());
  // Stale: the command is complete, so its handle no longer maps.
  EXPECT_EQ(client.MapBufferHandle(static_cast<int>(handle), &p), VD_E_INVALID);
  server.devices[0]->CloseDevice();
  EXPECT_EQ(dev->GetCommand(1000, &c), VD_E_CLOSE) << server.set.AbortReason();
}

TEST(ProcessTest, SecondaryDrivesItsOwnDevice) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("secdev");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 2, &cfg), NOERROR);
  Subprocess sec({Peer(), "secondary-device", name, name + "1"});
  auto opened = sec.WaitForLine("OPENED", 10s);
  ASSERT_TRUE(opened);
  ASSERT_EQ(*opened, "OPENED 0");
  ClientVirtualDevice* dev = nullptr;
  ClientVirtualDevice* taken = nullptr;
  EXPECT_EQ(client.OpenDevice(C(name + "1"), &taken), VD_E_PROTOCOL);  // the secondary has it
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  uint8_t* b = server.Buffer();
  std::memset(b, 0x42, 65536);
  TestCommand w(VDC_Write, b, 4096);
  ASSERT_EQ(server.devices[1]->SendCommand(&w.cmd), NOERROR);
  ASSERT_TRUE(w.WaitDone());
  EXPECT_EQ(w.code(), 0u);
  EXPECT_EQ(w.cmd.bytesTransferred, 4096u);
  for (auto* d : server.devices) d->CloseDevice();
  auto result = sec.WaitForLine("RESULT", 10s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->rfind("RESULT " + std::to_string(VD_E_CLOSE) + " ", 0), 0u) << *result;
  VDC_Command* c = nullptr;
  EXPECT_EQ(dev->GetCommand(1000, &c), VD_E_CLOSE);
  EXPECT_EQ(server.JoinAgent(), NOERROR);
}

// True once `pid` is in the stopped state (kill(SIGSTOP) returns before the target has stopped).
bool WaitStopped(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'T')
      return true;
    std::this_thread::yield();
  }
  return false;
}

TEST(ProcessTest, KillPrimaryClientMidStream) {
  std::string name = SetName("killclient");
  Subprocess client({Peer(), "client", name, "2"});
  auto created = client.WaitForLine("CREATED", 10s);
  ASSERT_TRUE(created);
  ASSERT_EQ(*created, "CREATED 0");
  ServerFixture server;
  ASSERT_EQ(server.Setup(name, 2), NOERROR);
  server.StartAgent();
  // Keep one write outstanding per device while the client dies.
  std::vector<std::unique_ptr<TestCommand>> writes;
  uint8_t* b0 = server.Buffer();
  uint8_t* b1 = server.Buffer();
  for (int i = 0; i < 50; ++i) {
    TestCommand w(VDC_Write, b0, 65536);
    ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
    ASSERT_TRUE(w.WaitDone());
  }
  writes.push_back(std::make_unique<TestCommand>(VDC_Write, b1, 65536));
  client.Kill(SIGSTOP);  // freeze it so the next write stays outstanding, then kill it
  ASSERT_TRUE(WaitStopped(client.pid(), 10s));
  ASSERT_EQ(server.devices[1]->SendCommand(&writes.back()->cmd), NOERROR);
  auto t0 = std::chrono::steady_clock::now();
  client.Kill(SIGKILL);
  ASSERT_TRUE(writes.back()->WaitDone(5s));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(writes.back()->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  EXPECT_LT(took, 2s);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  EXPECT_NE(server.set.AbortReason().find("primary client"), std::string::npos)
      << server.set.AbortReason();
  server.set.Close();
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ProcessTest, KillServerMidStream) {
  std::string name = SetName("killserver");
  ClientVirtualDeviceSet client;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  Subprocess server({Peer(), "server", name, "1", "-1"});
  ASSERT_TRUE(server.WaitForLine("READY", 10s));
  ASSERT_EQ(client.GetConfiguration(5000, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  for (int i = 0; i < 20; ++i) {
    VDC_Command* c = nullptr;
    ASSERT_EQ(dev->GetCommand(5000, &c), NOERROR);
    ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, c->size, 0), NOERROR);
  }
  server.Kill(SIGKILL);
  auto t0 = std::chrono::steady_clock::now();
  int rc = NOERROR;
  while (rc == NOERROR) {  // drain what was queued before the kill, then the abort
    VDC_Command* c = nullptr;
    rc = dev->GetCommand(-1, &c);
    if (rc == NOERROR) dev->CompleteCommand(c, ERROR_SUCCESS, c->size, 0);
  }
  EXPECT_EQ(rc, VD_E_ABORT);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ProcessTest, KillSecondaryMidStream) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("killsec");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 2, &cfg), NOERROR);
  Subprocess sec({Peer(), "secondary-device", name, name + "1"});
  ASSERT_TRUE(sec.WaitForLine("OPENED 0", 10s));
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  uint8_t* b = server.Buffer();
  TestCommand first(VDC_Write, b, 512);
  ASSERT_EQ(server.devices[1]->SendCommand(&first.cmd), NOERROR);
  ASSERT_TRUE(first.WaitDone());
  sec.Kill(SIGKILL);
  auto t0 = std::chrono::steady_clock::now();
  VDC_Command* c = nullptr;
  EXPECT_EQ(dev->GetCommand(-1, &c), VD_E_ABORT);  // the primary sees the abort too
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  EXPECT_NE(server.set.AbortReason().find("secondary"), std::string::npos);
  EXPECT_EQ(client.Close(), NOERROR);
  server.set.Close();
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ProcessTest, StaleObjectsOfADeadCreatorAreCleanedUpLiveOnesAreNot) {
  std::string name = SetName("stale");
  {
    Subprocess live({Peer(), "client", name, "1"});
    ASSERT_TRUE(live.WaitForLine("CREATED 0", 10s));
    ClientVirtualDeviceSet other;
    VDConfig cfg = ClientConfig(1);
    EXPECT_EQ(other.Create(C(name), &cfg), VD_E_PROTOCOL);  // live set of another process
    live.Kill(SIGKILL);
    ASSERT_TRUE(live.Wait(10s));
  }
  EXPECT_NE(ShmLeftoversFor(name), "");  // the dead creator left its control segment
  ClientVirtualDeviceSet set;
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(set.Create(C(name), &cfg), NOERROR);
  EXPECT_EQ(set.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

}  // namespace
}  // namespace vdibk::vdi::testing
