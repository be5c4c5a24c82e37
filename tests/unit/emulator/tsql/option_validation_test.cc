// Tests of execution-time option validation (level-16 errors followed by 3013).
#include "emulator/tsql/option_validation.h"

#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {
namespace {

SqlMessages Validate(std::string_view sql) {
  ParseOutput out = Parse(sql);
  EXPECT_TRUE(out.ok()) << sql;
  if (!out.ok() || out.batch.statements.empty()) return {};
  return ValidateStatement(out.batch.statements[0]);
}

// Expects [number, 3013] and returns the first error.
SqlError ExpectRejected(std::string_view sql, int number, std::string_view operation) {
  SqlMessages m = Validate(sql);
  EXPECT_EQ(m.size(), 2u) << sql;
  if (m.size() != 2) return {};
  EXPECT_EQ(m.items()[0].number, number) << sql << ": " << m.items()[0].text;
  EXPECT_EQ(m.items()[0].level, 16);
  EXPECT_EQ(m.items()[1].number, 3013);
  EXPECT_EQ(m.items()[1].text, std::string(operation) + " is terminating abnormally.");
  return m.items()[0];
}

TEST(OptionValidationTest, ValidStatementsPass) {
  EXPECT_TRUE(Validate("BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH BLOCKSIZE=512, "
                       "MAXTRANSFERSIZE=4194304, BUFFERCOUNT=1, STATS=100")
                  .empty());
  EXPECT_TRUE(Validate("RESTORE DATABASE d FROM VIRTUAL_DEVICE='s' WITH MOVE 'a' TO 'b', "
                       "MOVE 'c' TO 'd', NORECOVERY")
                  .empty());
  EXPECT_TRUE(Validate("RESTORE DATABASE d WITH RECOVERY").empty());
  EXPECT_TRUE(Validate("SELECT 1").empty());
}

TEST(OptionValidationTest, BlockSize) {
  SqlError e =
      ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH BLOCKSIZE=1000", 3253, "BACKUP DATABASE");
  EXPECT_EQ(e.text, "The block size parameter must supply a value that is a power of 2.");
  e = ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH BLOCKSIZE=131072", 3250,
                     "BACKUP DATABASE");
  EXPECT_EQ(e.text, "The value '131072' is not within range for the BLOCKSIZE parameter.");
  ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH BLOCKSIZE=256", 3250, "BACKUP DATABASE");
}

// The VDI server's Reads and Writes are whole blocks of at most MAXTRANSFERSIZE: it relies on
// every accepted pair having MAXTRANSFERSIZE a multiple of BLOCKSIZE (issue 18).
TEST(OptionValidationTest, EveryAcceptedTransferSizeIsAWholeNumberOfBlocks) {
  int accepted = 0;
  for (int64_t block = 256; block <= 131072; block *= 2) {
    for (int64_t max = 32768; max <= 4194304 + 65536; max += 32768) {
      const std::string sql =
          "BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH BLOCKSIZE=" + std::to_string(block) +
          ", MAXTRANSFERSIZE=" + std::to_string(max);
      if (!Validate(sql).empty()) continue;
      ++accepted;
      EXPECT_EQ(max % block, 0) << sql;
    }
  }
  EXPECT_EQ(accepted, 8 * 64);  // BLOCKSIZE 512..65536 x MAXTRANSFERSIZE 64 KiB..4 MiB
  EXPECT_TRUE(Validate("RESTORE DATABASE d FROM VIRTUAL_DEVICE='s' WITH BLOCKSIZE=65536, "
                       "MAXTRANSFERSIZE=196608")
                  .empty());
}

TEST(OptionValidationTest, MaxTransferSizeAndBufferCount) {
  ExpectRejected("BACKUP LOG d TO DISK='x' WITH MAXTRANSFERSIZE=100000", 3250, "BACKUP LOG");
  ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH MAXTRANSFERSIZE=8388608", 3250,
                 "BACKUP DATABASE");
  ExpectRejected("RESTORE DATABASE d FROM DISK='x' WITH MAXTRANSFERSIZE=0", 3250,
                 "RESTORE DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH BUFFERCOUNT=0", 3250, "BACKUP DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH STATS=101", 3250, "BACKUP DATABASE");
  ExpectRejected("RESTORE DATABASE d FROM DISK='x' WITH FILE=0", 3250, "RESTORE DATABASE");
}

TEST(OptionValidationTest, Devices) {
  std::string sql = "BACKUP DATABASE d TO VIRTUAL_DEVICE='s'";
  for (int i = 1; i < 65; ++i) sql += ", VIRTUAL_DEVICE='s" + std::to_string(i) + "'";
  SqlError e = ExpectRejected(sql, 3205, "BACKUP DATABASE");
  EXPECT_EQ(e.text,
            "Too many backup devices specified for backup or restore; only 64 are allowed.");
  e = ExpectRejected("BACKUP DATABASE d TO VIRTUAL_DEVICE='s', VIRTUAL_DEVICE='s'", 3201,
                     "BACKUP DATABASE");
  EXPECT_NE(e.text.find("Cannot open backup device 's'. Operating system error 32("),
            std::string::npos);
  ExpectRejected("BACKUP DATABASE d TO VIRTUAL_DEVICE='s', DISK='x'", 3011, "BACKUP DATABASE");
  ExpectRejected("RESTORE DATABASE d FROM DISK=''", 3044, "RESTORE DATABASE");
}

