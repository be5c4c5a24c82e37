// BackupHistory (the server-wide msdb.dbo.backupset store): rows round-trip, ids are server-wide,
// concurrent appends from several threads lose nothing, a torn last append is ignored and then
// replaced, older per-database history lines in a
// database's metadata are accepted and dropped, a corrupt store is an integrity error.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "emulator/db/backup_history.h"
#include "emulator/db/file_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::emulator {
namespace {

BackupHistoryEntry Row(const std::string& db, BackupKind kind, uint64_t lsn) {
  BackupHistoryEntry h;
  h.database_name = db;
  h.kind = kind;
  h.set_guid = Guid::Random();
  h.first_lsn = h.last_lsn = h.checkpoint_lsn = lsn;
  h.time = 1700000000;
  h.finish_time = 1700000005;
  return h;
}

TEST(BackupHistoryTest, RowsRoundTripWithServerWideIds) {
  testing::TempDir dir;
  BackupHistory store(dir.path());
  BackupHistoryEntry full = Row("sales", BackupKind::kFull, 100);
  full.name = "vdibackup 01 with\ttab and %";
  ASSERT_EQ(store.Append(full).value(), 1u);
  BackupHistoryEntry other = Row("odd name\t%", BackupKind::kFull, 7);
  ASSERT_EQ(store.Append(other).value(), 2u);
  BackupHistoryEntry diff = Row("sales", BackupKind::kDifferential, 150);
  diff.copy_only = true;
  diff.database_backup_lsn = diff.differential_base_lsn = 100;
  diff.differential_base_guid = full.set_guid;
  ASSERT_EQ(store.Append(diff).value(), 3u);

  Result<std::vector<BackupHistoryEntry>> sales = store.ForDatabase("sales");
  ASSERT_OK(sales);
  ASSERT_EQ(sales->size(), 2u);
  EXPECT_EQ((*sales)[0].backup_set_id, 1u);
  EXPECT_EQ((*sales)[0].name, full.name);
  EXPECT_EQ((*sales)[0].set_guid, full.set_guid);
  EXPECT_EQ((*sales)[0].finish_time, 1700000005);
  const BackupHistoryEntry& d = (*sales)[1];
  EXPECT_EQ(d.backup_set_id, 3u);
  EXPECT_EQ(d.kind, BackupKind::kDifferential);
  EXPECT_TRUE(d.copy_only);
  EXPECT_EQ(d.differential_base_lsn, 100u);
  EXPECT_EQ(d.differential_base_guid, full.set_guid);
  EXPECT_EQ(d.name, "");
  Result<std::vector<BackupHistoryEntry>> odd = store.ForDatabase("odd name\t%");
  ASSERT_OK(odd);
  ASSERT_EQ(odd->size(), 1u);
  EXPECT_EQ((*odd)[0].first_lsn, 7u);
  EXPECT_TRUE(store.ForDatabase("none").value().empty());
}

TEST(BackupHistoryTest, ConcurrentAppendsLoseNothing) {
  testing::TempDir dir;
  ASSERT_OK(MakeDirs(dir.Join(".vdi-emulator")));
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::thread> threads;
  std::vector<Status> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      BackupHistory store(dir.path());  // each thread its own object, as separate statements
      for (int i = 0; i < kEach; ++i) {
        Result<uint64_t> id = store.Append(Row("db" + std::to_string(t), BackupKind::kLog, i));
        if (!id.ok()) errors[t] = id.status();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const Status& s : errors) EXPECT_OK(s);
  Result<std::vector<BackupHistoryEntry>> all = BackupHistory(dir.path()).Load();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kEach));
  std::set<uint64_t> ids;
  for (const BackupHistoryEntry& h : *all) ids.insert(h.backup_set_id);
  EXPECT_EQ(ids.size(), all->size());
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), static_cast<uint64_t>(kThreads * kEach));
}

TEST(BackupHistoryTest, CorruptStoreIsAnIntegrityError) {
  testing::TempDir dir;
  BackupHistory store(dir.path());
  ASSERT_OK(store.Append(Row("a", BackupKind::kFull, 1)));
  ASSERT_OK(WriteFileAtomic(store.path(), "vdi-emulator-backupset 1\n1\ta\t9\tjunk\n"));
  EXPECT_EQ(store.Load().status().code(), ErrorCode::kIntegrity);
  EXPECT_FALSE(store.Append(Row("a", BackupKind::kFull, 2)).ok());  // never overwritten
  EXPECT_FALSE(ParseBackupHistory("vdi-emulator-backupset 2\n").ok());
}

TEST(BackupHistoryTest, TornLastAppendIsIgnoredAndReplaced) {
  testing::TempDir dir;
  BackupHistory store(dir.path());
  ASSERT_OK(store.Append(Row("a", BackupKind::kFull, 1)));
  ASSERT_OK(store.Append(Row("a", BackupKind::kLog, 2)));
  // A crash in the middle of the next append leaves part of a line (no newline).
  std::string text = ReadWholeFile(store.path()).value();
  ASSERT_OK(WriteFileAtomic(store.path(), text + "3\ta\t1\t0000"));
  Result<std::vector<BackupHistoryEntry>> rows = store.Load();
  ASSERT_OK(rows);
  EXPECT_EQ(rows->size(), 2u);
  ASSERT_EQ(store.Append(Row("a", BackupKind::kLog, 3)).value(), 3u);
  const std::string after = ReadWholeFile(store.path()).value();
  EXPECT_EQ(after.find("0000\n"), std::string::npos);  // the torn bytes are gone
  EXPECT_TRUE(after.starts_with(text));
  rows = store.Load();
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2].last_lsn, 3u);
  EXPECT_TRUE(ParseBackupHistory("").value().empty());  // empty: no rows
}

TEST(BackupHistoryTest, OldPerDatabaseHistoryAndHashBasesAreDropped) {
  const std::string old =
      "vdi-emulator-meta 1\n"
      "extents\t1\t131072\tabc\tdef\n"
      "history\t1\t00000000-0000-0000-0000-000000000001\t5\t5\t1700000000\t0\n"
      "history\t3\t00000000-0000-0000-0000-000000000002\t1\t9\t1700000100\t1\n";
  Result<DbMeta> m = DbMeta::Parse(old);
  ASSERT_OK(m);
  EXPECT_TRUE(m->changed.empty());  // no map: every file counts as changed since the base
  EXPECT_EQ(m->Serialize().find("history"), std::string::npos);
  EXPECT_EQ(m->Serialize().find("extents"), std::string::npos);
}

}  // namespace
}  // namespace vdibk::emulator
