// RepoCatalog and `vdibackup list`: every state is classified (good, unconfirmed, garbage,
// corrupt), hidden and plain entries are ignored, diffs and logs are linked to their full by LSN
// and logs ordered, a running backup's lock is seen; the table and JSON show all of it.
#include "coordinator/repo/repo_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/cli/list_command.h"
#include "coordinator/cli/list_options.h"
#include "coordinator/repo/set_lock.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;
using testing::SetSpec;
using testing::WriteSet;

SetSpec Spec(const std::string& name, uint8_t id, proto::BackupType type, const std::string& first,
             const std::string& last, const std::string& ckpt, const std::string& dblsn) {
  SetSpec s;
  s.name = name;
  s.id = id;
  s.devices = 1;
  s.bytes_per_stripe = 1000;
  s.type = type;
  s.first_lsn = first;
  s.last_lsn = last;
  s.checkpoint_lsn = ckpt;
  s.database_backup_lsn = dblsn;
  s.started_unix_ms = *ParseSetStamp(name);
  return s;
}

const CatalogSet& Find(const RepoCatalog& c, const std::string& name) {
  for (const CatalogSet& s : c.sets) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no set " << name;
  return c.sets.at(0);
}

class RepoCatalogTest : public ::testing::Test {
 protected:
  std::string repo() const { return dir_.Join("repo"); }
  vdibk::testing::TempDir dir_;
};

TEST_F(RepoCatalogTest, ClassifiesEveryState) {
  WriteSet(repo(), Spec("20240101T000000Z_full", 1, proto::BACKUP_TYPE_FULL, "1", "2", "2", "0"));
  SetSpec pending = Spec("20240102T000000Z_full", 2, proto::BACKUP_TYPE_FULL, "3", "4", "4", "2");
  pending.state = proto::MANIFEST_STATE_PENDING;
  WriteSet(repo(), pending);
  fs::create_directories(repo() + "/sales/20240103T000000Z_full");  // garbage
  WriteSet(repo(), Spec("20240104T000000Z_full", 4, proto::BACKUP_TYPE_FULL, "5", "6", "6", "2"));
  const std::string manifest = repo() + "/sales/20240104T000000Z_full/manifest.vdbk";
  testing::FlipByte(manifest, testing::ReadAll(manifest).size() / 2);
  fs::create_directories(repo() + "/sales/.pruning-20231231T000000Z_full");  // hidden: ignored
  testing::WriteAll(repo() + "/sales/notes.txt", "x");                       // plain file

  Result<RepoCatalog> c = ScanRepo(repo());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->sets.size(), 4u);
  EXPECT_EQ(c->sets[0].state, SetState::kGood);
  EXPECT_EQ(c->sets[1].state, SetState::kUnconfirmed);
  EXPECT_EQ(c->sets[2].state, SetState::kGarbage);
  EXPECT_EQ(c->sets[2].kind, SetKind::kFull);  // from the "_full" suffix
  EXPECT_EQ(c->sets[2].time_unix_ms, *ParseSetStamp("20240103T000000Z"));
  EXPECT_EQ(c->sets[3].state, SetState::kCorrupt);
  EXPECT_FALSE(c->sets[3].problem.empty());
  EXPECT_EQ(c->sets[0].raw_bytes(), 1000u);
  EXPECT_GT(c->sets[0].compressed_bytes(), 0u);

  const std::string json = FormatListJson(*c);
  for (const char* state : {"good", "unconfirmed", "garbage", "corrupt"}) {
    EXPECT_NE(json.find(std::string("\"state\":\"") + state + "\""), std::string::npos) << json;
  }
  const std::string table = FormatListTable(*c);
  // Header, four sets, and the hint to settle the unconfirmed one.
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 6) << table;
  EXPECT_NE(table.find("1 unconfirmed set(s)"), std::string::npos) << table;
  EXPECT_NE(table.find("vdibackup reconcile"), std::string::npos) << table;
  EXPECT_NE(table.find("STATE"), std::string::npos);
  EXPECT_NE(table.find("unconfirmed"), std::string::npos) << table;
  EXPECT_NE(table.find("2024-01-03T00:00:00Z"), std::string::npos) << table;
}

