// DbMeta backup history: the msdb.dbo.backupset facts survive a save/load, ids grow, and
// metadata written before the extended history lines still loads.
#include <gtest/gtest.h>

#include "emulator/db/db_meta.h"

namespace vdibk::emulator {
namespace {

TEST(DbMetaHistoryTest, ExtendedHistoryRoundTrips) {
  DbMeta m;
  BackupHistoryEntry full;
  full.kind = BackupKind::kFull;
  full.set_guid = Guid::Random();
  full.first_lsn = full.last_lsn = full.checkpoint_lsn = 100;
  full.time = 1700000000;
  full.finish_time = 1700000005;
  full.name = "vdibackup 01 with\ttab and %";
  m.AddHistory(full);
  BackupHistoryEntry diff;
  diff.kind = BackupKind::kDifferential;
  diff.set_guid = Guid::Random();
  diff.first_lsn = diff.last_lsn = diff.checkpoint_lsn = 150;
  diff.database_backup_lsn = diff.differential_base_lsn = 100;
  diff.differential_base_guid = full.set_guid;
  m.AddHistory(diff);
  ASSERT_EQ(m.history.size(), 2u);
  EXPECT_EQ(m.history[0].backup_set_id, 1u);
  EXPECT_EQ(m.history[1].backup_set_id, 2u);

  Result<DbMeta> back = DbMeta::Parse(m.Serialize());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->history.size(), 2u);
  const BackupHistoryEntry& f = back->history[0];
  EXPECT_EQ(f.name, full.name);
  EXPECT_EQ(f.finish_time, 1700000005);
  EXPECT_EQ(f.checkpoint_lsn, 100u);
  const BackupHistoryEntry& d = back->history[1];
  EXPECT_EQ(d.kind, BackupKind::kDifferential);
  EXPECT_EQ(d.backup_set_id, 2u);
  EXPECT_EQ(d.database_backup_lsn, 100u);
  EXPECT_EQ(d.differential_base_lsn, 100u);
  EXPECT_EQ(d.differential_base_guid, full.set_guid);
  EXPECT_EQ(d.name, "");
}

TEST(DbMetaHistoryTest, OldHistoryLinesStillLoad) {
  const std::string old =
      "vdi-emulator-meta 1\n"
      "history\t1\t00000000-0000-0000-0000-000000000001\t5\t5\t1700000000\t0\n"
      "history\t3\t00000000-0000-0000-0000-000000000002\t1\t9\t1700000100\t1\n";
  Result<DbMeta> m = DbMeta::Parse(old);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->history.size(), 2u);
  EXPECT_EQ(m->history[0].backup_set_id, 1u);
  EXPECT_EQ(m->history[1].backup_set_id, 2u);
  EXPECT_EQ(m->history[1].kind, BackupKind::kLog);
  EXPECT_TRUE(m->history[1].copy_only);
  EXPECT_EQ(m->history[1].last_lsn, 9u);
  // A malformed extended line is corrupt metadata.
  EXPECT_FALSE(DbMeta::Parse("vdi-emulator-meta 1\nhistory\t1\t00000000-0000-0000-0000-"
                             "000000000001\t5\t5\t1\t0\tx\t5\t0\t0\tbad\t1\t%\n")
                   .ok());
}

}  // namespace
}  // namespace vdibk::emulator
