// Command flow between the server and client sides in one process: FIFO delivery, several
// outstanding commands, out-of-order completion, multi-device interleaving, negotiation of the
// returned configuration, prefix zone and alignment, queue full, timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>

#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::vdi::testing {
namespace {

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

TEST(CommandFlowTest, ReturnedConfigurationFollowsTheContract) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("negotiate");
  VDConfig cfg = ClientConfig(3, VDF_RequestComplete);
  cfg.serverTimeOut = 0;
  cfg.prefixZoneSize = 96;
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.set.Open(name.c_str()), NOERROR);
  VDConfig seen{};
  ASSERT_EQ(server.set.GetConfiguration(&seen), NOERROR);
  EXPECT_EQ(seen.deviceCount, 3u);
  EXPECT_EQ(seen.prefixZoneSize, 96u);
  ASSERT_EQ(
      server.set.BeginConfiguration(VDF_WriteMedia | VDF_CompleteEnabled, 4096, 0, 1024 * 1024, 0),
      NOERROR);
  ASSERT_EQ(server.set.EndConfiguration(), NOERROR);
  VDConfig out{};
  ASSERT_EQ(client.GetConfiguration(1000, &out), NOERROR);
  EXPECT_EQ(out.deviceCount, 3u);
  EXPECT_EQ(out.prefixZoneSize, 96u);
  EXPECT_EQ(out.features,
            static_cast<uint32_t>(VDF_RequestComplete | VDF_WriteMedia | VDF_CompleteEnabled));
  EXPECT_EQ(out.blockSize, 4096u);
  EXPECT_EQ(out.maxIODepth, 4u);
  EXPECT_EQ(out.maxTransferSize, 1024u * 1024);
  EXPECT_EQ(out.bufferAreaSize, 1024u * 1024 * 4 * 3);
}

TEST(CommandFlowTest, CompleteEnabledOnlyWhenRequested) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("nocomplete");
  VDConfig cfg = ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.set.Open(name.c_str()), NOERROR);
  ASSERT_EQ(server.set.BeginConfiguration(VDF_ReadMedia | VDF_CompleteEnabled, 512, 0, 65536, 0),
            NOERROR);
  ASSERT_EQ(server.set.EndConfiguration(), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  EXPECT_EQ(cfg.features, static_cast<uint32_t>(VDF_ReadMedia));
}

TEST(CommandFlowTest, BackupStreamSingleDevice) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("backup1");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg, VDF_RequestComplete,
                               VDF_WriteMedia | VDF_CompleteEnabled),
            NOERROR);
  ASSERT_TRUE(cfg.features & VDF_CompleteEnabled);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  std::string received;
  std::vector<int> codes;
  std::thread reader([&] {
    for (;;) {
      VDC_Command* cmd = nullptr;
      int rc = dev->GetCommand(5000, &cmd);
      if (rc == VD_E_CLOSE) break;
      ASSERT_EQ(rc, NOERROR);
      codes.push_back(cmd->commandCode);
      if (cmd->commandCode == VDC_Write) {
        received.append(reinterpret_cast<char*>(cmd->buffer), cmd->size);
      }
      ASSERT_EQ(dev->CompleteCommand(cmd, ERROR_SUCCESS, cmd->size, 0), NOERROR);
    }
  });
  std::string sent;
  uint8_t* buf = server.Buffer();
  ASSERT_NE(buf, nullptr);
  for (int i = 0; i < 20; ++i) {
    uint32_t size = 512 * static_cast<uint32_t>(1 + i % 7);
    std::memset(buf, 'a' + i, size);
    sent.append(reinterpret_cast<char*>(buf), size);
    TestCommand w(VDC_Write, buf, size);
    ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
    ASSERT_TRUE(w.WaitDone());
    EXPECT_EQ(w.code(), static_cast<uint32_t>(ERROR_SUCCESS));
    EXPECT_EQ(w.cmd.bytesTransferred, size);
  }
  for (uint32_t code : {VDC_Flush, VDC_Complete}) {
    TestCommand c(code, nullptr, 0);
    ASSERT_EQ(server.devices[0]->SendCommand(&c.cmd), NOERROR);
    ASSERT_TRUE(c.WaitDone());
    EXPECT_EQ(c.code(), static_cast<uint32_t>(ERROR_SUCCESS));
  }
  ASSERT_EQ(server.devices[0]->CloseDevice(), NOERROR);
  EXPECT_EQ(server.devices[0]->CloseDevice(), VD_E_CLOSE);
  reader.join();
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  EXPECT_EQ(received, sent);
  ASSERT_EQ(codes.size(), 22u);
  EXPECT_EQ(codes[20], VDC_Flush);
  EXPECT_EQ(codes[21], VDC_Complete);
  EXPECT_EQ(client.Close(), NOERROR);
  EXPECT_EQ(server.set.Close(), NOERROR);
  EXPECT_EQ(ShmLeftoversFor(name), "");
}

