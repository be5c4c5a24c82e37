// Restore chain planning over synthetic manifests: full + diff + logs, copy-only rules, gaps,
// missing bases, --until, sets without LSNs, and the repository listing.
#include "coordinator/repo/restore_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

// A COMPLETE set: type, start time (seconds), LSNs first/last/checkpoint/database_backup.
ChainSet Set(const std::string& name, proto::BackupType type, int64_t start_s,
             const std::string& first, const std::string& last, const std::string& ckpt,
             const std::string& base, bool copy_only = false) {
  ChainSet s;
  s.name = name;
  s.location = "/repo/sales/" + name;
  s.manifest.set_database("sales");
  s.manifest.set_state(proto::MANIFEST_STATE_COMPLETE);
  s.manifest.set_backup_type(type);
  s.manifest.set_copy_only(copy_only);
  s.manifest.set_started_unix_ms(start_s * 1000);
  s.manifest.set_first_lsn(first);
  s.manifest.set_last_lsn(last);
  s.manifest.set_checkpoint_lsn(ckpt);
  s.manifest.set_database_backup_lsn(base);
  return s;
}

constexpr auto kFull = proto::BACKUP_TYPE_FULL;
constexpr auto kDiff = proto::BACKUP_TYPE_DIFF;
constexpr auto kLog = proto::BACKUP_TYPE_LOG;

std::vector<std::string> Names(const std::vector<ChainSet>& chain) {
  std::vector<std::string> out;
  for (const ChainSet& s : chain) out.push_back(s.name);
  return out;
}

// F1 (ckpt 100) - L1 [50,120] - D1 (base 100, last 150) - L2 [120,170] - L3 [170,200]
std::vector<ChainSet> Typical() {
  return {Set("f1", kFull, 10, "100", "100", "100", "0"),
          Set("l1", kLog, 20, "50", "120", "110", "100"),
          Set("d1", kDiff, 30, "150", "150", "150", "100"),
          Set("l2", kLog, 40, "120", "170", "150", "100"),
          Set("l3", kLog, 50, "170", "200", "150", "100")};
}

TEST(RestoreChainTest, FullDiffThenTheLogsAfterTheDiff) {
  Result<std::vector<ChainSet>> c = PlanRestoreChain(Typical(), std::nullopt);
  ASSERT_OK(c);
  // l1 ends (120) before the differential's last LSN (150): covered by d1, skipped.
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "d1", "l2", "l3"}));
}

TEST(RestoreChainTest, InputOrderDoesNotMatter) {
  std::vector<ChainSet> sets = Typical();
  std::reverse(sets.begin(), sets.end());
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "d1", "l2", "l3"}));
}

TEST(RestoreChainTest, FullAndLogsWithoutDiff) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("l1", kLog, 20, "40", "120", "110", "100"),
                                Set("l2", kLog, 30, "120", "130", "110", "100")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "l1", "l2"}));
}

TEST(RestoreChainTest, OnlyTheLastFullAndItsLastDiff) {
  std::vector<ChainSet> sets = {Set("f0", kFull, 5, "10", "10", "10", "0"),
                                Set("d0", kDiff, 7, "20", "20", "20", "10"),
                                Set("f1", kFull, 10, "100", "100", "100", "10"),
                                Set("d1", kDiff, 20, "110", "110", "110", "100"),
                                Set("d2", kDiff, 30, "120", "120", "120", "100")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "d2"}));
}

TEST(RestoreChainTest, GapBetweenLogsIsMissingAndNamesBothSets) {
  std::vector<ChainSet> sets = Typical();
  sets.erase(sets.begin() + 3);  // l2 [120,170] deleted
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("l3"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("d1"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("gap"), std::string::npos) << c.status().ToString();
}

TEST(RestoreChainTest, GapBeforeTheFirstLog) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("l2", kLog, 30, "120", "130", "100", "100")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("f1"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("l2"), std::string::npos) << c.status().ToString();
}

