// --target parsing (repeatable directories, null, duplicates, too many) and BackupTargets: set
// directories on every target, stripe i on target i mod T, checks before creation, cleanup.
#include "coordinator/pipeline/backup_targets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "coordinator/cli/backup_options.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

Result<BackupSpec> Parse(std::vector<std::string> extra, bool with_repo = true) {
  std::vector<std::string> args{"--database", "db"};
  if (with_repo) args.insert(args.end(), {"--repo", "/r"});
  args.insert(args.end(), extra.begin(), extra.end());
  return ParseBackupOptions(args, "/b");
}

TEST(BackupTargetOptionsTest, RepeatableTargetsAreAbsoluteAndNormal) {
  Result<BackupSpec> o =
      Parse({"--devices", "3", "--target", "/t1/", "--target", "/x/../t2", "--target", "rel"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->targets.size(), 3u);
  EXPECT_EQ(o->targets[0], "/t1");
  EXPECT_EQ(o->targets[1], "/t2");
  EXPECT_EQ(o->targets[2], (fs::current_path() / "rel").lexically_normal().string());
  EXPECT_FALSE(o->null_target);
  EXPECT_TRUE(o->progress);
}

TEST(BackupTargetOptionsTest, NoTargetMeansTheRepo) {
  Result<BackupSpec> o = Parse({"--no-progress"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(o->targets.empty());
  EXPECT_FALSE(o->null_target);
  EXPECT_FALSE(o->progress);
}

TEST(BackupTargetOptionsTest, DuplicateTargetsAreUsageErrors) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--devices", "4", "--target", "/t", "--target", "/t"},
        std::vector<std::string>{"--devices", "4", "--target", "/t", "--target", "/t/"},
        std::vector<std::string>{"--devices", "4", "--target", "/a/t", "--target", "/a/b/../t"},
        std::vector<std::string>{"--target", "null", "--target", "null"}}) {
    Result<BackupSpec> o = Parse(args);
    ASSERT_FALSE(o.ok()) << args[args.size() - 1];
    EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
    EXPECT_NE(o.status().message().find("twice"), std::string::npos) << o.status().ToString();
  }
}

