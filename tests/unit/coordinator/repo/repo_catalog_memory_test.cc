// The repository logic on MemoryRepoStore, without a filesystem: the catalog's set states and
// chains, restore chains, FindSet/LoadRestoreSet/VerifySet, promotion, and prune's removals and
// leftovers all go through the RepoStore seam alone.
#include <gtest/gtest.h>

#include "coordinator/cli/prune_command.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/restore_chain.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/repo/set_promotion.h"
#include "coordinator/repo/set_verification.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/unit/coordinator/repo/memory_repo_store.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

using testing::MemoryRepoStore;
using testing::SetSpec;

constexpr int64_t kMinute = 60 * 1000;

class RepoOnMemoryStoreTest : public ::testing::Test {
 protected:
  // A set of `type` with LSNs; `base` is the checkpoint LSN of its full (diff/log).
  proto::Manifest Put(const std::string& name, proto::BackupType type, const std::string& first,
                      const std::string& last, const std::string& base = "",
                      proto::ManifestState state = proto::MANIFEST_STATE_COMPLETE) {
    SetSpec s;
    s.name = name;
    s.type = type;
    s.devices = 1;
    s.bytes_per_stripe = 2000;
    s.id = static_cast<uint8_t>(++ids_);
    s.first_lsn = first;
    s.last_lsn = last;
    s.checkpoint_lsn = type == proto::BACKUP_TYPE_FULL ? last : first;
    s.database_backup_lsn = base;
    s.started_unix_ms = *ParseSetStamp(name);
    s.state = state;
    EXPECT_TRUE(store_.TryCreateSet("sales", name).value());
    return testing::WriteSetTo(*store_.OpenSet("sales", name).value(), s);
  }
  MemoryRepoStore store_;
  int ids_ = 0;
};

TEST_F(RepoOnMemoryStoreTest, CatalogClassifiesAndLinksSets) {
  Put("20240101T000000Z_full", proto::BACKUP_TYPE_FULL, "10", "100");
  Put("20240102T000000Z_diff", proto::BACKUP_TYPE_DIFF, "100", "150", "100");
  Put("20240103T000000Z_log", proto::BACKUP_TYPE_LOG, "10", "200", "100");
  Put("20240104T000000Z_log", proto::BACKUP_TYPE_LOG, "200", "300", "100",
      proto::MANIFEST_STATE_PENDING);
  ASSERT_TRUE(store_.TryCreateSet("sales", "20240105T000000Z_full").value());  // garbage
  ASSERT_TRUE(store_.TryCreateSet("sales", "20240106T000000Z_log").value());
  store_.PutFile("sales", "20240106T000000Z_log", stripe::kManifestFileName, "not a manifest");

  Result<RepoCatalog> c = ScanRepo(store_);
  ASSERT_OK(c);
  EXPECT_EQ(c->repo, "mem://repo");
  ASSERT_EQ(c->sets.size(), 6u);
  const auto& s = c->sets;
  EXPECT_EQ(s[0].state, SetState::kGood);
  EXPECT_EQ(s[0].location, "mem://repo/sales/20240101T000000Z_full");
  EXPECT_EQ(s[1].base, "20240101T000000Z_full");
  EXPECT_EQ(s[2].log_position, 1u);
  EXPECT_EQ(s[3].state, SetState::kUnconfirmed);
  EXPECT_EQ(s[4].state, SetState::kGarbage);
  EXPECT_EQ(s[4].kind, SetKind::kFull);  // from the name
  EXPECT_EQ(s[5].state, SetState::kCorrupt);
  EXPECT_EQ(ListDatabases(store_).value(), std::vector<std::string>{"sales"});
  EXPECT_TRUE(ScanRepo(store_, "hr")->sets.empty());
  EXPECT_EQ(ScanRepo(store_, "../x").status().code(), ErrorCode::kUsage);

  // A lease marks the set in use; it goes with the lease.
  {
    std::unique_ptr<SetLease> lease = store_.AcquireLease("sales", "20240105T000000Z_full").value();
    EXPECT_TRUE(ScanRepo(store_)->sets[4].in_use);
  }
  EXPECT_FALSE(ScanRepo(store_)->sets[4].in_use);
}