TEST(CommandFlowTest, OutstandingCommandsFifoDeliveryAnyOrderCompletion) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("fifo");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  std::vector<std::unique_ptr<TestCommand>> cmds;
  for (uint32_t i = 0; i < 8; ++i) {
    uint8_t* b = server.Buffer();
    ASSERT_NE(b, nullptr);
    b[0] = static_cast<uint8_t>(i);
    cmds.push_back(std::make_unique<TestCommand>(VDC_Write, b, 512 * (i + 1), i));
    ASSERT_EQ(server.devices[0]->SendCommand(&cmds.back()->cmd), NOERROR);
  }
  std::vector<VDC_Command*> got;
  for (uint32_t i = 0; i < 8; ++i) {
    VDC_Command* c = nullptr;
    ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);
    EXPECT_EQ(c->size, static_cast<int32_t>(512 * (i + 1)));  // FIFO
    EXPECT_EQ(c->position, static_cast<int64_t>(i));
    EXPECT_EQ(c->buffer[0], i);
    got.push_back(c);
  }
  VDC_Command* none = nullptr;
  EXPECT_EQ(dev->GetCommand(0, &none), VD_E_TIMEOUT);
  // Complete in reverse order, each with a distinct byte count.
  for (int i = 7; i >= 0; --i) {
    ASSERT_EQ(dev->CompleteCommand(got[i], ERROR_SUCCESS, 100 + i, 0), NOERROR);
    EXPECT_EQ(dev->CompleteCommand(got[i], ERROR_SUCCESS, 0, 0), VD_E_INVALID);  // twice
  }
  for (uint32_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(cmds[i]->WaitDone());
    EXPECT_EQ(cmds[i]->cmd.bytesTransferred, 100 + i);
    EXPECT_EQ(cmds[i]->completions, 1);
  }
  server.devices[0]->CloseDevice();
  VDC_Command* c = nullptr;
  EXPECT_EQ(dev->GetCommand(1000, &c), VD_E_CLOSE);
  EXPECT_EQ(server.JoinAgent(), NOERROR);
}

TEST(CommandFlowTest, MultiDeviceInterleavingKeepsEachStreamInOrder) {
  constexpr uint32_t kDevices = 8;
  constexpr uint32_t kPerDevice = 200;
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("multi");
  VDConfig cfg = ClientConfig(kDevices);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, kDevices, VDF_WriteMedia, 512, 65536, 4 * kDevices), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  server.StartAgent();
  std::vector<std::thread> clients;
  std::vector<std::vector<uint32_t>> seen(kDevices);
  for (uint32_t d = 0; d < kDevices; ++d) {
    clients.emplace_back([&, d] {
      ClientVirtualDevice* dev = nullptr;
      std::string dn = d == 0 ? name : name + std::to_string(d);
      ASSERT_EQ(client.OpenDevice(C(dn), &dev), NOERROR);
      for (;;) {
        VDC_Command* c = nullptr;
        int rc = dev->GetCommand(10000, &c);
        if (rc == VD_E_CLOSE) return;
        ASSERT_EQ(rc, NOERROR);
        uint32_t v;
        std::memcpy(&v, c->buffer, 4);
        seen[d].push_back(v);
        ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, c->size, 0), NOERROR);
      }
    });
  }
  // One server thread per device, each with 4 commands in flight.
  std::vector<std::thread> senders;
  for (uint32_t d = 0; d < kDevices; ++d) {
    senders.emplace_back([&, d] {
      std::vector<std::unique_ptr<TestCommand>> inflight;
      std::vector<uint8_t*> bufs;
      for (int i = 0; i < 4; ++i) bufs.push_back(server.Buffer());
      for (uint32_t i = 0; i < kPerDevice; ++i) {
        if (inflight.size() == 4) {
          ASSERT_TRUE(inflight.front()->WaitDone());
          ASSERT_EQ(inflight.front()->code(), 0u);
          inflight.erase(inflight.begin());
        }
        uint8_t* b = bufs[i % 4];
        std::memcpy(b, &i, 4);
        inflight.push_back(std::make_unique<TestCommand>(VDC_Write, b, 512));
        ASSERT_EQ(server.devices[d]->SendCommand(&inflight.back()->cmd), NOERROR);
      }
      for (auto& c : inflight) ASSERT_TRUE(c->WaitDone());
      server.devices[d]->CloseDevice();
    });
  }
  for (auto& t : senders) t.join();
  for (auto& t : clients) t.join();
  EXPECT_EQ(server.JoinAgent(), NOERROR);
  for (uint32_t d = 0; d < kDevices; ++d) {
    ASSERT_EQ(seen[d].size(), kPerDevice);
    for (uint32_t i = 0; i < kPerDevice; ++i) EXPECT_EQ(seen[d][i], i);
  }
}

