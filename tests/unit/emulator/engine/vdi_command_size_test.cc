// Command sizes as the client sees them: every Read and Write the emulator sends is a whole
// number of blocks (BLOCKSIZE) between one block and MAXTRANSFERSIZE (vdi-protocol.md §6.2,
// §7.3), on every path: pipe-, tape- and disk-like backup and restore, several devices, extra
// mid-stream Flushes, WITH SNAPSHOT backup and restore. The client records each command's size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/emulator/engine/vdi_statement_fixture.h"

namespace vdibk::emulator {
namespace {

using testing::MemoryClientOptions;
using testing::MemoryVdiClient;
using testing::RecordingSink;

struct SizeCase {
  uint32_t block;
  uint32_t max_transfer;
};

std::string CaseName(const ::testing::TestParamInfo<SizeCase>& info) {
  return "Block" + std::to_string(info.param.block) + "Max" +
         std::to_string(info.param.max_transfer);
}

class CommandSizeTest : public testing::VdiStatementTest,
                        public ::testing::WithParamInterface<SizeCase> {
 protected:
  std::string Sizes() const {
    return "BLOCKSIZE = " + std::to_string(GetParam().block) +
           ", MAXTRANSFERSIZE = " + std::to_string(GetParam().max_transfer);
  }
  // Every Read/Write `client` got is a whole number of blocks within [block, max]; returns how
  // many data commands there were (all devices).
  int ExpectWholeBlocks(const MemoryVdiClient& client, uint32_t devices) {
    const SizeCase c = GetParam();
    int data = 0;
    for (uint32_t d = 0; d < devices; ++d) {
      const std::vector<int>& codes = client.commands(d);
      const std::vector<int32_t>& sizes = client.command_sizes(d);
      EXPECT_EQ(codes.size(), sizes.size());
      for (size_t i = 0; i < codes.size() && i < sizes.size(); ++i) {
        if (codes[i] != VDC_Read && codes[i] != VDC_Write) continue;
        ++data;
        const auto size = static_cast<uint32_t>(sizes[i]);
        EXPECT_EQ(size % c.block, 0u)
            << "device " << d << ", command " << i << " ("
            << (codes[i] == VDC_Read ? "Read" : "Write") << ") of " << size << " bytes";
        EXPECT_GE(size, c.block) << "device " << d << ", command " << i;
        EXPECT_LE(size, c.max_transfer) << "device " << d << ", command " << i;
      }
    }
    return data;
  }
  // Backs sales up with `options` and WITH `with`, restores it as `copy`; checks both streams.
  void RoundTrip(MemoryClientOptions options, const std::string& with) {
    auto backup = Client("size", options);
    RecordingSink bs;
    RunWith(*backup, "BACKUP DATABASE sales TO", "WITH " + Sizes() + with, bs);
    ASSERT_FALSE(bs.HasError()) << bs.Text();
    EXPECT_GT(ExpectWholeBlocks(*backup, options.devices), 1);
    auto restore = Client("sizer", options);
    restore->SetStreams(backup->streams());
    restore->SetMarks(backup->marks());
    RecordingSink rs;
    RunWith(*restore, "RESTORE DATABASE copy FROM", "WITH REPLACE, " + Sizes(), rs);
    ASSERT_FALSE(rs.HasError()) << rs.Text();
    EXPECT_GT(ExpectWholeBlocks(*restore, options.devices), 1);
    EXPECT_TRUE(catalog_->Exists("copy"));
  }
};

TEST_P(CommandSizeTest, PipeLikeOneDevice) { RoundTrip({}, ""); }

TEST_P(CommandSizeTest, PipeLikeThreeDevicesWithExtraFlushes) {
  MemoryClientOptions o;
  o.devices = 3;
  RoundTrip(o, ", VDIBK_FAULT = 'extra-flushes=3'");
}

TEST_P(CommandSizeTest, TapeLike) {
  MemoryClientOptions o;
  o.features = VDF_LikeTape;
  RoundTrip(o, "");
}

TEST_P(CommandSizeTest, DiskLike) {
  MemoryClientOptions o;
  o.devices = 2;
  o.features = VDF_LikeDisk;
  RoundTrip(o, "");
}

TEST_P(CommandSizeTest, SnapshotBackupAndRestore) {
  auto backup = Client("sizes");
  RecordingSink bs;
  RunWith(*backup, "BACKUP DATABASE sales TO", "WITH SNAPSHOT, " + Sizes(), bs);
  ASSERT_FALSE(bs.HasError()) << bs.Text();
  EXPECT_GT(ExpectWholeBlocks(*backup, 1), 0);
  // Without a mount the restore fails (5120), after reading the metadata in whole blocks.
  auto restore = Client("sizesr");
  restore->SetStreams(backup->streams());
  RecordingSink rs;
  RunWith(*restore, "RESTORE DATABASE snapcopy FROM", "WITH SNAPSHOT, NORECOVERY, " + Sizes(), rs);
  EXPECT_EQ(rs.numbers(), (std::vector<int>{5120, 3013})) << rs.Text();
  EXPECT_GT(ExpectWholeBlocks(*restore, 1), 0);
}

// 65536 / 196608 is the case of issue 18: restore reads of max/2 = 98304 bytes were 1.5 blocks.
INSTANTIATE_TEST_SUITE_P(BlockAndTransferSizes, CommandSizeTest,
                         ::testing::Values(SizeCase{65536, 196608}, SizeCase{65536, 65536},
                                           SizeCase{512, 65536}, SizeCase{4096, 327680},
                                           SizeCase{32768, 1048576}),
                         CaseName);

}  // namespace
}  // namespace vdibk::emulator