TEST_F(RepoCatalogTest, LinksDiffsAndLogsToTheirFullInLsnOrder) {
  using proto::BACKUP_TYPE_DIFF;
  using proto::BACKUP_TYPE_FULL;
  using proto::BACKUP_TYPE_LOG;
  WriteSet(repo(), Spec("20240101T000000Z_full", 1, BACKUP_TYPE_FULL, "100", "120", "110", "0"));
  WriteSet(repo(), Spec("20240101T010000Z_log", 2, BACKUP_TYPE_LOG, "100", "200", "110", "110"));
  WriteSet(repo(), Spec("20240101T020000Z_diff", 3, BACKUP_TYPE_DIFF, "210", "220", "215", "110"));
  // Written later but earlier in LSN: ordering is by LSN, not by time.
  WriteSet(repo(), Spec("20240101T030000Z_log", 4, BACKUP_TYPE_LOG, "50", "100", "110", "110"));
  WriteSet(repo(), Spec("20240102T000000Z_full", 5, BACKUP_TYPE_FULL, "300", "320", "310", "110"));
  SetSpec copy = Spec("20240102T010000Z_full", 6, BACKUP_TYPE_FULL, "330", "340", "335", "310");
  copy.copy_only = true;
  WriteSet(repo(), copy);
  WriteSet(repo(), Spec("20240102T020000Z_log", 7, BACKUP_TYPE_LOG, "200", "400", "310", "310"));
  WriteSet(repo(), Spec("20240103T000000Z_log", 8, BACKUP_TYPE_LOG, "400", "500", "999", "999"));

  Result<RepoCatalog> c = ScanRepo(repo(), "sales");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Find(*c, "20240101T010000Z_log").base, "20240101T000000Z_full");
  EXPECT_EQ(Find(*c, "20240101T010000Z_log").log_position, 2u);
  EXPECT_EQ(Find(*c, "20240101T030000Z_log").log_position, 1u);
  EXPECT_EQ(Find(*c, "20240101T020000Z_diff").base, "20240101T000000Z_full");
  EXPECT_EQ(Find(*c, "20240102T020000Z_log").base, "20240102T000000Z_full");
  EXPECT_EQ(Find(*c, "20240102T020000Z_log").log_position, 1u);
  EXPECT_TRUE(Find(*c, "20240103T000000Z_log").base.empty());
  EXPECT_EQ(ChainLabel(Find(*c, "20240101T010000Z_log")), "log 2 of 20240101T000000Z_full");
  EXPECT_EQ(ChainLabel(Find(*c, "20240101T020000Z_diff")), "diff of 20240101T000000Z_full");
  EXPECT_EQ(ChainLabel(Find(*c, "20240103T000000Z_log")), "no base full");
  EXPECT_EQ(SetTypeLabel(Find(*c, "20240102T010000Z_full")), "full copy-only");
  const std::string json = FormatListJson(*c);
  EXPECT_NE(json.find("\"copy_only\":true"), std::string::npos);
  EXPECT_NE(json.find("\"base\":\"20240102T000000Z_full\""), std::string::npos);
}

TEST_F(RepoCatalogTest, DatabaseFilterAndMissingRepo) {
  WriteSet(repo(), Spec("20240101T000000Z_full", 1, proto::BACKUP_TYPE_FULL, "1", "2", "2", "0"));
  SetSpec hr = Spec("20240101T000000Z_full", 2, proto::BACKUP_TYPE_FULL, "1", "2", "2", "0");
  hr.database = "hr";
  WriteSet(repo(), hr);
  EXPECT_EQ(ScanRepo(repo())->sets.size(), 2u);
  EXPECT_EQ(ScanRepo(repo(), "hr")->sets.size(), 1u);
  EXPECT_EQ(ScanRepo(repo(), "nobody")->sets.size(), 0u);
  EXPECT_EQ(ScanRepo(repo() + "/nope").status().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(ScanRepo(repo(), "../x").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ListDatabases(repo()).value(), (std::vector<std::string>{"hr", "sales"}));
}

TEST_F(RepoCatalogTest, ARunningBackupsLockIsSeen) {
  const std::string dir = repo() + "/sales/20240101T000000Z_full";
  fs::create_directories(dir);
  EXPECT_FALSE(SetDirLock::IsHeld(dir));
  {
    Result<SetDirLock> lock = SetDirLock::Acquire(dir);
    ASSERT_TRUE(lock.ok()) << lock.status().ToString();
    EXPECT_TRUE(SetDirLock::IsHeld(dir));
    EXPECT_TRUE(ScanRepo(repo()).value().sets.at(0).in_use);
    Result<std::optional<SetDirLock>> other = SetDirLock::TryAcquire(dir);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->has_value());
    Result<RepoCatalog> c = ScanRepo(repo());
    ASSERT_TRUE(c.ok());
    EXPECT_NE(FormatListTable(*c).find("garbage (running)"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir + "/" + kSetLockFileName));  // released and removed
  EXPECT_FALSE(ScanRepo(repo()).value().sets.at(0).in_use);
}

TEST(LsnTest, ComparesNumericallyBeyondSixtyFourBits) {
  EXPECT_LT(CompareLsn("99999999999999999999", "100000000000000000000"), 0);
  EXPECT_EQ(CompareLsn("0042", "42"), 0);
  EXPECT_GT(CompareLsn("43", "042"), 0);
  EXPECT_LT(CompareLsn("", "1"), 0);
  EXPECT_EQ(CompareLsn("", "000"), 0);
  EXPECT_LT(CompareLsn("99", "100"), 0);
  EXPECT_GT(CompareLsn("100000000000000000000001", "99999999999999999999999"), 0);
  EXPECT_EQ(CompareLsn("007", "7"), 0);
  EXPECT_LT(CompareLsn("34000000012300001", "34000000012300002"), 0);
  EXPECT_EQ(CompareLsn("34000000012300001", "34000000012300001"), 0);
}

TEST(SetStampTest, ParsesUtcPrefix) {
  EXPECT_EQ(ParseSetStamp("19700101T000001Z_full"), 1000);
  EXPECT_EQ(ParseSetStamp("20240101T000000Z"), int64_t{1704067200} * 1000);
  EXPECT_FALSE(ParseSetStamp("latest").has_value());
  EXPECT_FALSE(ParseSetStamp("2024010xT000000Z_full").has_value());
}

TEST(ListOptionsTest, RepoIsRequired) {
  EXPECT_EQ(ParseListOptions({"--json"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseListOptions({"--repo", "r", "--bogus"}).status().code(), ErrorCode::kUsage);
  Result<ListOptions> o = ParseListOptions({"--repo", "r", "--database", "d", "--json"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->database, "d");
}

}  // namespace
}  // namespace vdibk::coordinator
