// Backup types and restore chains end to end: `vdibackup backup --type full|diff|log` against
// `vdi-emulator serve` with workloads in between, manifests with the server's LSNs, then
// `vdibackup restore` (--set latest) replays full + diff + logs into a new database whose files
// equal the source's at the last backup; a deleted log set stops the chain before anything is
// restored (exit 4); a log backup under SIMPLE recovery fails with the SQL error (exit 7).
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "proto/manifest.pb.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "tests/harness/emulator_fixture.h"
#include "tests/harness/programs.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::Outcome;
using vdibk::testing::ReadAll;
using vdibk::testing::RunMerged;

std::set<std::string> Dirs(const std::string& path) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(path, ec)) out.insert(e.path().string());
  return out;
}

int64_t Lsn(const std::string& s) { return s.empty() ? -1 : std::stoll(s); }

class ChainE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartServer();
  }
  // Runs one backup of `db`; returns the new set directory ("" on failure) and its manifest.
  std::string Backup(const std::string& type, const std::string& db = "sales",
                     Outcome* outcome = nullptr, std::vector<std::string> extra = {}) {
    const std::set<std::string> before = Dirs(repo_ + "/" + db);
    std::vector<std::string> argv = {
        Bin("vdibackup"), "backup", "--database", db,        "--repo", repo_, "--devices", "2",
        "--type",         type,     "--server",   endpoint_, "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Outcome b = RunMerged(argv);
    if (outcome) *outcome = b;
    if (b.exit_code != 0) return "";
    const std::set<std::string> after = Dirs(repo_ + "/" + db);
    std::vector<std::string> added;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(added));
    EXPECT_EQ(added.size(), 1u) << b.out;
    return added.empty() ? "" : added[0];
  }
  proto::Manifest Manifest(const std::string& set_dir) {
    stripe::DirectoryTarget t(set_dir);
    Result<proto::Manifest> m = stripe::ReadManifest(t, stripe::kManifestFileName);
    EXPECT_TRUE(m.ok()) << set_dir << ": " << m.status().ToString();
    return m.ok() ? *m : proto::Manifest();
  }
  void Workload(int seed) {
    Outcome w = RunMerged({Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_,
                           "--changes", "60", "--seed", std::to_string(seed)});
    ASSERT_EQ(w.exit_code, 0) << w.out;
  }
  Outcome Restore() {
    return RunMerged({Bin("vdibackup"), "restore", "--database", "sales", "--repo", repo_, "--as",
                      "copy", "--move", "sales=copy.mdf", "--move", "sales_log=copy_log.ldf",
                      "--server", endpoint_, "--json"});
  }
};

TEST_F(ChainE2eTest, FullDiffLogsRestoreToTheLastBackupByteForByte) {
  const std::string full = Backup("full");
  ASSERT_FALSE(full.empty());
  const std::string after_full = ReadAll(data_ + "/sales/sales.mdf");
  Workload(1);
  const std::string diff = Backup("diff");
  ASSERT_FALSE(diff.empty());
  Workload(2);
  const std::string log1 = Backup("log");
  ASSERT_FALSE(log1.empty());
  Workload(3);
  const std::string log2 = Backup("log");
  ASSERT_FALSE(log2.empty());
  // The source's files at the last backup (nothing changes them afterwards).
  const std::string mdf = ReadAll(data_ + "/sales/sales.mdf");
  const std::string ldf = ReadAll(data_ + "/sales/sales_log.ldf");
  ASSERT_NE(mdf, after_full);  // the workloads changed the database

  // Directory suffixes, manifest types and the server's LSNs.
  EXPECT_TRUE(full.ends_with("_full")) << full;
  EXPECT_TRUE(diff.ends_with("_diff")) << diff;
  EXPECT_TRUE(log1.ends_with("_log")) << log1;
  const proto::Manifest mf = Manifest(full), md = Manifest(diff), ml1 = Manifest(log1),
                        ml2 = Manifest(log2);
  EXPECT_EQ(mf.backup_type(), proto::BACKUP_TYPE_FULL);
  EXPECT_EQ(md.backup_type(), proto::BACKUP_TYPE_DIFF);
  EXPECT_EQ(ml1.backup_type(), proto::BACKUP_TYPE_LOG);
  EXPECT_EQ(ml2.backup_type(), proto::BACKUP_TYPE_LOG);
  for (const proto::Manifest* m : {&mf, &md, &ml1, &ml2}) {
    EXPECT_EQ(m->state(), proto::MANIFEST_STATE_COMPLETE);
    EXPECT_FALSE(m->copy_only());
    EXPECT_GE(Lsn(m->first_lsn()), 0);
    EXPECT_GE(Lsn(m->last_lsn()), Lsn(m->first_lsn()));
    EXPECT_GE(Lsn(m->checkpoint_lsn()), 0);
  }
  EXPECT_EQ(md.database_backup_lsn(), mf.checkpoint_lsn());  // the diff's base is the full
  EXPECT_GT(Lsn(md.last_lsn()), Lsn(mf.last_lsn()));
  EXPECT_LE(Lsn(ml1.first_lsn()), Lsn(md.last_lsn()));  // the first log covers the diff's end
  EXPECT_GT(Lsn(ml1.last_lsn()), Lsn(md.last_lsn()));
  EXPECT_EQ(ml2.first_lsn(), ml1.last_lsn());  // logs follow each other
  EXPECT_GT(Lsn(ml2.last_lsn()), Lsn(ml1.last_lsn()));

  Outcome r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"status\":\"ok\""), std::string::npos) << r.out;
  // Four restores, in chain order, NORECOVERY but for the last.
  const size_t p_full = r.out.find("\"set_dir\":\"" + full + "\",\"type\":\"full\"");
  const size_t p_diff = r.out.find("\"set_dir\":\"" + diff + "\",\"type\":\"diff\"");
  const size_t p_log1 = r.out.find("\"set_dir\":\"" + log1 + "\",\"type\":\"log\"");
  const size_t p_log2 = r.out.find("\"set_dir\":\"" + log2 + "\",\"type\":\"log\"");
  ASSERT_NE(p_full, std::string::npos) << r.out;
  ASSERT_NE(p_log2, std::string::npos) << r.out;
  EXPECT_LT(p_full, p_diff);
  EXPECT_LT(p_diff, p_log1);
  EXPECT_LT(p_log1, p_log2);
  EXPECT_NE(r.out.find("RESTORE LOG [copy]"), std::string::npos) << r.out;
  EXPECT_EQ(ReadAll(data_ + "/copy/copy.mdf"), mdf);
  EXPECT_EQ(ReadAll(data_ + "/copy/copy_log.ldf"), ldf);
  // The last restore recovered the database.
  Outcome list = RunMerged({Bin("vdi-emulator"), "list", "--data-dir", data_});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  const size_t copy_line = list.out.find("copy ");
  ASSERT_NE(copy_line, std::string::npos) << list.out;
  EXPECT_NE(list.out.substr(copy_line, list.out.find('\n', copy_line) - copy_line).find("ONLINE"),
            std::string::npos)
      << list.out;
}

