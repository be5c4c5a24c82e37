// ABI of libsqlvdi against the Linux SDK facts: struct sizes/offsets, enum values, VD_E_* values,
// the one-pointer class layout, the exported mangled names of libsqlvdi.so, and a run of the
// documented-API sample client against a server in another process.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <type_traits>

#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"
#include "vdi.h"
#include "vdierror.h"

namespace {

using namespace std::chrono_literals;

TEST(AbiTest, StructLayouts) {
  EXPECT_EQ(sizeof(VDConfig), 44u);
  EXPECT_EQ(offsetof(VDConfig, features), 4u);
  EXPECT_EQ(offsetof(VDConfig, serverTimeOut), 24u);
  EXPECT_EQ(offsetof(VDConfig, blockSize), 28u);
  EXPECT_EQ(offsetof(VDConfig, bufferAreaSize), 40u);
  EXPECT_EQ(sizeof(VDC_Command), 24u);
  EXPECT_EQ(offsetof(VDC_Command, size), 4u);
  EXPECT_EQ(offsetof(VDC_Command, position), 8u);
  EXPECT_EQ(offsetof(VDC_Command, buffer), 16u);
  EXPECT_EQ(sizeof(VDS_Command), 56u);
  EXPECT_EQ(offsetof(VDS_Command, outPosition), 16u);
  EXPECT_EQ(offsetof(VDS_Command, buffer), 24u);
  EXPECT_EQ(offsetof(VDS_Command, completionRoutine), 32u);
  EXPECT_EQ(offsetof(VDS_Command, completionCode), 48u);
  EXPECT_EQ(offsetof(VDS_Command, bytesTransferred), 52u);
  // One pointer member, no vtable: clients bake sizeof into their `new`.
  EXPECT_EQ(sizeof(ClientVirtualDeviceSet), sizeof(void*));
  EXPECT_EQ(sizeof(ClientVirtualDevice), sizeof(void*));
  EXPECT_FALSE(std::is_polymorphic_v<ClientVirtualDeviceSet>);
  EXPECT_FALSE(std::is_polymorphic_v<ClientVirtualDevice>);
}

TEST(AbiTest, ConstantValues) {
  EXPECT_EQ(VD_E_NOTOPEN, static_cast<int>(0x80770002u));
  EXPECT_EQ(VD_E_TIMEOUT, static_cast<int>(0x80770003u));
  EXPECT_EQ(VD_E_ABORT, static_cast<int>(0x80770004u));
  EXPECT_EQ(VD_E_SECURITY, static_cast<int>(0x80770005u));
  EXPECT_EQ(VD_E_INVALID, static_cast<int>(0x80770006u));
  EXPECT_EQ(VD_E_INSTANCE_NAME, static_cast<int>(0x80770007u));
  EXPECT_EQ(VD_E_NOTSUPPORTED, static_cast<int>(0x80770009u));
  EXPECT_EQ(VD_E_MEMORY, static_cast<int>(0x8077000Au));
  EXPECT_EQ(VD_E_UNEXPECTED, static_cast<int>(0x8077000Bu));
  EXPECT_EQ(VD_E_PROTOCOL, static_cast<int>(0x8077000Cu));
  EXPECT_EQ(VD_E_OPEN, static_cast<int>(0x8077000Du));
  EXPECT_EQ(VD_E_CLOSE, static_cast<int>(0x8077000Eu));
  EXPECT_EQ(VD_E_BUSY, static_cast<int>(0x8077000Fu));
  EXPECT_LT(VD_E_ABORT, 0);
  EXPECT_EQ(VDF_LikeTape, 0x173);
  EXPECT_EQ(VDF_LikeDisk, 0x200);
  EXPECT_EQ(VDF_RequestComplete, 0x2000);
  EXPECT_EQ(VDF_WriteMedia, 0x10000);
  EXPECT_EQ(VDF_ReadMedia, 0x20000);
  EXPECT_EQ(VDF_CompleteEnabled, 0x40000);
  EXPECT_EQ(static_cast<uint32_t>(VDF_LatchStats), 0x80000000u);
  EXPECT_EQ(VDC_Read, 1);
  EXPECT_EQ(VDC_Flush, 12);
  EXPECT_EQ(VDC_PrepareToFreeze, 15);
  EXPECT_EQ(VDC_Complete, 19);
  EXPECT_EQ(VDC_End, 2);
  EXPECT_EQ(ERROR_HANDLE_EOF, 38);
  EXPECT_EQ(ERROR_DISK_FULL, 112);
  EXPECT_EQ(ERROR_OPERATION_ABORTED, 995);
}

TEST(AbiTest, LibraryExportsTheSdkMangledNames) {
  std::string lib = vdibk::testing::BinDir() + "/../lib/libsqlvdi.so";
  ASSERT_TRUE(std::filesystem::exists(lib)) << lib;
  std::string cmd = "nm -D --defined-only " + lib;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::set<std::string> symbols;
  char line[1024];
  while (fgets(line, sizeof line, p)) {
    std::string s(line);
    auto sp = s.rfind(' ');
    symbols.insert(s.substr(sp + 1, s.size() - sp - 2));
  }
  ASSERT_EQ(pclose(p), 0);
  for (const char* want :
       {"_ZN22ClientVirtualDeviceSetC1Ev", "_ZN22ClientVirtualDeviceSetC2Ev",
        "_ZN22ClientVirtualDeviceSetD1Ev", "_ZN22ClientVirtualDeviceSetD2Ev",
        "_ZN22ClientVirtualDeviceSet6CreateEPcP8VDConfig",
        "_ZN22ClientVirtualDeviceSet16GetConfigurationElP8VDConfig",
        "_ZN22ClientVirtualDeviceSet10OpenDeviceEPcPP19ClientVirtualDevice",
        "_ZN22ClientVirtualDeviceSet5CloseEv", "_ZN22ClientVirtualDeviceSet11SignalAbortEv",
        "_ZN22ClientVirtualDeviceSet15OpenInSecondaryEPc",
        "_ZN22ClientVirtualDeviceSet15GetBufferHandleEPhPj",
        "_ZN22ClientVirtualDeviceSet15MapBufferHandleEiPPh",
        "_ZN22ClientVirtualDeviceSet20RegisterDeviceClosedEv", "_ZN19ClientVirtualDeviceC1Ev",
        "_ZN19ClientVirtualDeviceC2Ev", "_ZN19ClientVirtualDeviceD1Ev",
        "_ZN19ClientVirtualDeviceD2Ev", "_ZN19ClientVirtualDevice10GetCommandElPP11VDC_Command",
        "_ZN19ClientVirtualDevice15CompleteCommandEP11VDC_Commandiml"}) {
    EXPECT_TRUE(symbols.count(want)) << "missing export " << want;
  }
  // Internals stay hidden: nothing of the implementation namespace but the server API.
  for (const auto& s : symbols) {
    if (s.rfind("_ZN5vdibk3vdi", 0) == 0 || s.rfind("_ZNK5vdibk3vdi", 0) == 0) {
      EXPECT_NE(s.find("Server"), std::string::npos) << "unexpected export " << s;
    }
  }
}

TEST(AbiTest, DocumentedApiSampleRunsAgainstAServerProcess) {
  vdibk::testing::TempDir dir;
  std::string name = vdibk::testing::UniqueName("sample");
  std::string bin = vdibk::testing::BinDir();
  vdibk::testing::Subprocess client({bin + "/sample_pipe_client", name, dir.Join("out.bak")});
  ASSERT_TRUE(client.WaitForLine("CREATED", 10s));
  vdibk::testing::Subprocess server({bin + "/vdi_test_peer", "server", name, "1", "7"});
  auto bytes = client.WaitForLine("BYTES", 20s);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, "BYTES " + std::to_string(7 * 65536));
  auto st = client.Wait(10s);
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 0);
  auto end = server.WaitForLine("END", 10s);
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, "END ok");
  EXPECT_EQ(std::filesystem::file_size(dir.Join("out.bak")), 7u * 65536);
  std::ifstream f(dir.Join("out.bak"), std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (int i = 0; i < 7; ++i) EXPECT_EQ(static_cast<uint8_t>(data[i * 65536]), i & 0xff);
}

}  // namespace
