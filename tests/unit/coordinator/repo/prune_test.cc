// vdibackup prune: retention over mixed fulls, diffs and logs keeps whole chains; --keep-days
// keeps recent sets and what they need; garbage goes only when unlocked and past the grace
// period; --dry-run removes nothing; removal goes through ".pruning-*" and leftovers are finished;
// stripes on other --target roots go with their set, and nothing outside those directories.
#include "coordinator/repo/prune_plan.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "coordinator/cli/prune_command.h"
#include "coordinator/cli/prune_options.h"
#include "coordinator/repo/set_lock.h"
#include "coordinator/repo/set_verification.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using testing::SetSpec;
using testing::WriteSet;

constexpr int64_t kDay = 86400 * 1000;
constexpr int64_t kNow = 1800000000000;  // the tests' "now"

// A catalog entry without any disk behind it (PlanPrune is pure).
CatalogSet Entry(const std::string& name, SetKind kind, int64_t age_days,
                 const std::string& base = "", uint32_t log_position = 0,
                 SetState state = SetState::kGood) {
  CatalogSet s;
  s.database = "sales";
  s.name = name;
  s.state = state;
  s.kind = kind;
  s.time_unix_ms = kNow - age_days * kDay;
  s.newest_mtime_ms = s.time_unix_ms;
  s.base = base;
  s.log_position = log_position;
  return s;
}

std::set<std::string> Names(const RepoCatalog& c, const std::vector<PruneItem>& items) {
  std::set<std::string> out;
  for (const PruneItem& i : items) out.insert(c.sets[i.index].name);
  return out;
}

// F1 (30 days) <- D1, L1a, L1b; F2 (20 days) <- D2, L2; F3 (10 days) <- L3a, L3b.
RepoCatalog MixedChains() {
  RepoCatalog c;
  c.sets = {Entry("F1", SetKind::kFull, 30),         Entry("L1a", SetKind::kLog, 29, "F1", 1),
            Entry("D1", SetKind::kDiff, 28, "F1"),   Entry("L1b", SetKind::kLog, 27, "F1", 2),
            Entry("F2", SetKind::kFull, 20),         Entry("D2", SetKind::kDiff, 19, "F2"),
            Entry("L2", SetKind::kLog, 18, "F2", 1), Entry("F3", SetKind::kFull, 10),
            Entry("L3a", SetKind::kLog, 9, "F3", 1), Entry("L3b", SetKind::kLog, 8, "F3", 2)};
  return c;
}

PrunePolicy Policy(uint32_t keep_full, std::optional<uint32_t> days = std::nullopt) {
  PrunePolicy p;
  p.keep_full = keep_full;
  p.keep_days = days;
  p.now_unix_ms = kNow;
  return p;
}

TEST(PrunePlanTest, KeepsTheNewestFullsWithTheirWholeChains) {
  RepoCatalog c = MixedChains();
  PrunePlan plan = PlanPrune(c, Policy(2));
  EXPECT_EQ(Names(c, plan.keep), (std::set<std::string>{"F2", "D2", "L2", "F3", "L3a", "L3b"}));
  EXPECT_EQ(Names(c, plan.remove), (std::set<std::string>{"F1", "L1a", "D1", "L1b"}));
  // Dependents are removed before their full.
  ASSERT_EQ(plan.remove.size(), 4u);
  EXPECT_EQ(c.sets[plan.remove.back().index].name, "F1");
}

TEST(PrunePlanTest, ARecentLogKeepsItsFullAndEarlierLogs) {
  RepoCatalog c = MixedChains();
  c.sets[3].time_unix_ms = kNow - kDay;  // L1b is recent (a late log of F1's chain)
  PrunePlan plan = PlanPrune(c, Policy(1, 7));
  // L1b needs F1 and L1a; a kept full keeps its whole chain, so D1 stays too. F2's chain goes.
  EXPECT_EQ(Names(c, plan.remove), (std::set<std::string>{"F2", "D2", "L2"}));
  EXPECT_TRUE(Names(c, plan.keep).count("L1a"));
  EXPECT_TRUE(Names(c, plan.keep).count("F1"));
}

