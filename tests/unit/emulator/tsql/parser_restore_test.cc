// Tests of RESTORE parsing: DATABASE/LOG, recover-only, VERIFYONLY/HEADERONLY/FILELISTONLY,
// options.
#include <gtest/gtest.h>

#include "emulator/tsql/parser.h"

namespace vdibk::emulator::tsql {
namespace {

RestoreStatement ParseOneRestore(std::string_view sql) {
  ParseOutput out = Parse(sql);
  EXPECT_TRUE(out.ok()) << (out.errors.empty() ? "" : out.errors.items()[0].text);
  if (!out.ok() || out.batch.statements.size() != 1) return {};
  const auto* r = std::get_if<RestoreStatement>(&out.batch.statements[0].body);
  EXPECT_NE(r, nullptr);
  return r ? *r : RestoreStatement{};
}

TEST(ParserRestoreTest, DatabaseWithEveryOption) {
  auto r = ParseOneRestore(
      "RESTORE DATABASE db FROM VIRTUAL_DEVICE='set' WITH REPLACE, NORECOVERY, "
      "MOVE 'db' TO '/data/db.mdf', MOVE N'db_log' TO N'/data/db.ldf', CHECKSUM, BUFFERCOUNT=10, "
      "MAXTRANSFERSIZE=65536, BLOCKSIZE=65536, FILE=2, STATS=25, STOPAT='2024-01-01T00:00:00'");
  EXPECT_EQ(r.kind, RestoreKind::kDatabase);
  EXPECT_EQ(r.database, "db");
  EXPECT_TRUE(r.replace);
  EXPECT_EQ(r.recovery, false);
  EXPECT_FALSE(r.WantsRecovery());
  ASSERT_EQ(r.moves.size(), 2u);
  EXPECT_EQ(r.moves[0], (MoveClause{"db", "/data/db.mdf"}));
  EXPECT_EQ(r.moves[1], (MoveClause{"db_log", "/data/db.ldf"}));
  EXPECT_EQ(r.checksum, true);
  EXPECT_EQ(r.buffer_count, 10);
  EXPECT_EQ(r.max_transfer_size, 65536);
  EXPECT_EQ(r.block_size, 65536);
  EXPECT_EQ(r.file, 2);
  EXPECT_EQ(r.stats, 25);
  EXPECT_EQ(r.stop_at, "2024-01-01T00:00:00");
  EXPECT_FALSE(r.RecoverOnly());
}

TEST(ParserRestoreTest, LogAndSnapshot) {
  auto r = ParseOneRestore("restore log db from disk='/x' with recovery, no_checksum, snapshot");
  EXPECT_EQ(r.kind, RestoreKind::kLog);
  EXPECT_EQ(r.recovery, true);
  EXPECT_EQ(r.checksum, false);
  EXPECT_TRUE(r.snapshot);
  EXPECT_TRUE(
      ParseOneRestore("RESTORE DATABASE d FROM VIRTUAL_DEVICE='s' WITH METADATA_ONLY").snapshot);
}

TEST(ParserRestoreTest, RecoverOnly) {
  auto r = ParseOneRestore("RESTORE DATABASE db WITH RECOVERY");
  EXPECT_TRUE(r.RecoverOnly());
  EXPECT_TRUE(r.WantsRecovery());
  EXPECT_TRUE(ParseOneRestore("RESTORE LOG db").RecoverOnly());
}

TEST(ParserRestoreTest, ListingForms) {
  auto v = ParseOneRestore("RESTORE VERIFYONLY FROM VIRTUAL_DEVICE='s' WITH CHECKSUM");
  EXPECT_EQ(v.kind, RestoreKind::kVerifyOnly);
  EXPECT_TRUE(v.database.empty());
  EXPECT_EQ(OperationName(v), "VERIFY DATABASE");
  EXPECT_EQ(ParseOneRestore("RESTORE HEADERONLY FROM DISK='a'").kind, RestoreKind::kHeaderOnly);
  EXPECT_EQ(ParseOneRestore("RESTORE FILELISTONLY FROM DISK='a', DISK='b'").devices.size(), 2u);
  EXPECT_EQ(ParseOneRestore("RESTORE LABELONLY FROM DISK='a'").kind, RestoreKind::kLabelOnly);
}

TEST(ParserRestoreTest, StandbyAndStopMarks) {
  auto r = ParseOneRestore(
      "RESTORE LOG d FROM DISK='l' WITH STANDBY='/u.dat', STOPATMARK='m' AFTER '2024-01-01', "
      "KEEP_CDC");
  EXPECT_EQ(r.standby, "/u.dat");
  EXPECT_FALSE(r.WantsRecovery());
  ASSERT_EQ(r.other_options.size(), 2u);
  EXPECT_EQ(r.other_options[0].name, "STOPATMARK");
}

TEST(ParserRestoreTest, Errors) {
  auto first = [](std::string_view sql) {
    ParseOutput out = Parse(sql);
    EXPECT_FALSE(out.ok()) << sql;
    return out.ok() ? SqlError{} : out.errors.items()[0];
  };
  SqlError e = first("RESTORE DATABASE d FROM DISK='x' WITH DIFFERENTIAL");
  EXPECT_EQ(e.number, 155);
  EXPECT_EQ(e.text, "'DIFFERENTIAL' is not a recognized RESTORE option.");
  EXPECT_EQ(first("RESTORE HEADERONLY WITH FILE=1").number, 156);
  EXPECT_EQ(first("RESTORE DATABASE d FROM DISK='x' WITH MOVE 'a' 'b'").text,
            "Incorrect syntax near 'b'.");
  EXPECT_EQ(first("RESTORE DATABASE d FROM DISK='x' WITH MOVE 'a' TO").number, 156);
  EXPECT_EQ(first("RESTORE SOMETHING FROM DISK='x'").number, 102);
}

}  // namespace
}  // namespace vdibk::emulator::tsql