TEST(BackupTargetOptionsTest, MissingValuesAndMixturesAreUsageErrors) {
  Result<BackupSpec> o = Parse({"--target"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  o = Parse({"--target", ""});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  o = Parse({"--devices", "2", "--target", "null", "--target", "/t"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  // More targets than devices: some target would get no stripe.
  o = Parse({"--devices", "1", "--target", "/a", "--target", "/b"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
  // Without --target null the repo stays required.
  o = Parse({"--target", "/a"}, false);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kUsage);
}

TEST(BackupTargetOptionsTest, DefaultDevicesCoverEveryTarget) {
  std::vector<std::string> args;
  for (int i = 0; i < 6; ++i) args.insert(args.end(), {"--target", "/t" + std::to_string(i)});
  Result<BackupSpec> o = Parse(args);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_GE(o->devices, 6u);
}

TEST(BackupTargetOptionsTest, NullTargetNeedsNoRepo) {
  Result<BackupSpec> o = Parse({"--target", "null"}, false);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(o->null_target);
  EXPECT_TRUE(o->targets.empty());
}

class BackupTargetsTest : public ::testing::Test {
 protected:
  BackupSpec Options(std::vector<std::string> targets) {
    BackupSpec o;
    o.database = "db";
    o.repo = dir_.Join("repo");
    o.devices = 3;
    for (const std::string& t : targets) o.targets.push_back(dir_.Join(t));
    return o;
  }
  void SetUp() override {
    for (const char* d : {"repo", "t1", "t2"}) fs::create_directories(dir_.Join(d));
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(BackupTargetsTest, NoTargetPutsEveryStripeInTheSetDir) {
  Result<BackupTargets> t = BackupTargets::Create(Options({}), "S_full");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->set_dir(), dir_.Join("repo/db/S_full"));
  EXPECT_TRUE(fs::is_directory(t->set_dir()));
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t->StripeDir(i), t->set_dir());
    EXPECT_EQ(t->Location(i), "");
  }
  EXPECT_TRUE(t->roots().empty());
  EXPECT_FALSE(fs::exists(t->set_dir() + "/" + kTargetsFileName));
}

TEST_F(BackupTargetsTest, StripesSpreadRoundRobinOverTargets) {
  Result<BackupTargets> t = BackupTargets::Create(Options({"t1", "t2"}), "S_full");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(fs::is_directory(dir_.Join("repo/db/S_full")));  // the manifest's home
  EXPECT_EQ(t->StripeDir(0), dir_.Join("t1/db/S_full"));
  EXPECT_EQ(t->StripeDir(1), dir_.Join("t2/db/S_full"));
  EXPECT_EQ(t->StripeDir(2), dir_.Join("t1/db/S_full"));
  EXPECT_EQ(t->Location(0), dir_.Join("t1"));
  EXPECT_EQ(t->Location(1), dir_.Join("t2"));
  EXPECT_TRUE(fs::is_directory(dir_.Join("t1/db/S_full")));
  EXPECT_TRUE(fs::is_directory(dir_.Join("t2/db/S_full")));
  // Written before any stripe: prune finds the target directories even without a manifest.
  EXPECT_EQ(ReadTargetsFile(t->set_dir()),
            (std::vector<std::string>{dir_.Join("t1"), dir_.Join("t2")}));
  t->RemoveAll();
  EXPECT_FALSE(fs::exists(dir_.Join("repo/db/S_full")));
  EXPECT_FALSE(fs::exists(dir_.Join("t1/db/S_full")));
  EXPECT_FALSE(fs::exists(dir_.Join("t2/db/S_full")));
}

TEST_F(BackupTargetsTest, MissingTargetIsConfigurationAndCreatesNothing) {
  Result<BackupTargets> t = BackupTargets::Create(Options({"t1", "nope"}), "S_full");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(t.status().message().find("nope"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_.Join("repo/db")));
  EXPECT_FALSE(fs::exists(dir_.Join("t1/db")));
}

TEST_F(BackupTargetsTest, SameDirectoryUnderTwoNamesIsUsage) {
  fs::create_directory_symlink(dir_.Join("t1"), dir_.Join("alias"));
  Result<BackupTargets> t = BackupTargets::Create(Options({"t1", "alias"}), "S_full");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(fs::exists(dir_.Join("repo/db")));
}

TEST_F(BackupTargetsTest, FailedCreationOnOneTargetRemovesTheOthers) {
  // t2's database folder is a file: the set directory cannot be made there after repo and t1
  // were made. (A set name taken there moves the backup to the next name: set_names_test.cc.)
  std::ofstream(dir_.Join("t2/db")) << "not a folder";
  Result<BackupTargets> t = BackupTargets::Create(Options({"t1", "t2"}), "S_full");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kConfiguration) << t.status().ToString();
  EXPECT_FALSE(fs::exists(dir_.Join("repo/db/S_full")));
  EXPECT_FALSE(fs::exists(dir_.Join("t1/db/S_full")));
  EXPECT_TRUE(fs::is_regular_file(dir_.Join("t2/db")));  // not ours: left alone
}

TEST_F(BackupTargetsTest, TheRepoAsATargetHoldsItsStripesInTheSetDir) {
  BackupSpec o = Options({"t1"});
  o.targets.push_back(o.repo);
  Result<BackupTargets> t = BackupTargets::Create(o, "S_full");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->StripeDir(1), t->set_dir());
  EXPECT_EQ(t->Location(1), "");
  EXPECT_EQ(t->StripeDir(0), dir_.Join("t1/db/S_full"));
  EXPECT_EQ(ReadTargetsFile(t->set_dir()), std::vector<std::string>{dir_.Join("t1")});
}

TEST_F(BackupTargetsTest, NullTargetCreatesNothing) {
  BackupSpec o = Options({});
  o.null_target = true;
  o.repo = dir_.Join("missing-repo");  // not even looked at
  Result<BackupTargets> t = BackupTargets::Create(o, "S_full");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->discard());
  EXPECT_EQ(t->set_dir(), "");
  EXPECT_EQ(t->StripeDir(0), "");
  EXPECT_FALSE(fs::exists(dir_.Join("missing-repo")));
}

}  // namespace
}  // namespace vdibk::coordinator