TEST_F(RepoOnMemoryStoreTest, RestoreChainsVerifyAndPromotionThroughTheStore) {
  Put("20240101T000000Z_full", proto::BACKUP_TYPE_FULL, "10", "100");
  Put("20240102T000000Z_log", proto::BACKUP_TYPE_LOG, "50", "200", "100");
  const proto::Manifest pending = Put("20240103T000000Z_log", proto::BACKUP_TYPE_LOG, "200", "300",
                                      "100", proto::MANIFEST_STATE_PENDING);
  std::vector<ChainBlocker> blockers;
  Result<std::vector<ChainSet>> sets = ListChainSets(store_, "sales", &blockers);
  ASSERT_OK(sets);
  ASSERT_EQ(sets->size(), 2u);
  ASSERT_EQ(blockers.size(), 1u);
  EXPECT_EQ(blockers[0].state, "unconfirmed");
  Result<std::vector<ChainSet>> chain = PlanRestoreChain(*sets, std::nullopt);
  ASSERT_OK(chain);
  EXPECT_EQ(chain->size(), 2u);

  EXPECT_EQ(FindSet(store_, "sales", "latest").value(), "20240102T000000Z_log");
  EXPECT_EQ(FindSet(store_, "sales", "nope").status().code(), ErrorCode::kMissing);
  EXPECT_EQ(FindSet(store_, "sales", "../x").status().code(), ErrorCode::kUsage);
  Result<RestorePlan> plan = LoadRestoreSet(store_, "sales", "20240101T000000Z_full");
  ASSERT_OK(plan);
  EXPECT_EQ(plan->set_dir, "mem://repo/sales/20240101T000000Z_full");
  EXPECT_EQ(plan->stripe_dirs, std::vector<std::string>{plan->set_dir});
  EXPECT_EQ(VerifySet(store_, "sales", "20240101T000000Z_full", 2).code(), ErrorCode::kOk);

  // An extra stripe in the set is found through the store's listing.
  store_.PutFile("sales", "20240101T000000Z_full", "stripe-09-of-09.lz4", "x");
  EXPECT_EQ(LoadRestoreSet(store_, "sales", "20240101T000000Z_full").status().code(),
            ErrorCode::kMissing);

  BackupHistoryRow row;
  row.name = HistoryNameOf(pending);
  row.type = 'L';
  row.first_lsn = "200";
  row.last_lsn = "300";
  row.checkpoint_lsn = "200";
  row.database_backup_lsn = "100";
  ASSERT_OK(PromoteSet(store_, "sales", "20240103T000000Z_log", row, "test"));
  EXPECT_EQ(FindSet(store_, "sales", "latest").value(), "20240103T000000Z_log");
  blockers.clear();
  EXPECT_EQ(ListChainSets(store_, "sales", &blockers)->size(), 3u);
  EXPECT_TRUE(blockers.empty());
}

TEST_F(RepoOnMemoryStoreTest, PruneRemovesThroughTheStoreAndFinishesLeftovers) {
  Put("20240101T000000Z_full", proto::BACKUP_TYPE_FULL, "10", "100");
  Put("20240102T000000Z_diff", proto::BACKUP_TYPE_DIFF, "100", "150", "100");
  Put("20240103T000000Z_full", proto::BACKUP_TYPE_FULL, "150", "300");
  store_.SetNow(10 * kMinute);
  ASSERT_TRUE(store_.TryCreateSet("sales", "20240104T000000Z_full").value());  // old garbage
  ASSERT_TRUE(store_.TryCreateSet("sales", "20240105T000000Z_full").value());  // leased
  store_.PutFile("sales", "20240104T000000Z_full", "stripe-01-of-01.lz4", "partial");
  store_.PutFile("sales", "20240105T000000Z_full", "stripe-01-of-01.lz4", "partial");
  std::unique_ptr<SetLease> lease = store_.AcquireLease("sales", "20240105T000000Z_full").value();
  // A removal an earlier prune left half done.
  ASSERT_TRUE(store_.TryCreateSet("sales", "20230101T000000Z_full").value());
  ASSERT_OK(store_.HideSet("sales", "20230101T000000Z_full"));

  PruneOptions o;
  o.keep_full = 1;
  o.grace_minutes = 5;
  std::string report;
  ASSERT_OK(RunPrune(store_, o, 20 * kMinute, &report));
  EXPECT_NE(report.find("finished removing sales/.pruning-20230101T000000Z_full"),
            std::string::npos)
      << report;
  EXPECT_FALSE(store_.HasHidden("sales", "20230101T000000Z_full"));
  EXPECT_FALSE(store_.HasSet("sales", "20240101T000000Z_full"));
  EXPECT_FALSE(store_.HasSet("sales", "20240102T000000Z_diff"));
  EXPECT_FALSE(store_.HasSet("sales", "20240104T000000Z_full"));
  EXPECT_TRUE(store_.HasSet("sales", "20240103T000000Z_full"));
  EXPECT_TRUE(store_.HasSet("sales", "20240105T000000Z_full")) << report;
  EXPECT_NE(report.find("keep sales/20240105T000000Z_full (a running backup holds its lock)"),
            std::string::npos)
      << report;
  EXPECT_FALSE(store_.HasHidden("sales", "20240101T000000Z_full"));  // nothing left hidden

  // --dry-run removes nothing.
  lease.reset();
  o.dry_run = true;
  report.clear();
  ASSERT_OK(RunPrune(store_, o, 20 * kMinute, &report));
  EXPECT_NE(report.find("would remove sales/20240105T000000Z_full"), std::string::npos) << report;
  EXPECT_TRUE(store_.HasSet("sales", "20240105T000000Z_full"));
}

}  // namespace
}  // namespace vdibk::coordinator