TEST(PrunePlanTest, KeepDaysKeepsRecentFulls) {
  RepoCatalog c = MixedChains();
  EXPECT_EQ(Names(c, PlanPrune(c, Policy(1, 25)).remove),
            (std::set<std::string>{"F1", "L1a", "D1", "L1b"}));
  EXPECT_TRUE(PlanPrune(c, Policy(1, 31)).remove.empty());
}

TEST(PrunePlanTest, GarbageGoesOnlyWhenUnlockedAndPastGrace) {
  RepoCatalog c = MixedChains();
  c.sets.push_back(Entry("G-old", SetKind::kFull, 40, "", 0, SetState::kGarbage));
  c.sets.push_back(Entry("G-fresh", SetKind::kFull, 0, "", 0, SetState::kGarbage));
  c.sets.back().newest_mtime_ms = kNow - 60 * 1000;  // written a minute ago
  c.sets.push_back(Entry("G-running", SetKind::kFull, 2, "", 0, SetState::kGarbage));
  c.sets.back().in_use = true;
  c.sets.push_back(Entry("G-new", SetKind::kFull, 1, "", 0, SetState::kGarbage));
  PrunePlan plan = PlanPrune(c, Policy(3, 30));
  const std::set<std::string> removed = Names(c, plan.remove);
  EXPECT_TRUE(removed.count("G-old"));
  EXPECT_TRUE(removed.count("G-new"));  // not a backup: --keep-days does not protect garbage
  EXPECT_FALSE(removed.count("G-fresh"));
  EXPECT_FALSE(removed.count("G-running"));
  EXPECT_EQ(removed.size(), 2u);
}

TEST(PrunePlanTest, UnconfirmedGoOnlyWhenTheServerNeverHadThemAndIdlePastTheGracePeriod) {
  RepoCatalog c = MixedChains();
  c.sets.push_back(Entry("U-unknown", SetKind::kFull, 25, "", 0, SetState::kUnconfirmed));
  c.sets.push_back(Entry("U-recorded", SetKind::kLog, 25, "", 0, SetState::kUnconfirmed));
  c.sets.back().history = SetHistory::kRecorded;
  c.sets.push_back(Entry("U-never", SetKind::kLog, 1, "", 0, SetState::kUnconfirmed));
  c.sets.back().history = SetHistory::kNotRecorded;  // newer than every kept full, still goes
  c.sets.push_back(Entry("U-never-fresh", SetKind::kLog, 0, "", 0, SetState::kUnconfirmed));
  c.sets.back().history = SetHistory::kNotRecorded;
  c.sets.back().newest_mtime_ms = kNow - 60 * 1000;
  PrunePlan plan = PlanPrune(c, Policy(2));
  const std::set<std::string> removed = Names(c, plan.remove);
  EXPECT_FALSE(removed.count("U-unknown"));   // never asked: the server may have it
  EXPECT_FALSE(removed.count("U-recorded"));  // the server has it: reconcile confirms it
  EXPECT_TRUE(removed.count("U-never"));
  EXPECT_FALSE(removed.count("U-never-fresh"));
}

TEST(PrunePlanTest, CorruptAndOrphansGoOnlyWhenOlderThanTheOldestKeptFull) {
  RepoCatalog c = MixedChains();
  c.sets.push_back(Entry("C-old", SetKind::kUnknown, 25, "", 0, SetState::kCorrupt));
  c.sets.push_back(Entry("O-old", SetKind::kLog, 25));  // no base full in the repo
  c.sets.push_back(Entry("O-new", SetKind::kLog, 5));
  c.sets.push_back(Entry("U-running", SetKind::kFull, 25, "", 0, SetState::kUnconfirmed));
  c.sets.back().in_use = true;
  PrunePlan plan = PlanPrune(c, Policy(2));  // oldest kept full: F2, 20 days
  const std::set<std::string> removed = Names(c, plan.remove);
  EXPECT_TRUE(removed.count("C-old"));
  EXPECT_TRUE(removed.count("O-old"));
  EXPECT_FALSE(removed.count("O-new"));
  EXPECT_FALSE(removed.count("U-running"));
}

