// --repo arguments: a path is a LocalRepoStore, s3://BUCKET/PREFIX parses but is refused (not
// built yet) with kConfiguration before anything is touched.
#include "coordinator/repo/repo_store.h"

#include <gtest/gtest.h>

#include "coordinator/cli/prune_command.h"
#include "coordinator/cli/verify_command.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

TEST(RepoStoreTest, ParsesPathsAndS3Locations) {
  Result<RepoLocation> local = ParseRepoLocation("/backups");
  ASSERT_OK(local);
  EXPECT_EQ(local->kind, RepoLocation::Kind::kLocal);
  EXPECT_EQ(local->path, "/backups");

  Result<RepoLocation> s3 = ParseRepoLocation("s3://bucket/some/prefix/");
  ASSERT_OK(s3);
  EXPECT_EQ(s3->kind, RepoLocation::Kind::kS3);
  EXPECT_EQ(s3->bucket, "bucket");
  EXPECT_EQ(s3->prefix, "some/prefix");
  EXPECT_EQ(ParseRepoLocation("s3://bucket")->prefix, "");

  EXPECT_EQ(ParseRepoLocation("s3://").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseRepoLocation("s3:///prefix").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseRepoLocation("").status().code(), ErrorCode::kUsage);
}

TEST(RepoStoreTest, S3RepositoriesAreNotBuiltYet) {
  Result<std::unique_ptr<RepoStore>> store = OpenRepoStore("s3://bucket/prefix");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(store.status().message().find("S3 repositories are not built yet"), std::string::npos)
      << store.status().ToString();
  EXPECT_NE(store.status().message().find("s3://bucket/prefix"), std::string::npos);
}

TEST(RepoStoreTest, CommandsRefuseAnS3RepositoryBeforeTouchingAnything) {
  PruneOptions prune;
  prune.repo = "s3://bucket/prefix";
  prune.keep_full = 1;
  std::string report;
  EXPECT_EQ(RunPrune(prune, 0, &report).code(), ErrorCode::kConfiguration);
  EXPECT_TRUE(report.empty()) << report;
  VerifyOptions verify;
  verify.repo = "s3://bucket";
  EXPECT_EQ(RunVerify(verify).status().code(), ErrorCode::kConfiguration);
}

TEST(RepoStoreTest, APathIsALocalStore) {
  vdibk::testing::TempDir dir;
  Result<std::unique_ptr<RepoStore>> store = OpenRepoStore(dir.path());
  ASSERT_OK(store);
  EXPECT_EQ((*store)->Describe(), dir.path());
  EXPECT_EQ((*store)->LocalRoot().value_or(""), dir.path());
  EXPECT_EQ((*store)->SetLocation("sales", "S_full"), dir.path() + "/sales/S_full");
  EXPECT_OK((*store)->CheckRoot());
  // Opening checks nothing; CheckRoot does.
  Result<std::unique_ptr<RepoStore>> missing = OpenRepoStore(dir.Join("nope"));
  ASSERT_OK(missing);
  EXPECT_EQ((*missing)->CheckRoot().code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace vdibk::coordinator
