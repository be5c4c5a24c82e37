// Restores the server or the command line refuses, against a real `vdi-emulator serve`: an
// empty --as, or the source database without an explicit --replace, is a usage error (64) that
// touches nothing; the server's deterministic errors (a --move name not in the backup, an
// existing database without --replace, a name the server refuses) are exit 7 with the server's
// message, not "aborted" (5), and change no database.
#include <gtest/gtest.h>

#include <filesystem>

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

class RestoreRefusalsE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    for (const char* db : {"sales", "hr"}) ASSERT_NO_FATAL_FAILURE(CreateDatabase(db, "8M"));
    ASSERT_NO_FATAL_FAILURE(StartServer());
    Outcome b = RunMerged({Bin("vdibackup"), "backup", "--database", "sales", "--repo", repo_,
                           "--devices", "2", "--server", endpoint_, "--no-progress"});
    ASSERT_EQ(b.exit_code, 0) << b.out;
    // The source changes after the backup: an in-place restore would be visible.
    Outcome w = RunMerged({Bin("vdi-emulator"), "workload", "sales", "--data-dir", data_,
                           "--changes", "20", "--seed", "3"});
    ASSERT_EQ(w.exit_code, 0) << w.out;
    sales_mdf_ = ReadAll(data_ + "/sales/sales.mdf");
    hr_mdf_ = ReadAll(data_ + "/hr/hr.mdf");
  }
  Outcome Restore(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{"timeout",        "-s",      "KILL",       "120",
                                  Bin("vdibackup"), "restore", "--database", "sales",
                                  "--repo",         repo_,     "--server",   endpoint_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunMerged(argv);
  }
  // Neither database changed, no other appeared.
  void ExpectServerUnchanged(const Outcome& r) {
    EXPECT_TRUE(ReadAll(data_ + "/sales/sales.mdf") == sales_mdf_) << r.out;
    EXPECT_TRUE(ReadAll(data_ + "/hr/hr.mdf") == hr_mdf_) << r.out;
    std::vector<std::string> dbs;
    for (const auto& e : fs::directory_iterator(data_)) {
      if (e.is_directory() && e.path().filename().string()[0] != '.') {
        dbs.push_back(e.path().filename().string());
      }
    }
    std::sort(dbs.begin(), dbs.end());
    EXPECT_EQ(dbs, (std::vector<std::string>{"hr", "sales"})) << r.out;
    EXPECT_FALSE(fs::exists(data_ + "/.vdi-emulator/copy.meta")) << r.out;
  }

  std::string sales_mdf_, hr_mdf_;
};

TEST_F(RestoreRefusalsE2eTest, AsMustNameAnotherDatabaseUnlessReplaceIsExplicit) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--as", "", "--replace"}, "--as needs the name of the database to restore into"},
      {{"--as", ""}, "--as needs the name of the database to restore into"},
      {{}, "restoring over database 'sales' itself needs --replace"},
      {{"--as", "sales"}, "restoring over database 'sales' itself needs --replace"},
  };
  for (const Case& c : cases) {
    Outcome r = Restore(c.args);
    EXPECT_EQ(r.exit_code, 64) << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("running: RESTORE"), std::string::npos) << r.out;
    ExpectServerUnchanged(r);
  }
  // Asked for explicitly, the in-place restore runs (and brings back the backup's bytes).
  Outcome r = Restore({"--as", "sales", "--replace"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(ReadAll(data_ + "/sales/sales.mdf") == sales_mdf_) << r.out;
}

TEST_F(RestoreRefusalsE2eTest, UnknownMoveNameIsASqlErrorWithTheServersMessage) {
  Outcome r =
      Restore({"--as", "copy", "--move", "nosuch=copy.mdf", "--move", "sales_log=copy_log.ldf"});
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("'nosuch' is not part of database"), std::string::npos) << r.out;
  ExpectServerUnchanged(r);
}

// Msg 3154: the target is another database. (3159, the source itself without REPLACE, cannot
// reach the server any more: the command line refuses an in-place restore without --replace.)
TEST_F(RestoreRefusalsE2eTest, ExistingOtherDatabaseWithoutReplaceIsASqlError) {
  Outcome r = Restore({"--as", "hr", "--move", "sales=hr2.mdf", "--move", "sales_log=hr2_log.ldf"});
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("other than the existing 'hr' database"), std::string::npos) << r.out;
  ExpectServerUnchanged(r);
}

TEST_F(RestoreRefusalsE2eTest, NameTheServerRefusesIsASqlError) {
  Outcome r = Restore(
      {"--as", ".hidden", "--move", "sales=hidden.mdf", "--move", "sales_log=hidden_log.ldf"});
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("'.hidden'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sql-error"), std::string::npos) << r.out;
  ExpectServerUnchanged(r);
}

}  // namespace
}  // namespace vdibk::coordinator