TEST(PrunePlanTest, WithoutAGoodFullOnlyGarbageGoes) {
  RepoCatalog c;
  c.sets = {Entry("U", SetKind::kFull, 50, "", 0, SetState::kUnconfirmed),
            Entry("O", SetKind::kLog, 40),
            Entry("G", SetKind::kFull, 30, "", 0, SetState::kGarbage)};
  PrunePlan plan = PlanPrune(c, Policy(1));
  EXPECT_EQ(Names(c, plan.remove), (std::set<std::string>{"G"}));
}

TEST(PrunePlanTest, DatabasesArePlannedSeparately) {
  RepoCatalog c;
  c.sets = {Entry("A1", SetKind::kFull, 3), Entry("A2", SetKind::kFull, 2)};
  CatalogSet b = Entry("B1", SetKind::kFull, 10);
  b.database = "hr";
  c.sets.push_back(b);
  EXPECT_EQ(Names(c, PlanPrune(c, Policy(1)).remove), (std::set<std::string>{"A1"}));
}

TEST(PruneOptionsTest, KeepFullIsRequiredAndPositive) {
  EXPECT_EQ(ParsePruneOptions({"--repo", "r"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParsePruneOptions({"--repo", "r", "--keep-full", "0"}).status().code(),
            ErrorCode::kUsage);
  EXPECT_EQ(ParsePruneOptions({"--keep-full", "1"}).status().code(), ErrorCode::kUsage);
  Result<PruneOptions> o = ParsePruneOptions(
      {"--repo", "r", "--keep-full", "2", "--keep-days", "7", "--dry-run", "--grace-minutes", "5"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->keep_full, 2u);
  EXPECT_EQ(o->keep_days, 7u);
  EXPECT_TRUE(o->dry_run);
  EXPECT_EQ(o->grace_minutes, 5u);
}

// On disk: real sets, then RunPrune.
class PruneRunTest : public ::testing::Test {
 protected:
  std::string repo() const { return dir_.Join("repo"); }
  std::string Dir(const std::string& name) const { return repo() + "/sales/" + name; }
  void Write(const std::string& name, uint8_t id, proto::BackupType type, const std::string& ckpt,
             const std::string& dblsn, const std::string& first = "") {
    SetSpec s;
    s.name = name;
    s.id = id;
    s.devices = 1;
    s.bytes_per_stripe = 2000;
    s.type = type;
    s.checkpoint_lsn = ckpt;
    s.database_backup_lsn = dblsn;
    s.first_lsn = first;
    s.last_lsn = first;
    s.started_unix_ms = *ParseSetStamp(name);
    WriteSet(repo(), s);
  }
  void SetUp() override {
    Write("20240101T000000Z_full", 1, proto::BACKUP_TYPE_FULL, "100", "0");
    Write("20240101T060000Z_log", 2, proto::BACKUP_TYPE_LOG, "100", "100", "150");
    Write("20240101T120000Z_diff", 3, proto::BACKUP_TYPE_DIFF, "180", "100");
    Write("20240102T000000Z_full", 4, proto::BACKUP_TYPE_FULL, "200", "100");
    Write("20240102T060000Z_log", 5, proto::BACKUP_TYPE_LOG, "200", "200", "250");
    Write("20240103T000000Z_full", 6, proto::BACKUP_TYPE_FULL, "300", "200");
    Write("20240103T060000Z_diff", 7, proto::BACKUP_TYPE_DIFF, "330", "300");
    // Garbage: one abandoned long ago, one a running backup owns (both past the grace period).
    for (const char* g : {"20231201T000000Z_full", "20231202T000000Z_full"}) {
      fs::create_directories(Dir(g));
      testing::WriteAll(Dir(g) + "/stripe-01-of-01.lz4.partial", "partial");
      Age(Dir(g));
    }
  }
  // Makes a directory and its files look two hours old.
  static void Age(const std::string& dir) {
    const auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
    for (const auto& e : fs::directory_iterator(dir)) fs::last_write_time(e.path(), old);
    fs::last_write_time(dir, old);
  }
  PruneOptions Options(uint32_t keep_full, bool dry_run) {
    PruneOptions o;
    o.repo = repo();
    o.keep_full = keep_full;
    o.dry_run = dry_run;
    return o;
  }
  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::set<std::string> Entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(repo() + "/sales")) {
      out.insert(e.path().filename().string());
    }
    return out;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(PruneRunTest, DryRunRemovesNothing) {
  const std::set<std::string> before = Entries();
  std::string report;
  ASSERT_TRUE(RunPrune(Options(1, true), Now(), &report).ok()) << report;
  EXPECT_EQ(Entries(), before);
  EXPECT_NE(report.find("would remove sales/20240101T000000Z_full"), std::string::npos) << report;
  EXPECT_NE(report.find("would remove sales/20231201T000000Z_full"), std::string::npos) << report;
  EXPECT_EQ(("\n" + report).find("\nremoved "), std::string::npos) << report;
}

TEST_F(PruneRunTest, RemovesOldChainsAndGarbageButNeverARunningBackup) {
  Result<SetDirLock> running = SetDirLock::Acquire(Dir("20231202T000000Z_full"));
  ASSERT_TRUE(running.ok());
  Age(Dir("20231202T000000Z_full"));
  std::string report;
  Status st = RunPrune(Options(2, false), Now(), &report);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << report;
  EXPECT_EQ(Entries(), (std::set<std::string>{"20231202T000000Z_full", "20240102T000000Z_full",
                                              "20240102T060000Z_log", "20240103T000000Z_full",
                                              "20240103T060000Z_diff"}))
      << report;
  EXPECT_NE(report.find("removed sales/20240101T060000Z_log"), std::string::npos) << report;
  EXPECT_NE(report.find("removed sales/20231201T000000Z_full (garbage"), std::string::npos);
  // What is kept is intact and verifies.
  for (const char* kept : {"20240102T000000Z_full", "20240102T060000Z_log", "20240103T000000Z_full",
                           "20240103T060000Z_diff"}) {
    EXPECT_EQ(VerifySet(Dir(kept), "sales", 2).code(), ErrorCode::kOk) << kept;
  }
  // Running prune again changes nothing.
  report.clear();
  ASSERT_TRUE(RunPrune(Options(2, false), Now(), &report).ok());
  EXPECT_EQ(("\n" + report).find("\nremoved "), std::string::npos) << report;
}

TEST_F(PruneRunTest, FreshGarbageIsKeptDuringTheGracePeriod) {
  fs::create_directories(Dir("20240104T000000Z_full"));  // just created: maybe a backup starting
  std::string report;
  ASSERT_TRUE(RunPrune(Options(3, false), Now(), &report).ok());
  EXPECT_TRUE(fs::exists(Dir("20240104T000000Z_full"))) << report;
  EXPECT_FALSE(fs::exists(Dir("20231201T000000Z_full"))) << report;
}

TEST_F(PruneRunTest, LeftoverPruningDirectoriesAreFinished) {
  // A previous run renamed a set and died before deleting it.
  fs::rename(Dir("20240101T000000Z_full"), Dir(".pruning-20240101T000000Z_full"));
  std::string report;
  ASSERT_TRUE(RunPrune(Options(1, true), Now(), &report).ok());
  EXPECT_TRUE(fs::exists(Dir(".pruning-20240101T000000Z_full")));  // dry run
  EXPECT_NE(report.find("would finish removing sales/.pruning-20240101T000000Z_full"),
            std::string::npos)
      << report;
  report.clear();
  ASSERT_TRUE(RunPrune(Options(3, false), Now(), &report).ok());
  EXPECT_FALSE(fs::exists(Dir(".pruning-20240101T000000Z_full"))) << report;
  EXPECT_NE(report.find("finished removing sales/.pruning-20240101T000000Z_full"),
            std::string::npos)
      << report;
  for (const std::string& name : Entries()) EXPECT_NE(name.rfind(".pruning-", 0), 0u) << name;
}

TEST_F(PruneRunTest, StripesOnOtherTargetsGoWithTheirSet) {
  // Move stripe 1 of the oldest full to a --target root, as a multi-target backup would.
  const std::string target = dir_.Join("target");
  const std::string old_set = "20240101T000000Z_full";
  fs::create_directories(target + "/sales/" + old_set);
  fs::rename(Dir(old_set) + "/stripe-01-of-01.lz4",
             target + "/sales/" + old_set + "/stripe-01-of-01.lz4");
  stripe::DirectoryTarget set_dir(Dir(old_set));
  proto::Manifest m = stripe::ReadManifest(set_dir, stripe::kManifestFileName).value();
  m.mutable_stripes(0)->set_location(target);
  testing::RewriteManifest(Dir(old_set), m);
  ASSERT_EQ(VerifySet(Dir(old_set), "sales", 2).code(), ErrorCode::kOk);  // found on the target
  std::string report;
  ASSERT_TRUE(RunPrune(Options(2, false), Now(), &report).ok()) << report;
  EXPECT_FALSE(fs::exists(Dir(old_set))) << report;
  EXPECT_FALSE(fs::exists(target + "/sales/" + old_set)) << report;
  EXPECT_TRUE(fs::exists(target + "/sales"));
  EXPECT_NE(report.find("  removed " + target + "/sales/" + old_set + " (1 stripe file(s))"),
            std::string::npos)
      << report;
}

// A backup killed before its manifest leaves partial stripes on its other --target roots; the
// targets file it wrote first lets prune find them with the garbage set.
TEST_F(PruneRunTest, GarbageTakesItsPartialStripesOnOtherTargetsWithIt) {
  const std::string target = dir_.Join("target");
  const std::string garbage = "20231201T000000Z_full";
  const std::string there = target + "/sales/" + garbage;
  fs::create_directories(there);
  testing::WriteAll(there + "/stripe-02-of-02.lz4.partial", "partial");
  testing::WriteAll(Dir(garbage) + "/targets", target + "\n");
  Age(Dir(garbage));
  std::string report;
  ASSERT_TRUE(RunPrune(Options(3, true), Now(), &report).ok()) << report;
  EXPECT_NE(report.find("  would remove the stripes in " + there), std::string::npos) << report;
  EXPECT_TRUE(fs::exists(there + "/stripe-02-of-02.lz4.partial"));
  report.clear();
  ASSERT_TRUE(RunPrune(Options(3, false), Now(), &report).ok()) << report;
  EXPECT_FALSE(fs::exists(Dir(garbage))) << report;
  EXPECT_FALSE(fs::exists(there)) << report;
  EXPECT_NE(report.find("  removed " + there + " (1 stripe file(s))"), std::string::npos) << report;
}

// Moves stripe 1 of `set` to <root>/sales/<set> and records `location` for it.
void MoveStripeToTarget(const std::string& set_dir, const std::string& root,
                        const std::string& location) {
  const std::string set = fs::path(set_dir).filename().string();
  fs::create_directories(root + "/sales/" + set);
  fs::rename(set_dir + "/stripe-01-of-01.lz4", root + "/sales/" + set + "/stripe-01-of-01.lz4");
  stripe::DirectoryTarget dir(set_dir);
  proto::Manifest m = stripe::ReadManifest(dir, stripe::kManifestFileName).value();
  m.mutable_stripes(0)->set_location(location);
  testing::RewriteManifest(set_dir, m);
}

TEST_F(PruneRunTest, DryRunNamesTheTargetDirectories) {
  const std::string target = dir_.Join("target");
  const std::string old_set = "20240101T000000Z_full";
  MoveStripeToTarget(Dir(old_set), target, target);
  std::string report;
  ASSERT_TRUE(RunPrune(Options(2, true), Now(), &report).ok()) << report;
  EXPECT_NE(report.find("would remove sales/" + old_set + " ("), std::string::npos) << report;
  EXPECT_NE(report.find("  would remove the stripes in " + target + "/sales/" + old_set),
            std::string::npos)
      << report;
  EXPECT_TRUE(fs::exists(target + "/sales/" + old_set + "/stripe-01-of-01.lz4"));
}

// Only the set's stripes go: a file of someone else's in the target's set directory stays, and
// so does the directory.
TEST_F(PruneRunTest, OtherFilesInATargetSetDirectoryAreKept) {
  const std::string target = dir_.Join("target");
  const std::string old_set = "20240101T000000Z_full";
  MoveStripeToTarget(Dir(old_set), target, target);
  const std::string other = target + "/sales/" + old_set + "/notes.txt";
  testing::WriteAll(other, "not a stripe");
  std::string report;
  ASSERT_TRUE(RunPrune(Options(2, false), Now(), &report).ok()) << report;
  EXPECT_FALSE(fs::exists(Dir(old_set)));
  EXPECT_FALSE(fs::exists(target + "/sales/" + old_set + "/stripe-01-of-01.lz4")) << report;
  EXPECT_EQ(testing::ReadAll(other), "not a stripe");
  EXPECT_NE(report.find("kept the directory: it also holds notes.txt"), std::string::npos)
      << report;
}

// A location with ".." parts, or a set directory that is a symlink leading elsewhere, is left
// alone (and said so): prune never removes anything outside the set's own directories.
TEST_F(PruneRunTest, NothingOutsideTheTargetSetDirectoriesIsRemoved) {
  const std::string target = dir_.Join("target");
  const std::string old_set = "20240101T000000Z_full";
  const std::string dotted = dir_.Join("elsewhere/../target");
  MoveStripeToTarget(Dir(old_set), target, dotted);
  // The second full's target set directory is a symlink to a directory of precious files.
  const std::string second = "20240102T000000Z_full";
  const std::string precious = dir_.Join("precious");
  fs::create_directories(precious);
  testing::WriteAll(precious + "/stripe-01-of-01.lz4", "precious");
  const std::string target2 = dir_.Join("target2");
  MoveStripeToTarget(Dir(second), target2, target2);
  fs::remove_all(target2 + "/sales/" + second);
  fs::create_directory_symlink(precious, target2 + "/sales/" + second);
  std::string report;
  ASSERT_TRUE(RunPrune(Options(1, false), Now(), &report).ok()) << report;
  EXPECT_FALSE(fs::exists(Dir(old_set))) << report;
  EXPECT_FALSE(fs::exists(Dir(second))) << report;
  EXPECT_TRUE(fs::exists(target + "/sales/" + old_set + "/stripe-01-of-01.lz4")) << report;
  EXPECT_NE(report.find("is not absolute or has '..' parts"), std::string::npos) << report;
  EXPECT_EQ(testing::ReadAll(precious + "/stripe-01-of-01.lz4"), "precious") << report;
  EXPECT_NE(report.find("not a directory of its own"), std::string::npos) << report;
}

TEST_F(PruneRunTest, MissingRepoIsAConfigurationError) {
  PruneOptions o = Options(1, false);
  o.repo = repo() + "/nope";
  std::string report;
  EXPECT_EQ(RunPrune(o, Now(), &report).code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace vdibk::coordinator