TEST(OptionValidationTest, Conflicts) {
  SqlError e = ExpectRejected("RESTORE DATABASE d FROM DISK='x' WITH RECOVERY, NORECOVERY", 3031,
                              "RESTORE DATABASE");
  EXPECT_EQ(e.text,
            "Option 'norecovery' conflicts with option(s) 'recovery'. Remove the conflicting "
            "option and reissue the statement.");
  ExpectRejected("BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH SNAPSHOT, DIFFERENTIAL", 3031,
                 "BACKUP DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='s' WITH DIFFERENTIAL, COPY_ONLY", 3031,
                 "BACKUP DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='s' WITH INIT, NOINIT", 3031, "BACKUP DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='s' WITH BUFFERCOUNT=2, BUFFERCOUNT=3", 3031,
                 "BACKUP DATABASE");
  ExpectRejected("RESTORE LOG d FROM DISK='s' WITH STANDBY='u', NORECOVERY", 3031, "RESTORE LOG");
}

TEST(OptionValidationTest, SnapshotNeedsOneVirtualDevice) {
  SqlError e =
      ExpectRejected("BACKUP DATABASE d TO VIRTUAL_DEVICE='a', VIRTUAL_DEVICE='b' WITH SNAPSHOT",
                     3277, "BACKUP DATABASE");
  EXPECT_EQ(e.text, "WITH SNAPSHOT must be used with only one virtual device.");
  ExpectRejected(
      "RESTORE DATABASE d FROM VIRTUAL_DEVICE='a', VIRTUAL_DEVICE='b' WITH METADATA_ONLY", 3277,
      "RESTORE DATABASE");
}

TEST(OptionValidationTest, UnsupportedCombinations) {
  SqlError e = ExpectRejected("BACKUP LOG d TO DISK='x' WITH DIFFERENTIAL", 3032, "BACKUP LOG");
  EXPECT_NE(e.text.find("(differential)"), std::string::npos);
  ExpectRejected("RESTORE HEADERONLY FROM DISK='x' WITH REPLACE", 3032, "RESTORE HEADERONLY");
  ExpectRejected("RESTORE VERIFYONLY FROM DISK='x' WITH NORECOVERY", 3032, "VERIFY DATABASE");
  ExpectRejected("RESTORE DATABASE d WITH REPLACE", 3032, "RESTORE DATABASE");
  ExpectRejected("BACKUP DATABASE d TO DISK='x' WITH NORECOVERY", 3032, "BACKUP DATABASE");
}

TEST(OptionValidationTest, ErrorsCarryStatementLine) {
  ParseOutput out = Parse("SELECT 1\nBACKUP DATABASE d TO DISK='x' WITH BLOCKSIZE=3");
  ASSERT_TRUE(out.ok());
  SqlMessages m = ValidateStatement(out.batch.statements[1]);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.items()[0].line, 2);
  EXPECT_EQ(m.items()[1].line, 2);
}

}  // namespace
}  // namespace vdibk::emulator::tsql

namespace vdibk::emulator::tsql {
namespace {

// VDIBK_FAULT (the emulator's per-statement fault plan): parsed on BACKUP and RESTORE of every
// kind, allowed with VIRTUAL_DEVICE only (3032 otherwise, also on a recover-only RESTORE).
TEST(OptionValidationTest, VdibkFaultIsAVirtualDeviceOption) {
  ParseOutput b = Parse(
      "BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH VDIBK_FAULT = "
      "'abort-after=1048576,extra-flushes=2', COPY_ONLY");
  ASSERT_TRUE(b.ok());
  const auto& bs = std::get<BackupStatement>(b.batch.statements[0].body);
  EXPECT_EQ(bs.fault, std::optional<std::string>("abort-after=1048576,extra-flushes=2"));
  EXPECT_TRUE(bs.copy_only);
  EXPECT_TRUE(ValidateStatement(b.batch.statements[0]).empty());
  ParseOutput r = Parse("RESTORE HEADERONLY FROM VIRTUAL_DEVICE='s' WITH vdibk_fault = ''");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<RestoreStatement>(r.batch.statements[0].body).fault,
            std::optional<std::string>(""));
  EXPECT_TRUE(ValidateStatement(r.batch.statements[0]).empty());
  EXPECT_TRUE(
      Validate("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE='s' WITH VDIBK_FAULT='x=1'").empty());
  EXPECT_FALSE(Parse("BACKUP DATABASE d TO VIRTUAL_DEVICE='s' WITH VDIBK_FAULT").ok());
}

TEST(OptionValidationTest, VdibkFaultOnDiskIsRefused) {
  SqlError e = ExpectRejected("BACKUP DATABASE d TO DISK='/tmp/x' WITH VDIBK_FAULT='timeout-ms=5'",
                              3032, "BACKUP DATABASE");
  EXPECT_NE(e.text.find("VIRTUAL_DEVICE"), std::string::npos) << e.text;
  ExpectRejected("RESTORE DATABASE d FROM DISK='/tmp/x' WITH VDIBK_FAULT='timeout-ms=5'", 3032,
                 "RESTORE DATABASE");
  ExpectRejected("RESTORE DATABASE d WITH RECOVERY, VDIBK_FAULT='timeout-ms=5'", 3032,
                 "RESTORE DATABASE");
}

}  // namespace
}  // namespace vdibk::emulator::tsql
