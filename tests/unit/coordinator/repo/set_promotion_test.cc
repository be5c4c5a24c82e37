// PromoteSet: a PENDING manifest becomes COMPLETE with the server's LSNs only for its own history
// row; anything else leaves it PENDING. HistoryNameOf falls back to the set id.
#include "coordinator/repo/set_promotion.h"

#include <gtest/gtest.h>

#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/coordinator/repo/repo_test_util.h"

namespace vdibk::coordinator {
namespace {

using testing::SetSpec;
using testing::WriteSet;

proto::Manifest Read(const std::string& dir) {
  stripe::DirectoryTarget t(dir);
  Result<proto::Manifest> m = stripe::ReadManifest(t, stripe::kManifestFileName);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : proto::Manifest();
}

class SetPromotionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSpec s;
    s.name = "20261207T100000Z_log";
    s.type = proto::BACKUP_TYPE_LOG;
    s.state = proto::MANIFEST_STATE_PENDING;
    s.devices = 1;
    s.bytes_per_stripe = 1000;
    s.id = 0x0a;
    WriteSet(tmp_.path(), s);
    dir_ = testing::SetDir(tmp_.path(), s);
    name_ = HistoryNameOf(Read(dir_));
  }
  BackupHistoryRow RowFor(char type = 'L') {
    BackupHistoryRow r;
    r.backup_set_id = 12;
    r.type = type;
    r.first_lsn = "100";
    r.last_lsn = "170";
    r.checkpoint_lsn = "150";
    r.database_backup_lsn = "90";
    r.name = name_;
    return r;
  }
  vdibk::testing::TempDir tmp_;
  std::string dir_, name_;
};

TEST_F(SetPromotionTest, HistoryNameComesFromTheSetIdWhenTheManifestHasNone) {
  EXPECT_EQ(name_, "vdibackup 0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a");
  proto::Manifest m;
  m.set_history_name("vdibackup given");
  EXPECT_EQ(HistoryNameOf(m), "vdibackup given");
}

TEST_F(SetPromotionTest, OwnRowPromotesWithItsLsns) {
  ASSERT_OK(PromoteSet(dir_, RowFor(), "reconcile"));
  const proto::Manifest m = Read(dir_);
  EXPECT_EQ(m.state(), proto::MANIFEST_STATE_COMPLETE);
  EXPECT_EQ(m.first_lsn(), "100");
  EXPECT_EQ(m.last_lsn(), "170");
  EXPECT_EQ(m.checkpoint_lsn(), "150");
  EXPECT_EQ(m.database_backup_lsn(), "90");
  EXPECT_EQ(m.confirmed_by(), "reconcile");
  EXPECT_EQ(m.stripes_size(), 1);  // everything else kept
  // Once COMPLETE it stays as it is.
  BackupHistoryRow other = RowFor();
  other.last_lsn = "999";
  ASSERT_OK(PromoteSet(dir_, other, "again"));
  EXPECT_EQ(Read(dir_).last_lsn(), "170");
}

TEST_F(SetPromotionTest, AnotherBackupsRowLeavesItPending) {
  BackupHistoryRow r = RowFor();
  r.name = "vdibackup ffff";
  Status st = PromoteSet(dir_, r, "reconcile");
  EXPECT_EQ(st.code(), ErrorCode::kMissing) << st.ToString();
  EXPECT_EQ(Read(dir_).state(), proto::MANIFEST_STATE_PENDING);
  st = PromoteSet(dir_, RowFor('D'), "reconcile");
  EXPECT_EQ(st.code(), ErrorCode::kMissing) << st.ToString();
  EXPECT_EQ(Read(dir_).state(), proto::MANIFEST_STATE_PENDING);
  EXPECT_TRUE(Read(dir_).last_lsn().empty());
}

TEST_F(SetPromotionTest, NoManifestIsMissing) {
  EXPECT_EQ(PromoteSet(tmp_.Join("nothing"), RowFor(), "x").code(), ErrorCode::kMissing);
}

}  // namespace
}  // namespace vdibk::coordinator
