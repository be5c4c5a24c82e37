// Tests of BACKUP parsing: every device form and WITH option, case-insensitivity, syntax errors.
#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"
#include "tests/unit/emulator/tsql/parse_error.h"

namespace vdibk::emulator::tsql {
namespace {

BackupStatement ParseOneBackup(std::string_view sql) {
  ParseOutput out = Parse(sql);
  EXPECT_TRUE(out.ok()) << (out.errors.empty() ? "" : out.errors.items()[0].text);
  if (!out.ok() || out.batch.statements.size() != 1) return {};
  const auto* b = std::get_if<BackupStatement>(&out.batch.statements[0].body);
  EXPECT_NE(b, nullptr);
  return b ? *b : BackupStatement{};
}

TEST(ParserBackupTest, VirtualDeviceSampleStatement) {
  auto b = ParseOneBackup(
      "BACKUP DATABASE db1 TO VIRTUAL_DEVICE='5e1c6d2a-0000-4f00-9a00-000000000001' WITH FORMAT, "
      "MAXTRANSFERSIZE=1048576");
  EXPECT_EQ(b.kind, BackupKind::kDatabase);
  EXPECT_EQ(b.database, "db1");
  ASSERT_EQ(b.devices.size(), 1u);
  EXPECT_EQ(b.devices[0].type, DeviceType::kVirtualDevice);
  EXPECT_EQ(b.devices[0].name, "5e1c6d2a-0000-4f00-9a00-000000000001");
  EXPECT_EQ(b.format, true);
  EXPECT_EQ(b.max_transfer_size, 1048576);
}

TEST(ParserBackupTest, EveryOption) {
  auto b = ParseOneBackup(
      "backup log [Sales DB] to virtual_device = N'set', Virtual_Device='set1' with "
      "buffercount = 8, MAXTRANSFERSIZE=65536, BlockSize=4096, CHECKSUM, COPY_ONLY, NOFORMAT, "
      "NOINIT, STATS = 5, COMPRESSION (ALGORITHM = ZSTD), NAME='full', DESCRIPTION=N'nightly', "
      "NORECOVERY, SKIP, MEDIANAME='m', RETAINDAYS=3");
  EXPECT_EQ(b.kind, BackupKind::kLog);
  EXPECT_EQ(b.database, "Sales DB");
  ASSERT_EQ(b.devices.size(), 2u);
  EXPECT_EQ(b.devices[1].name, "set1");
  EXPECT_EQ(b.buffer_count, 8);
  EXPECT_EQ(b.max_transfer_size, 65536);
  EXPECT_EQ(b.block_size, 4096);
  EXPECT_EQ(b.checksum, true);
  EXPECT_TRUE(b.copy_only);
  EXPECT_EQ(b.format, false);
  EXPECT_EQ(b.init, false);
  EXPECT_EQ(b.stats, 5);
  EXPECT_EQ(b.compression, true);
  EXPECT_EQ(b.compression_algorithm, "ZSTD");
  EXPECT_EQ(b.name, "full");
  EXPECT_EQ(b.description, "nightly");
  EXPECT_TRUE(b.norecovery);
  ASSERT_EQ(b.other_options.size(), 3u);
  EXPECT_EQ(b.other_options[0], (OtherOption{"SKIP", ""}));
  EXPECT_EQ(b.other_options[1], (OtherOption{"MEDIANAME", "m"}));
  EXPECT_EQ(b.other_options[2], (OtherOption{"RETAINDAYS", "3"}));
  EXPECT_EQ(b.option_order.front(), "BUFFERCOUNT");
}

TEST(ParserBackupTest, FlagsAndDefaults) {
  auto b = ParseOneBackup(
      "BACKUP DATABASE d TO DISK='/a.bak', DISK='/b.bak' WITH DIFFERENTIAL, NO_CHECKSUM, INIT, "
      "FORMAT, STATS, NO_COMPRESSION");
  ASSERT_EQ(b.devices.size(), 2u);
  EXPECT_EQ(b.devices[0].type, DeviceType::kDisk);
  EXPECT_TRUE(b.differential);
  EXPECT_EQ(b.checksum, false);
  EXPECT_EQ(b.init, true);
  EXPECT_EQ(b.stats, 10);
  EXPECT_EQ(b.compression, false);
  EXPECT_FALSE(b.buffer_count.has_value());
  EXPECT_EQ(OperationName(b), "BACKUP DATABASE");
  EXPECT_EQ(SuccessOperationName(b), "BACKUP DATABASE WITH DIFFERENTIAL");
}

TEST(ParserBackupTest, SnapshotSpellings) {
  EXPECT_TRUE(ParseOneBackup("BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH SNAPSHOT").snapshot);
  auto m = ParseOneBackup("BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH METADATA_ONLY");
  EXPECT_TRUE(m.snapshot);
  EXPECT_TRUE(m.metadata_only_spelling);
}

TEST(ParserBackupTest, LogicalTapeAndUrlDevices) {
  EXPECT_EQ(ParseOneBackup("BACKUP DATABASE d TO mydev").devices[0].type, DeviceType::kLogical);
  EXPECT_EQ(ParseOneBackup("BACKUP DATABASE d TO TAPE='\\\\.\\tape0'").devices[0].type,
            DeviceType::kTape);
  EXPECT_EQ(ParseOneBackup("BACKUP DATABASE d TO URL='https://x/y'").devices[0].type,
            DeviceType::kUrl);
}

TEST(ParserBackupTest, SixtyFiveDevicesParse) {
  std::string sql = "BACKUP DATABASE d TO VIRTUAL_DEVICE='s'";
  for (int i = 1; i < 65; ++i) sql += ", VIRTUAL_DEVICE='s" + std::to_string(i) + "'";
  EXPECT_EQ(ParseOneBackup(sql).devices.size(), 65u);
}

TEST(ParserBackupTest, UnknownOptionIs155) {
  SqlError e = FirstError("BACKUP DATABASE d TO DISK='x' WITH BOGUS");
  EXPECT_EQ(e.number, 155);
  EXPECT_EQ(e.level, 15);
  EXPECT_EQ(e.state, 1);
  EXPECT_EQ(e.text, "'BOGUS' is not a recognized BACKUP option.");
  SqlError v = FirstError("BACKUP DATABASE d TO DISK='x' WITH Bogus = 1");
  EXPECT_EQ(v.state, 2);
  EXPECT_EQ(v.text, "'Bogus' is not a recognized BACKUP option.");
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO DISK='x' WITH REPLACE").number, 155);
}

TEST(ParserBackupTest, SyntaxErrors) {
  SqlError e = FirstError("BACKUP DATABASE d TO");
  EXPECT_EQ(e.number, 156);
  EXPECT_EQ(e.text, "Incorrect syntax near the keyword 'TO'.");
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO VIRTUAL_DEVICE=").number, 102);
  EXPECT_EQ(FirstError("BACKUP FOO d TO DISK='x'").text, "Incorrect syntax near 'FOO'.");
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO DISK='x' WITH BUFFERCOUNT").number, 102);
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO DISK='x' WITH BUFFERCOUNT='a'").text,
            "Incorrect syntax near 'a'.");
  EXPECT_EQ(FirstError("BACKUP DATABASE @db TO DISK='x'").number, 137);
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO DISK=@p").number, 137);
  EXPECT_EQ(FirstError("BACKUP DATABASE d TO DISK='x' garbage").text,
            "Incorrect syntax near 'garbage'.");
  SqlError line = FirstError("SELECT 1\n\nBACKUP DATABASE d TO DISK='x' WITH ,");
  EXPECT_EQ(line.line, 3);
}

}  // namespace
}  // namespace vdibk::emulator::tsql
