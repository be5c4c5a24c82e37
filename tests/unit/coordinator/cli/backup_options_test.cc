// `vdibackup backup` argument parsing and defaults.
#include "coordinator/cli/backup_options.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

TEST(BackupOptionsTest, Defaults) {
  Result<BackupSpec> o = ParseBackupOptions({"--database", "db", "--repo", "/r"}, "/bin/x");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_GE(o->devices, 1u);
  EXPECT_LE(o->devices, 4u);
  EXPECT_EQ(o->workers, o->devices);
  EXPECT_EQ(o->max_transfer_size, 4u << 20);
  EXPECT_EQ(o->block_size, 65536u);
  EXPECT_EQ(o->lz4_level, 1);
  EXPECT_TRUE(o->checksum);
  EXPECT_EQ(o->sqlcmd, "/bin/x/sqlcmd");
  EXPECT_EQ(o->worker_program, "/bin/x/vdibackup-worker");
}

TEST(BackupOptionsTest, ExplicitValues) {
  Result<BackupSpec> o = ParseBackupOptions({"--database",
                                                "db",
                                                "--repo",
                                                "/r",
                                                "--devices",
                                                "4",
                                                "--workers",
                                                "2",
                                                "--buffer-count",
                                                "8",
                                                "--max-transfer-size",
                                                "1048576",
                                                "--block-size",
                                                "512",
                                                "--compression",
                                                "none",
                                                "--lz4-level",
                                                "9",
                                                "--no-checksum",
                                                "--sqlcmd",
                                                "/opt/sqlcmd",
                                                "--server",
                                                ".",
                                                "--set-name",
                                                "s",
                                                "--json"},
                                               "/b");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->devices, 4u);
  EXPECT_EQ(o->workers, 2u);
  EXPECT_EQ(o->buffer_count, 8u);
  EXPECT_EQ(o->max_transfer_size, 1048576u);
  EXPECT_EQ(o->block_size, 512u);
  EXPECT_EQ(o->compression, CompressionKind::kNone);
  EXPECT_EQ(o->lz4_level, 9);
  EXPECT_FALSE(o->checksum);
  EXPECT_EQ(o->sqlcmd, "/opt/sqlcmd");
  EXPECT_EQ(o->set_name, "s");
  EXPECT_TRUE(o->json);
}

TEST(BackupOptionsTest, MoreWorkersThanDevicesFanOut) {
  auto o = ParseBackupOptions(
      {"--database", "d", "--repo", "/r", "--devices", "1", "--workers", "8"}, "/b");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->devices, 1u);
  EXPECT_EQ(o->workers, 8u);
  EXPECT_EQ(o->buffer_count, 32u);  // four per worker
}

// The default buffers stay within 64 MiB of shared memory however many devices; given values
// are kept as given.
TEST(BackupOptionsTest, DefaultBufferAreaShrinksWithManyDevices) {
  struct Row {
    uint32_t devices, workers, count, transfer;
  };
  for (const Row& r : {Row{1, 1, 4, 4u << 20}, Row{4, 4, 16, 4u << 20}, Row{8, 4, 32, 2u << 20},
                       Row{16, 4, 64, 1u << 20}, Row{32, 4, 64, 1u << 20},
                       Row{64, 4, 128, 512u << 10}, Row{1, 8, 32, 2u << 20}}) {
    const BufferArea a = DefaultBufferArea(r.devices, r.workers);
    EXPECT_EQ(a.buffer_count, r.count) << r.devices << " devices";
    EXPECT_EQ(a.max_transfer_size, r.transfer) << r.devices << " devices";
    EXPECT_LE(static_cast<uint64_t>(a.buffer_count) * a.max_transfer_size, kDefaultBufferArea);
    EXPECT_GE(a.buffer_count, r.devices);
  }
  auto o = ParseBackupOptions({"--database", "d", "--repo", "/r", "--devices", "64"}, "/b");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->buffer_count, 128u);
  EXPECT_EQ(o->max_transfer_size, 512u << 10);
  o = ParseBackupOptions(
      {"--database", "d", "--repo", "/r", "--devices", "64", "--max-transfer-size", "4194304"},
      "/b");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->buffer_count, 256u);  // four per device, as asked for 4 MiB: 1 GiB
  EXPECT_EQ(o->max_transfer_size, 4u << 20);
  o = ParseBackupOptions({"--database", "d", "--repo", "/r", "--devices", "64", "--buffer-count",
                          "64"},
                         "/b");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->buffer_count, 64u);
  EXPECT_EQ(o->max_transfer_size, 4u << 20);
}

TEST(BackupOptionsTest, UsageErrors) {
  auto code = [](std::vector<std::string> a) {
    return ParseBackupOptions(a, "/b").status().code();
  };
  EXPECT_EQ(code({"--repo", "/r"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--devices", "x"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--devices", "2", "--workers", "65"}),
            ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--buffer-count", "5000"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--buffer-count", "4000",
                  "--max-transfer-size", "4194304"}),
            ErrorCode::kUsage);  // 15.6 GiB of /dev/shm
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--max-transfer-size", "1000"}),
            ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--block-size", "3000"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--compression", "zstd"}), ErrorCode::kUsage);
  EXPECT_EQ(code({"--database", "d", "--repo", "/r", "--bogus"}), ErrorCode::kUsage);
}

}  // namespace
}  // namespace vdibk::coordinator
