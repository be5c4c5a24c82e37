// ReconcileCatalog over a real repository and a scripted server: recorded sets are promoted,
// unrecorded ones marked, the rest not asked once the server stopped answering; dry runs and
// sets of running backups are left alone. PlanPrune then removes only what the server never had.
#include "coordinator/repo/reconcile.h"

#include <gtest/gtest.h>

#include "coordinator/repo/local_repo_store.h"
#include "coordinator/repo/prune_plan.h"
#include "coordinator/repo/set_lock.h"
#include "coordinator/repo/set_promotion.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/sql/fake_sql_runner.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

using testing::FakeAnswer;
using testing::FakeSqlRunner;
using testing::HistoryRowLine;
using testing::LinkFailure;
using testing::SetSpec;

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write("20261201T000000Z_full", 1, proto::BACKUP_TYPE_FULL, proto::MANIFEST_STATE_COMPLETE);
    for (uint8_t i = 1; i <= 4; ++i) {
      Write("20261202T00000" + std::to_string(i) + "Z_log", static_cast<uint8_t>(1 + i),
            proto::BACKUP_TYPE_LOG, proto::MANIFEST_STATE_PENDING);
    }
  }
  void Write(const std::string& name, uint8_t id, proto::BackupType type,
             proto::ManifestState state) {
    SetSpec s;
    s.name = name;
    s.id = id;
    s.type = type;
    s.state = state;
    s.devices = 1;
    s.bytes_per_stripe = 500;
    if (state == proto::MANIFEST_STATE_COMPLETE) s.first_lsn = s.last_lsn = s.checkpoint_lsn = "50";
    testing::WriteSet(tmp_.path(), s);
  }
  RepoCatalog Scan() {
    Result<RepoCatalog> c = ScanRepo(tmp_.path(), "");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : RepoCatalog();
  }
  LocalRepoStore Store() const { return LocalRepoStore(tmp_.path()); }
  std::string NameOf(const RepoCatalog& c, size_t i) { return HistoryNameOf(c.sets[i].manifest); }
  vdibk::testing::TempDir tmp_;
};

TEST_F(ReconcileTest, RecordedPromotedUnrecordedMarkedTheRestNotAskedOnceUnreachable) {
  RepoCatalog c = Scan();
  ASSERT_EQ(c.sets.size(), 5u);
  FakeSqlRunner sql({FakeAnswer{HistoryRowLine(3, 'L', "50", "80", NameOf(c, 1)), 0, 0},
                     FakeAnswer{"", 0, 0}, LinkFailure()});
  const std::vector<ReconcileItem> items = ReconcileCatalog(sql, Store(), c, {});
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].result, ReconcileResult::kConfirmed) << items[0].detail;
  EXPECT_EQ(items[1].result, ReconcileResult::kNotRecorded);
  EXPECT_EQ(items[2].result, ReconcileResult::kUnreachable);
  EXPECT_EQ(items[3].result, ReconcileResult::kUnreachable);
  EXPECT_NE(items[3].detail.find("not asked"), std::string::npos) << items[3].detail;
  EXPECT_EQ(sql.statements.size(), 3u);  // one login timeout, not one per set
  EXPECT_EQ(c.sets[1].state, SetState::kGood);
  EXPECT_EQ(c.sets[1].manifest.last_lsn(), "80");
  EXPECT_EQ(c.sets[1].manifest.confirmed_by(), "reconcile");
  EXPECT_EQ(c.sets[2].history, SetHistory::kNotRecorded);
  EXPECT_EQ(c.sets[3].history, SetHistory::kUnknown);
  // On disk too.
  EXPECT_EQ(Scan().sets[1].state, SetState::kGood);
  EXPECT_EQ(Scan().sets[2].state, SetState::kUnconfirmed);
}

TEST_F(ReconcileTest, DryRunAsksButPromotesNothing) {
  RepoCatalog c = Scan();
  FakeSqlRunner sql(
      {FakeAnswer{HistoryRowLine(3, 'L', "50", "80", NameOf(c, 1)), 0, 0}, FakeAnswer{"", 0, 0}});
  ReconcileOptions o;
  o.dry_run = true;
  const std::vector<ReconcileItem> items = ReconcileCatalog(sql, Store(), c, o);
  EXPECT_EQ(items[0].result, ReconcileResult::kConfirmed);
  EXPECT_EQ(c.sets[1].history, SetHistory::kRecorded);
  EXPECT_EQ(Scan().sets[1].state, SetState::kUnconfirmed);
}

TEST_F(ReconcileTest, SetOfARunningBackupIsNotAsked) {
  RepoCatalog c = Scan();
  Result<SetDirLock> lock = SetDirLock::Acquire(c.sets[1].location);
  ASSERT_OK(lock);
  c = Scan();
  ASSERT_TRUE(c.sets[1].in_use);
  FakeSqlRunner sql({FakeAnswer{"", 0, 0}});
  ReconcileOptions o;
  o.set = c.sets[1].name;
  const std::vector<ReconcileItem> items = ReconcileCatalog(sql, Store(), c, o);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].result, ReconcileResult::kInUse);
  EXPECT_TRUE(sql.statements.empty());
}

TEST_F(ReconcileTest, PruneRemovesOnlyWhatTheServerNeverHadAfterTheGracePeriod) {
  RepoCatalog c = Scan();
  FakeSqlRunner sql({FakeAnswer{"", 0, 0},
                     FakeAnswer{HistoryRowLine(4, 'L', "50", "90", NameOf(c, 2)), 0, 0},
                     LinkFailure()});
  ReconcileOptions dry;
  dry.dry_run = true;  // keep set 2 unconfirmed, but known to the server
  ReconcileCatalog(sql, Store(), c, dry);
  ASSERT_EQ(c.sets[1].history, SetHistory::kNotRecorded);
  ASSERT_EQ(c.sets[2].history, SetHistory::kRecorded);
  PrunePolicy p;
  p.keep_full = 1;
  p.now_unix_ms = c.sets[1].newest_mtime_ms + 2 * p.grace_ms;
  PrunePlan plan = PlanPrune(c, p);
  std::vector<std::string> removed;
  for (const PruneItem& r : plan.remove) removed.push_back(c.sets[r.index].name);
  EXPECT_EQ(removed, std::vector<std::string>{c.sets[1].name});
  // Within the grace period even that one stays.
  p.now_unix_ms = c.sets[1].newest_mtime_ms + p.grace_ms / 2;
  EXPECT_TRUE(PlanPrune(c, p).remove.empty());
}

}  // namespace
}  // namespace vdibk::coordinator
