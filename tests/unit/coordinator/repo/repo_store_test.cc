// --repo arguments: a path is a LocalRepoStore, s3://BUCKET/PREFIX an S3RepoStore (tested in
// s3_repo_store_test.cc); a backup refuses an S3 repository (its write path is not wired yet).
#include "coordinator/repo/repo_store.h"

#include <gtest/gtest.h>

#include "coordinator/pipeline/backup_targets.h"
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

TEST(RepoStoreTest, BackupsRefuseAnS3RepositoryBeforeTouchingAnything) {
  // Without S3 credentials OpenRepoStore is kConfiguration; with them the backup's own guard
  // (its S3 write path is not wired yet) is: either way 78 before anything is contacted.
  Status st = CheckBackupRepo("s3://bucket/prefix");
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration) << st.ToString();
  EXPECT_NE(st.message().find("s3://bucket/prefix"), std::string::npos) << st.ToString();
  EXPECT_OK(CheckBackupRepo("/backups"));
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