TEST(RestoreChainTest, DiffWhoseFullIsMissing) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                // based on a full (checkpoint 300) deleted from the repository
                                Set("d9", kDiff, 30, "320", "320", "320", "300")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("d9"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("300"), std::string::npos) << c.status().ToString();
}

TEST(RestoreChainTest, LogWhoseFullIsMissingIsAGapThatSaysSo) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("l7", kLog, 30, "400", "450", "420", "380")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("l7"), std::string::npos);
  EXPECT_NE(c.status().message().find("380"), std::string::npos) << c.status().ToString();
}

TEST(RestoreChainTest, CopyOnlyFullIsNeverADiffBase) {
  // c1 is copy-only with the same checkpoint as f1 (nothing changed in between).
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("c1", kFull, 15, "100", "100", "100", "100", true),
                                Set("d1", kDiff, 20, "110", "110", "110", "100")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "d1"}));
}

TEST(RestoreChainTest, NewestCopyOnlyFullIsRestoredAloneOrWithLogs) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("d1", kDiff, 20, "110", "110", "110", "100"),
                                Set("c1", kFull, 30, "130", "130", "130", "100", true)};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"c1"}));
  sets.push_back(Set("l1", kLog, 40, "90", "150", "130", "100"));
  c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"c1", "l1"}));
}

TEST(RestoreChainTest, CopyOnlyLogsNeverJoinAChain) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("x1", kLog, 20, "90", "120", "100", "100", true),
                                Set("l1", kLog, 30, "90", "130", "100", "100")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "l1"}));
}

TEST(RestoreChainTest, UntilKeepsOnlySetsStartedByThen) {
  std::vector<ChainSet> sets = Typical();
  // Up to l2's start (40 s, inclusive): f1, d1, l2.
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, 40'000);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "d1", "l2"}));
  // Before the differential: f1 and l1.
  c = PlanRestoreChain(sets, 29'999);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "l1"}));
  // Before anything: no full.
  c = PlanRestoreChain(sets, 9'000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
}

TEST(RestoreChainTest, OnlyLogsIsMissing) {
  Result<std::vector<ChainSet>> c =
      PlanRestoreChain({Set("l1", kLog, 20, "40", "120", "110", "100")}, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("l1"), std::string::npos);
}

TEST(RestoreChainTest, FullWithoutLsnsAloneIsFineButLogsCannotFollow) {
  std::vector<ChainSet> sets = {Set("old", kFull, 10, "", "", "", "")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"old"}));
  sets.push_back(Set("l1", kLog, 20, "40", "120", "110", "100"));
  c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kMissing);
  EXPECT_NE(c.status().message().find("no LSNs"), std::string::npos);
}

TEST(RestoreChainTest, LsnsBeyondSixtyFourBitsOrderTheChain) {
  // The chain is ordered by CompareLsn (repo_catalog.h; its own tests in repo_catalog_test.cc).
  std::vector<ChainSet> sets = {
      Set("f1", kFull, 10, "34000000012300001", "34000000012300001", "34000000012300001", "0"),
      Set("l1", kLog, 20, "34000000009900001", "100000000000000000000000", "1", "1"),
      Set("l2", kLog, 30, "100000000000000000000000", "100000000000000000000100", "1", "1")};
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "l1", "l2"}));
}

TEST(RestoreChainTest, GapCanEndTheChainInsteadOfFailing) {
  std::vector<ChainSet> sets = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                Set("l1", kLog, 20, "90", "120", "100", "100"),
                                Set("l3", kLog, 40, "150", "180", "100", "100")};
  ASSERT_FALSE(PlanRestoreChain(sets, std::nullopt).ok());
  std::string gap;
  Result<std::vector<ChainSet>> c = PlanRestoreChain(sets, std::nullopt, &gap);
  ASSERT_OK(c);
  EXPECT_EQ(Names(*c), (std::vector<std::string>{"f1", "l1"}));
  EXPECT_NE(gap.find("gap in the log chain"), std::string::npos) << gap;
  EXPECT_NE(gap.find("l3"), std::string::npos) << gap;
  c = PlanRestoreChain(Typical(), std::nullopt, &gap);
  ASSERT_OK(c);
  EXPECT_TRUE(gap.empty()) << gap;
}