TEST_F(ChainE2eTest, DeletedLogSetStopsTheChainBeforeAnyRestore) {
  ASSERT_FALSE(Backup("full").empty());
  Workload(1);
  ASSERT_FALSE(Backup("log").empty());
  Workload(2);
  const std::string log2 = Backup("log");
  ASSERT_FALSE(log2.empty());
  Workload(3);
  const std::string log3 = Backup("log");
  ASSERT_FALSE(log3.empty());
  fs::remove_all(log2);

  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find(fs::path(log3).filename().string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gap"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(data_ + "/copy")) << r.out;
}

TEST_F(ChainE2eTest, LogBackupUnderSimpleRecoveryFailsWithTheSqlErrorAndLeavesNoSet) {
  Outcome c = RunMerged({Bin("vdi-emulator"), "create-database", "simple", "--data-dir", data_,
                         "--size", "4M", "--no-log"});
  ASSERT_EQ(c.exit_code, 0) << c.out;
  ASSERT_FALSE(Backup("full", "simple").empty());
  Outcome b;
  EXPECT_EQ(Backup("log", "simple", &b), "");
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_NE(b.out.find("recovery model is SIMPLE"), std::string::npos) << b.out;
  // Only the full's set remains.
  EXPECT_EQ(Dirs(repo_ + "/simple").size(), 1u) << b.out;
}

TEST_F(ChainE2eTest, CopyOnlyFullIsRecordedAndRestoredAloneWhenNewest) {
  ASSERT_FALSE(Backup("full").empty());
  Workload(1);
  const std::string copy = Backup("full", "sales", nullptr, {"--copy-only"});
  ASSERT_FALSE(copy.empty());
  const proto::Manifest m = Manifest(copy);
  EXPECT_TRUE(m.copy_only());
  EXPECT_FALSE(m.checkpoint_lsn().empty());
  const std::string mdf = ReadAll(data_ + "/sales/sales.mdf");
  Outcome r = Restore();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"chain\":[{\"set_dir\":\"" + copy + "\""), std::string::npos) << r.out;
  EXPECT_EQ(ReadAll(data_ + "/copy/copy.mdf"), mdf);
}

TEST_F(ChainE2eTest, UnreadableHistoryRowIsExit7AndKeepsThePendingSet) {
  // A sqlcmd that runs everything but answers the history query with no rows.
  const std::string wrapper = dir_.Join("sqlcmd-no-history");
  std::ofstream(wrapper) << "#!/bin/sh\ncase \"$*\" in *msdb.dbo.backupset*) exit 0;; esac\n"
                         << "exec '" << Bin("sqlcmd") << "' \"$@\"\n";
  fs::permissions(wrapper, fs::perms::owner_all);
  Outcome b;
  EXPECT_EQ(Backup("full", "sales", &b, {"--sqlcmd", wrapper}), "");
  EXPECT_EQ(b.exit_code, 7) << b.out;
  EXPECT_NE(b.out.find("no row named 'vdibackup "), std::string::npos) << b.out;
  const std::set<std::string> sets = Dirs(repo_ + "/sales");
  ASSERT_EQ(sets.size(), 1u) << b.out;
  const proto::Manifest m = Manifest(*sets.begin());
  EXPECT_EQ(m.state(), proto::MANIFEST_STATE_PENDING);
  EXPECT_TRUE(m.last_lsn().empty());
  // An unconfirmed set is never restored.
  Outcome r = Restore();
  EXPECT_EQ(r.exit_code, 4) << r.out;
}

}  // namespace
}  // namespace vdibk::coordinator