TEST(CommandFlowTest, SixtyFourDevicesEachCarryTheirOwnStream) {
  constexpr uint32_t kDevices = 64;
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("d64");
  VDConfig cfg = ClientConfig(kDevices);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, kDevices, VDF_WriteMedia, 512, 65536, kDevices), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  std::vector<ClientVirtualDevice*> devs(kDevices);
  for (uint32_t d = 0; d < kDevices; ++d) {
    std::string dn = d == 0 ? name : name + std::to_string(d);
    ASSERT_EQ(client.OpenDevice(C(dn), &devs[d]), NOERROR) << d;
  }
  ClientVirtualDevice* extra = nullptr;
  EXPECT_EQ(client.OpenDevice(C(name), &extra), VD_E_OPEN);
  server.StartAgent();
  std::vector<std::unique_ptr<TestCommand>> cmds;
  for (uint32_t d = 0; d < kDevices; ++d) {
    uint8_t* b = server.Buffer();
    ASSERT_NE(b, nullptr);
    b[0] = static_cast<uint8_t>(d);
    cmds.push_back(std::make_unique<TestCommand>(VDC_Write, b, 512));
    ASSERT_EQ(server.devices[d]->SendCommand(&cmds.back()->cmd), NOERROR);
  }
  for (uint32_t d = kDevices; d-- > 0;) {  // serve them in reverse order
    VDC_Command* c = nullptr;
    ASSERT_EQ(devs[d]->GetCommand(1000, &c), NOERROR);
    EXPECT_EQ(c->buffer[0], d);
    ASSERT_EQ(devs[d]->CompleteCommand(c, ERROR_SUCCESS, 512, 0), NOERROR);
  }
  for (auto& c : cmds) ASSERT_TRUE(c->WaitDone());
  for (auto* d : server.devices) d->CloseDevice();
  for (auto* d : devs) {
    VDC_Command* c = nullptr;
    EXPECT_EQ(d->GetCommand(1000, &c), VD_E_CLOSE);
  }
  EXPECT_EQ(server.JoinAgent(), NOERROR);
}

TEST(CommandFlowTest, PrefixZoneAndAlignmentAreHonoured) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("prefix");
  VDConfig cfg = ClientConfig(1);
  cfg.prefixZoneSize = 700;
  cfg.alignment = 8192;
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, 1, VDF_WriteMedia, 1024, 65536, 6), NOERROR);
  ASSERT_EQ(client.GetConfiguration(1000, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  std::vector<uint8_t*> bufs;
  for (int i = 0; i < 6; ++i) {
    uint8_t* b = server.Buffer();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 8192, 0u);
    std::memset(b, 0x5A, 65536);
    bufs.push_back(b);
  }
  uint8_t* extra = nullptr;
  EXPECT_EQ(server.set.AllocateBuffer(&extra, 512, 0), VD_E_MEMORY);  // pool exhausted
  std::vector<std::unique_ptr<TestCommand>> cmds;
  for (uint8_t* b : bufs) {
    cmds.push_back(std::make_unique<TestCommand>(VDC_Write, b, 65536));
    ASSERT_EQ(server.devices[0]->SendCommand(&cmds.back()->cmd), NOERROR);
  }
  for (int i = 0; i < 6; ++i) {
    VDC_Command* c = nullptr;
    ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(c->buffer) % 8192, 0u);
    std::memset(c->buffer - 700, 0xEE, 700);  // the prefix zone belongs to the client
    ASSERT_EQ(dev->CompleteCommand(c, ERROR_SUCCESS, 65536, 0), NOERROR);
  }
  for (auto& c : cmds) ASSERT_TRUE(c->WaitDone());
  for (uint8_t* b : bufs) {  // no prefix write reached another buffer's data
    EXPECT_TRUE(std::all_of(b, b + 65536, [](uint8_t v) { return v == 0x5A; }));
  }
  server.devices[0]->CloseDevice();
}