TEST(RestoreChainTest, BlockersAfterTheChainsStartAreTheOnesItMayMiss) {
  const std::vector<ChainSet> chain = {Set("f1", kFull, 10, "100", "100", "100", "0"),
                                       Set("l1", kLog, 20, "90", "120", "100", "100")};
  std::vector<ChainBlocker> blockers(3);
  blockers[0] = {"old", "/r/old", "corrupt", "full", 5'000, "bad checksum"};
  blockers[1] = {"u2", "/r/u2", "unconfirmed", "log", 30'000, "manifest PENDING"};
  blockers[2] = {"c1", "/r/c1", "corrupt", "log", 25'000, "bad checksum"};
  std::vector<ChainBlocker> after = BlockersAfter(chain, blockers, std::nullopt);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].name, "c1");  // oldest first
  EXPECT_EQ(after[1].name, "u2");
  EXPECT_EQ(BlockersAfter(chain, blockers, 26'000).size(), 1u);  // --until before u2
  const std::string text = DescribeBlockers(after);
  EXPECT_NE(text.find("corrupt log backup c1 (bad checksum)"), std::string::npos) << text;
  EXPECT_NE(text.find("unconfirmed log backup u2"), std::string::npos) << text;
}

TEST(RestoreChainTest, ListChainSetsReadsCompleteManifestsOnly) {
  vdibk::testing::TempDir tmp;
  const std::string repo = tmp.path();
  auto write = [&](const std::string& name, proto::ManifestState state, const std::string& db) {
    std::filesystem::create_directories(repo + "/sales/" + name);
    proto::Manifest m;
    m.set_format_version(1);
    m.set_database(db);
    m.set_state(state);
    m.set_backup_type(proto::BACKUP_TYPE_LOG);
    stripe::DirectoryTarget t(repo + "/sales/" + name);
    ASSERT_OK(stripe::WriteManifest(t, stripe::kManifestFileName, m));
  };
  write("20240101T000000Z_full", proto::MANIFEST_STATE_COMPLETE, "sales");
  write("20240101T000100Z_log", proto::MANIFEST_STATE_PENDING, "sales");
  write("20240101T000200Z_log", proto::MANIFEST_STATE_COMPLETE, "other");
  std::filesystem::create_directories(repo + "/sales/20240101T000300Z_log");  // no manifest
  std::filesystem::create_directories(repo + "/sales/20240101T000400Z_log");
  std::ofstream(repo + "/sales/20240101T000400Z_log/" + stripe::kManifestFileName) << "garbage";
  std::vector<ChainBlocker> blockers;
  Result<std::vector<ChainSet>> sets = ListChainSets(repo, "sales", &blockers);
  ASSERT_OK(sets);
  ASSERT_EQ(sets->size(), 1u);
  // The PENDING and the corrupt set are blockers; no manifest (a failed backup) is nothing.
  ASSERT_EQ(blockers.size(), 2u);
  std::sort(blockers.begin(), blockers.end(),
            [](const ChainBlocker& a, const ChainBlocker& b) { return a.name < b.name; });
  EXPECT_EQ(blockers[0].name, "20240101T000100Z_log");
  EXPECT_EQ(blockers[0].state, "unconfirmed");
  EXPECT_EQ(blockers[0].kind, "log");
  EXPECT_EQ(blockers[1].name, "20240101T000400Z_log");
  EXPECT_EQ(blockers[1].state, "corrupt");
  EXPECT_EQ(blockers[1].kind, "log");  // from the name's suffix
  EXPECT_GT(blockers[1].time_unix_ms, blockers[0].time_unix_ms);
  EXPECT_EQ((*sets)[0].name, "20240101T000000Z_full");
  EXPECT_EQ((*sets)[0].location, repo + "/sales/20240101T000000Z_full");
  EXPECT_EQ(ListChainSets(repo, "nothing").status().code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::coordinator
