// LookUpBackup: one backup's row by NAME, asked again with backoff while the server cannot be
// reached (and, on request, while it has no row yet), within a budget; a stop flag ends it.
#include "coordinator/sql/history_lookup.h"

#include <gtest/gtest.h>

#include "tests/unit/coordinator/sql/fake_sql_runner.h"

namespace vdibk::coordinator {
namespace {

using testing::FakeAnswer;
using testing::FakeSqlRunner;
using testing::HistoryRowLine;
using testing::LinkFailure;

const BackupKey kKey{"sales", "vdibackup 0a0b", BackupKind::kLog, false};

LookupPolicy Quick(int budget_ms, bool until_recorded = false) {
  LookupPolicy p;
  p.budget = std::chrono::milliseconds(budget_ms);
  p.until_recorded = until_recorded;
  p.first_backoff = std::chrono::milliseconds(2);
  p.max_backoff = std::chrono::milliseconds(4);
  return p;
}

FakeAnswer Row() { return {HistoryRowLine(7, 'L', "100", "170", "vdibackup 0a0b"), 0, 0}; }

TEST(HistoryLookupTest, RecordedRowByItsName) {
  FakeSqlRunner sql({Row()});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(0));
  EXPECT_EQ(a.verdict, HistoryVerdict::kRecorded) << a.detail;
  EXPECT_EQ(a.row.backup_set_id, 7u);
  EXPECT_EQ(a.row.last_lsn, "170");
  EXPECT_EQ(a.attempts, 1);
  ASSERT_EQ(sql.statements.size(), 1u);
  EXPECT_NE(sql.statements[0].find("AND name = N'vdibackup 0a0b'"), std::string::npos)
      << sql.statements[0];
}

TEST(HistoryLookupTest, UnreachableServerIsAskedAgainUntilItAnswers) {
  FakeSqlRunner sql({LinkFailure(), LinkFailure(), Row()});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(60'000));
  EXPECT_EQ(a.verdict, HistoryVerdict::kRecorded) << a.detail;
  EXPECT_EQ(a.attempts, 3);
}

TEST(HistoryLookupTest, BudgetZeroAsksOnce) {
  FakeSqlRunner sql({LinkFailure(), Row()});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(0));
  EXPECT_EQ(a.verdict, HistoryVerdict::kUnreachable);
  EXPECT_NE(a.detail.find("Communication link failure"), std::string::npos) << a.detail;
  EXPECT_EQ(sql.statements.size(), 1u);
}

TEST(HistoryLookupTest, NoRowIsFinalUnlessWaitingForTheCommit) {
  FakeSqlRunner once({FakeAnswer{"", 0, 0}, Row()});
  EXPECT_EQ(LookUpBackup(once, kKey, Quick(60'000)).verdict, HistoryVerdict::kNotRecorded);
  EXPECT_EQ(once.statements.size(), 1u);
  FakeSqlRunner waiting({FakeAnswer{"", 0, 0}, FakeAnswer{"", 0, 0}, Row()});
  HistoryAnswer a = LookUpBackup(waiting, kKey, Quick(60'000, /*until_recorded=*/true));
  EXPECT_EQ(a.verdict, HistoryVerdict::kRecorded) << a.detail;
  EXPECT_EQ(a.attempts, 3);
}

TEST(HistoryLookupTest, RowOfAnotherTypeIsNotThisBackup) {
  FakeSqlRunner sql({FakeAnswer{HistoryRowLine(7, 'D', "100", "170", "vdibackup 0a0b"), 0, 0}});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(0));
  EXPECT_EQ(a.verdict, HistoryVerdict::kNotRecorded);
  EXPECT_NE(a.detail.find("full"), std::string::npos) << a.detail;
}

TEST(HistoryLookupTest, RefusedQueryIsUnreachableNamingTheRefusal) {
  FakeSqlRunner sql(
      {FakeAnswer{"Msg 229, Level 14, State 5, Server x, Line 1\nThe SELECT "
                  "permission was denied.\n",
                  1, 0}});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(0));
  EXPECT_EQ(a.verdict, HistoryVerdict::kUnreachable);
  EXPECT_NE(a.detail.find("refused"), std::string::npos) << a.detail;
  EXPECT_NE(a.detail.find("permission was denied"), std::string::npos) << a.detail;
}

TEST(HistoryLookupTest, StopFlagAndServerGoneEndTheRetries) {
  std::atomic<bool> stop{true};
  FakeSqlRunner sql({LinkFailure()});
  HistoryAnswer a = LookUpBackup(sql, kKey, Quick(600'000), &stop);
  EXPECT_EQ(a.verdict, HistoryVerdict::kUnreachable);
  EXPECT_EQ(sql.statements.size(), 1u);
  FakeSqlRunner gone({LinkFailure()});
  a = LookUpBackup(gone, kKey, Quick(600'000), nullptr, [] { return true; });
  EXPECT_EQ(gone.statements.size(), 1u);
}

}  // namespace
}  // namespace vdibk::coordinator