TEST(CommandFlowTest, QueueFullRejectsOnTheSendingThread) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("qfull");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  std::vector<std::unique_ptr<TestCommand>> cmds;
  for (uint32_t i = 0; i < 64; ++i) {
    cmds.push_back(std::make_unique<TestCommand>(VDC_Flush, nullptr, 0));
    ASSERT_EQ(server.devices[0]->SendCommand(&cmds.back()->cmd), NOERROR) << i;
  }
  TestCommand over(VDC_Flush, nullptr, 0);
  EXPECT_EQ(server.devices[0]->SendCommand(&over.cmd), VD_E_BUSY);
  ASSERT_TRUE(over.done());
  EXPECT_EQ(over.code(), static_cast<uint32_t>(ERROR_NO_SYSTEM_RESOURCES));
  EXPECT_EQ(over.completed_on, std::this_thread::get_id());
  server.set.SignalAbort();
  server.StartAgent();
  EXPECT_EQ(server.JoinAgent(), VD_E_ABORT);
  for (auto& c : cmds) {
    ASSERT_TRUE(c->WaitDone());
    EXPECT_EQ(c->code(), static_cast<uint32_t>(ERROR_OPERATION_ABORTED));
  }
}

TEST(CommandFlowTest, GetCommandTimeoutHonoursMilliseconds) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("timeout");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  VDC_Command* c = nullptr;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(dev->GetCommand(120, &c), VD_E_TIMEOUT);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(120));
  EXPECT_EQ(c, nullptr);
}

TEST(CommandFlowTest, RestoreReadsOfVaryingSizesAndEndOfData) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("restore");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg, 0, VDF_ReadMedia), NOERROR);
  EXPECT_EQ(cfg.features, static_cast<uint32_t>(VDF_ReadMedia));
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  std::string stream(10000, '\0');
  for (size_t i = 0; i < stream.size(); ++i) stream[i] = static_cast<char>(i * 7);
  std::thread reader([&] {
    size_t pos = 0;
    for (;;) {
      VDC_Command* c = nullptr;
      int rc = dev->GetCommand(5000, &c);
      if (rc == VD_E_CLOSE) return;
      ASSERT_EQ(rc, NOERROR);
      if (c->commandCode == VDC_ClearError) {
        dev->CompleteCommand(c, ERROR_SUCCESS, 0, 0);
        continue;
      }
      ASSERT_EQ(c->commandCode, VDC_Read);
      size_t n = std::min<size_t>(c->size, stream.size() - pos);
      std::memcpy(c->buffer, stream.data() + pos, n);
      pos += n;
      dev->CompleteCommand(c, n < static_cast<size_t>(c->size) ? ERROR_HANDLE_EOF : ERROR_SUCCESS,
                           n, 0);
    }
  });
  std::string got;
  uint8_t* b = server.Buffer();
  uint32_t sizes[] = {512, 4096, 1024, 65536};
  for (int i = 0;; ++i) {
    TestCommand r(VDC_Read, b, sizes[i % 4]);
    ASSERT_EQ(server.devices[0]->SendCommand(&r.cmd), NOERROR);
    ASSERT_TRUE(r.WaitDone());
    got.append(reinterpret_cast<char*>(b), r.cmd.bytesTransferred);
    if (r.code() == ERROR_HANDLE_EOF) break;
    ASSERT_EQ(r.code(), 0u);
  }
  EXPECT_EQ(got, stream);
  EXPECT_TRUE(server.devices[0]->InIoError());  // EOF is an error completion
  TestCommand clear(VDC_ClearError, nullptr, 0);
  ASSERT_EQ(server.devices[0]->SendCommand(&clear.cmd), NOERROR);
  ASSERT_TRUE(clear.WaitDone());
  EXPECT_EQ(clear.code(), 0u);
  EXPECT_FALSE(server.devices[0]->InIoError());
  server.devices[0]->CloseDevice();
  reader.join();
  EXPECT_EQ(server.JoinAgent(), NOERROR);
}

TEST(CommandFlowTest, BuffersFromALaterRequestLiveInANewSegment) {
  ClientVirtualDeviceSet client;
  ServerFixture server;
  std::string name = SetName("lateseg");
  VDConfig cfg{};
  ASSERT_EQ(CreateAndConfigure(client, server, name, 1, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  ASSERT_EQ(server.set.RequestBuffers(131072, 0, 2), NOERROR);
  uint8_t* big = nullptr;
  ASSERT_EQ(server.set.AllocateBuffer(&big, 131072, 0), NOERROR);
  std::memset(big, 0x77, 131072);
  server.StartAgent();
  TestCommand w(VDC_Write, big, 131072);
  ASSERT_EQ(server.devices[0]->SendCommand(&w.cmd), NOERROR);
  VDC_Command* c = nullptr;
  ASSERT_EQ(dev->GetCommand(1000, &c), NOERROR);
  EXPECT_EQ(c->size, 131072);
  EXPECT_TRUE(std::all_of(c->buffer, c->buffer + 131072, [](uint8_t v) { return v == 0x77; }));
  ASSERT_EQ(dev->CompleteCommand(c, 0, 131072, 0), NOERROR);
  ASSERT_TRUE(w.WaitDone());
  server.devices[0]->CloseDevice();
}

}  // namespace
}  // namespace vdibk::vdi::testing
