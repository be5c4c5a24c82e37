// VdiBufferMapper against a real set: the server side and the primary client in this process, the
// mapper (a secondary client, as in vdibackup-worker) in a child forked before any thread exists.
// MapForWrite resolves a handle to the command's buffer and faults its pages into the mapping at
// once; the bytes written there reach the server; a forged handle is an error.
#include "workers/buffer_mapper.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/unit/shared/vdi/vdi_test_util.h"

namespace vdibk::workers {
namespace {

using vdi::testing::ServerFixture;
using vdi::testing::TestCommand;

constexpr uint32_t kSize = 1u << 20;

char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

// Rss (KiB) of the mapping of this process that contains `p`, from /proc/self/smaps.
long RssKbOfMappingAt(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = addr >= lo && addr < hi;
      continue;
    }
    if (inside && line.rfind("Rss:", 0) == 0) return std::stol(line.substr(4));
  }
  return -1;
}

// What the child reports back.
struct ChildReport {
  int stage = 0;  // 0 ok; otherwise where it failed
  long rss_before_kb = -1, rss_after_kb = -1;
  int forged_code = 0;  // ErrorCode of MapForWrite with a forged handle
};

// The child: maps `handle` of `set_name` as the worker does, fills it with 0x5A.
ChildReport RunMapper(const std::string& set_name, unsigned int handle) {
  ChildReport r;
  VdiBufferMapper mapper;
  if (!mapper.Open(set_name).ok()) return r.stage = 1, r;
  Result<uint8_t*> forged = mapper.MapForWrite(handle ^ 0x1000u, kSize);  // another issue count
  r.forged_code = forged.ok() ? -1 : static_cast<int>(forged.status().code());
  Result<uint8_t*> plain = mapper.Map(handle);
  if (!plain.ok()) return r.stage = 2, r;
  r.rss_before_kb = RssKbOfMappingAt(*plain);
  Result<uint8_t*> p = mapper.MapForWrite(handle, kSize);
  if (!p.ok() || *p != *plain) return r.stage = 3, r;
  r.rss_after_kb = RssKbOfMappingAt(*p);
  std::memset(*p, 0x5A, kSize);
  mapper.Close();
  return r;
}

TEST(BufferMapperTest, MapForWriteFaultsTheBufferInAndItsBytesReachTheServer) {
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  const std::string name = vdi::testing::SetName("mapper");
  pid_t pid = fork();  // before the set (and its threads) exist
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(to_child[1]);
    close(from_child[0]);
    unsigned int handle = 0;
    ChildReport r;
    if (read(to_child[0], &handle, sizeof handle) == sizeof handle) {
      r = RunMapper(name, handle);
    } else {
      r.stage = 9;
    }
    (void)!write(from_child[1], &r, sizeof r);
    _exit(0);
  }
  close(to_child[0]);
  close(from_child[1]);

  ServerFixture server;
  ClientVirtualDeviceSet client;
  VDConfig cfg = vdi::testing::ClientConfig(1);
  ASSERT_EQ(client.Create(C(name), &cfg), NOERROR);
  ASSERT_EQ(server.Setup(name, 1, VDF_ReadMedia, 512, kSize, 2), NOERROR);
  ASSERT_EQ(client.GetConfiguration(5000, &cfg), NOERROR);
  ClientVirtualDevice* dev = nullptr;
  ASSERT_EQ(client.OpenDevice(C(name), &dev), NOERROR);
  server.StartAgent();
  uint8_t* buffer = server.Buffer(kSize);
  ASSERT_NE(buffer, nullptr);
  std::memset(buffer, 0, kSize);
  TestCommand read_cmd(VDC_Read, buffer, kSize);
  ASSERT_EQ(server.devices[0]->SendCommand(&read_cmd.cmd), NOERROR);
  VDC_Command* cmd = nullptr;
  ASSERT_EQ(dev->GetCommand(5000, &cmd), NOERROR);
  unsigned int handle = 0;
  ASSERT_EQ(client.GetBufferHandle(cmd->buffer, &handle), NOERROR);

  ASSERT_EQ(write(to_child[1], &handle, sizeof handle), static_cast<ssize_t>(sizeof handle));
  ChildReport r;
  ASSERT_EQ(read(from_child[0], &r, sizeof r), static_cast<ssize_t>(sizeof r));
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(to_child[1]);
  close(from_child[0]);
  ASSERT_EQ(r.stage, 0);
  EXPECT_EQ(r.forged_code, static_cast<int>(ErrorCode::kFailed));
  // A fresh secondary mapping holds none of the buffer; after MapForWrite all of it.
  EXPECT_GE(r.rss_before_kb, 0);
  EXPECT_LT(r.rss_before_kb, static_cast<long>(kSize / 1024));
  EXPECT_GE(r.rss_after_kb - r.rss_before_kb, static_cast<long>(kSize / 1024));

  ASSERT_EQ(dev->CompleteCommand(cmd, ERROR_SUCCESS, kSize, 0), NOERROR);
  ASSERT_TRUE(read_cmd.WaitDone());
  EXPECT_EQ(read_cmd.code(), static_cast<uint32_t>(ERROR_SUCCESS));
  for (uint32_t i = 0; i < kSize; i += 4093) ASSERT_EQ(buffer[i], 0x5A) << "offset " << i;
  client.Close();
}

}  // namespace
}  // namespace vdibk::workers
