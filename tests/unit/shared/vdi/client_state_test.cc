// Client transition table of the VDI specification, cell by cell (DNE, Configurable,
// Initializing, Active, Normally Terminated, Abort), and the VD_E_* paths of every client call.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "shared/vdi/src/segment.h"
#include "shared/vdi/src/shm_names.h"
#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

TEST(ClientStateTest, DoesNotExistColumn) {
  ClientVirtualDeviceSet set;
  VDConfig cfg{};
  ClientVirtualDevice* dev = nullptr;
  uint8_t* buf = nullptr;
  unsigned int h = 0;
  EXPECT_EQ(set.GetConfiguration(0, &cfg), VD_E_PROTOCOL);
  EXPECT_EQ(set.OpenDevice(C("x"), &dev), VD_E_PROTOCOL);
  EXPECT_EQ(dev, nullptr);
  EXPECT_EQ(set.SignalAbort(), VD_E_PROTOCOL);
  EXPECT_EQ(set.Close(), VD_E_PROTOCOL);
  EXPECT_EQ(set.GetBufferHandle(reinterpret_cast<uint8_t*>(&h), &h), VD_E_PROTOCOL);
  EXPECT_EQ(set.MapBufferHandle(1, &buf), VD_E_PROTOCOL);
}

TEST(ClientStateTest, CreateValidatesConfiguration) {
  ClientVirtualDeviceSet set;
  std::string name = SetName("cfg");
  VDConfig cfg = ClientConfig(0);
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_NOTSUPPORTED);
  cfg = ClientConfig(65);
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_NOTSUPPORTED);
  cfg = ClientConfig(1, VDF_WriteMedia);  // a server-only bit
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_NOTSUPPORTED);
  cfg = ClientConfig(1, VDF_FileMarks);  // not a supported mode combination
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_NOTSUPPORTED);
  cfg = ClientConfig(1);
  cfg.alignment = 3000;
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_NOTSUPPORTED);
  cfg = ClientConfig(1);
  EXPECT_EQ(set.Create(C(std::string("bad\\name")), &cfg), VD_E_INVALID);
  EXPECT_EQ(set.Create(nullptr, &cfg), VD_E_INVALID);
  for (uint32_t f : {0u, static_cast<uint32_t>(VDF_LikeTape), static_cast<uint32_t>(VDF_LikeDisk),
                     VDF_Removable | VDF_RequestComplete | VDF_Discard}) {
    cfg = ClientConfig(64, f);
    ASSERT_EQ(set.Create(C(name), &cfg), NOERROR) << std::hex << f;
    EXPECT_EQ(set.Close(), NOERROR);
  }
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ClientStateTest, ConfigurableColumn) {
  ClientVirtualDeviceSet set;
  std::string name = SetName("configurable");
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(set.Create(C(name), &cfg), NOERROR);
  EXPECT_EQ(set.Create(C(name), &cfg), VD_E_PROTOCOL);  // object not in DNE
  ClientVirtualDevice* dev = nullptr;
  EXPECT_EQ(set.OpenDevice(C(name), &dev), VD_E_PROTOCOL);
  // No server: GetConfiguration times out and may be called again.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(set.GetConfiguration(50, &cfg), VD_E_TIMEOUT);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
  EXPECT_EQ(set.GetConfiguration(0, &cfg), VD_E_TIMEOUT);
  EXPECT_EQ(set.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ClientStateTest, ObjectsAreGroupSharedRegardlessOfUmask) {
  std::string name = SetName("mode");
  std::string path = "/dev/shm/vdibackup." + name + ".ctl";
  mode_t old = umask(077);  // a restrictive umask must not narrow the objects
  {
    ClientVirtualDeviceSet set;
    VDConfig cfg = ClientConfig(1);
    ASSERT_EQ(set.Create(C(name), &cfg), NOERROR);
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    EXPECT_EQ(set.Close(), NOERROR);
  }
  setenv("VDIBACKUP_SHM_MODE", "0600", 1);
  {
    ClientVirtualDeviceSet set;
    VDConfig cfg = ClientConfig(1);
    ASSERT_EQ(set.Create(C(name), &cfg), NOERROR);
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(set.Close(), NOERROR);
  }
  unsetenv("VDIBACKUP_SHM_MODE");
  umask(old);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(ClientStateTest, SecondCreateOfLiveNameIsProtocolError) {
  ClientVirtualDeviceSet a, b;
  std::string name = SetName("dup");
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(a.Create(C(name), &cfg), NOERROR);
  EXPECT_EQ(b.Create(C(name), &cfg), VD_E_PROTOCOL);
  EXPECT_EQ(a.Close(), NOERROR);
  EXPECT_EQ(b.Create(C(name), &cfg), NOERROR);  // free again after Close
  EXPECT_EQ(b.Close(), NOERROR);
}

// The creator makes the control object, then sizes it: a server opening in between must see
// "not created yet", never map the object at whatever size it has grown to meanwhile.
TEST(ClientStateTest, ServerOpenOfAnUnsizedControlObjectIsNotReady) {
  const std::string name = SetName("unsized");
  const std::string path = ShmPath(ControlShmName(name));
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << path;
  Segment seg;
  int err = 0;
  EXPECT_EQ(seg.Open(ControlShmName(name), 4096, &err), VD_E_INVALID);
  EXPECT_EQ(err, EAGAIN);  // "not ready", distinct from a failed mapping
  EXPECT_FALSE(seg.mapped());
  ServerVirtualDeviceSet server;
  EXPECT_EQ(server.Open(name.c_str()), VD_E_INVALID);
  ::close(fd);
  ::unlink(path.c_str());
}

TEST(ClientStateTest, ServerOpenRacingCreateNeverCrashes) {
  for (int round = 0; round < 100; ++round) {
    const std::string name = SetName("race" + std::to_string(round));
    std::atomic<bool> opened{false};
    std::thread server_thread([&] {
      ServerVirtualDeviceSet server;
      for (int i = 0; i < 200000 && !opened; ++i) {
        if (server.Open(name.c_str()) == NOERROR) opened = true;
      }
      if (opened) server.Close();
    });
    ClientVirtualDeviceSet client;
    VDConfig cfg = ClientConfig(1);
    ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
    server_thread.join();
    EXPECT_TRUE(opened) << "round " << round;
    client.Close();
  }
}

TEST(ClientStateTest, InitializingAndActiveColumns) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("init");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 2, &cfg), NOERROR);
  EXPECT_EQ(client.GetConfiguration(0, &cfg), NOERROR);  // allowed again in Initializing
  EXPECT_EQ(client.Create(C(name), &cfg), VD_E_PROTOCOL);
  ClientVirtualDevice* d0 = nullptr;
  ClientVirtualDevice* d1 = nullptr;
  ClientVirtualDevice* bad = nullptr;
  EXPECT_EQ(client.OpenDevice(C(std::string("nope")), &bad), VD_E_INVALID);
  EXPECT_EQ(bad, nullptr);
  ASSERT_EQ(client.OpenDevice(C(name), &d0), NOERROR);
  EXPECT_EQ(client.OpenDevice(C(name), &bad), VD_E_PROTOCOL);  // already open
  ASSERT_EQ(client.OpenDevice(C(name + "1"), &d1), NOERROR);
  EXPECT_EQ(client.OpenDevice(C(name + "1"), &bad), VD_E_OPEN);  // all open (Active)
  EXPECT_EQ(client.GetConfiguration(0, &cfg), NOERROR);
  // Active: GetCommand polls, CompleteCommand rejects a foreign command.
  VDC_Command* cmd = nullptr;
  EXPECT_EQ(d0->GetCommand(0, &cmd), VD_E_TIMEOUT);
  VDC_Command fake{};
  EXPECT_EQ(d0->CompleteCommand(&fake, ERROR_SUCCESS, 0, 0), VD_E_INVALID);
  EXPECT_EQ(d0->GetCommand(0, nullptr), VD_E_INVALID);
  server.StartAgent();
  for (auto* d : server.devices) EXPECT_EQ(d->CloseDevice(), NOERROR);
  EXPECT_EQ(d0->GetCommand(1000, &cmd), VD_E_CLOSE);
  EXPECT_EQ(d1->GetCommand(1000, &cmd), VD_E_CLOSE);
  // Normally Terminated: GetConfiguration still OK; OpenDevice and GetCommand are protocol errors.
  EXPECT_EQ(client.GetConfiguration(0, &cfg), NOERROR);
  EXPECT_EQ(client.OpenDevice(C(name), &bad), VD_E_PROTOCOL);
  EXPECT_EQ(d0->GetCommand(0, &cmd), VD_E_PROTOCOL);
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(d0->GetCommand(0, &cmd), VD_E_PROTOCOL);  // invalidated by Close
}

TEST(ClientStateTest, AbortColumn) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("abort");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  EXPECT_EQ(client.SignalAbort(), NOERROR);
  EXPECT_EQ(client.SignalAbort(), NOERROR);  // OK again in Abort
  VDC_Command* cmd = nullptr;
  EXPECT_EQ(client.GetConfiguration(0, &cfg), VD_E_ABORT);
  EXPECT_EQ(dev->GetCommand(0, &cmd), VD_E_ABORT);
  ClientVirtualDevice* other = nullptr;
  EXPECT_EQ(client.OpenDevice(C(name), &other), VD_E_ABORT);
  EXPECT_TRUE(server.set.IsAborted());
  EXPECT_NE(server.set.AbortReason().find("client"), std::string::npos);
  EXPECT_EQ(client.Close(), NOERROR);  // Close in Abort: OK, no VD_E_OPEN
}

TEST(ClientStateTest, CloseWithOpenDevicesAbortsAndReturnsOpen) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("closeopen");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  EXPECT_EQ(client.Close(), VD_E_OPEN);
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  EXPECT_TRUE(server.set.IsAborted());
}

}  // namespace
}  // namespace vdibk::vdi::testing
