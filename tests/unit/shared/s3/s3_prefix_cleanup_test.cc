// AbortUploadsUnder / DeleteObjectsUnder / CleanUpPrefix over the fake server: only what is under
// the prefix ("set1/" is not "set10/"), and no empty or unterminated prefix.
#include "shared/s3/s3_prefix_cleanup.h"

#include <gtest/gtest.h>

#include "tests/unit/shared/s3/s3_target_fixture.h"

namespace vdibk::s3 {
namespace {

TEST_F(S3TargetTest, CleanUpRemovesUploadsAndObjectsUnderThePrefixOnly) {
  Result<std::unique_ptr<S3Client>> client = FakeClients(&server_, &clock_)();
  ASSERT_OK(client);
  for (const char* key : {"db/set1/stripe-1", "db/set1/stripe-2", "db/set10/stripe-1"})
    ASSERT_OK((*client)->CreateMultipartUpload("b", key));
  for (const char* key : {"db/set1/manifest", "db/set1/a", "db/set10/manifest", "db/set2"})
    server_.PutDirect(key, "x");

  Result<PrefixCleanup> done = CleanUpPrefix(**client, "b", "db/set1/");
  ASSERT_OK(done);
  EXPECT_EQ(done->uploads_aborted, 2u);
  EXPECT_EQ(done->objects_deleted, 2u);
  EXPECT_EQ(server_.open_uploads(), 1u);
  EXPECT_FALSE(server_.Object("db/set1/manifest"));
  EXPECT_TRUE(server_.Object("db/set10/manifest"));
  EXPECT_TRUE(server_.Object("db/set2"));

  done = CleanUpPrefix(**client, "b", "db/set1/");  // nothing left: nothing to do
  ASSERT_OK(done);
  EXPECT_EQ(done->uploads_aborted + done->objects_deleted, 0u);

  for (const char* bad : {"", "db/set1"}) {
    EXPECT_EQ(CleanUpPrefix(**client, "b", bad).status().code(), ErrorCode::kUsage) << bad;
    EXPECT_EQ(DeleteObjectsUnder(**client, "b", bad).status().code(), ErrorCode::kUsage) << bad;
  }
}

TEST_F(S3TargetTest, AFailedAbortIsReportedAfterTryingTheRest) {
  Result<std::unique_ptr<S3Client>> client = FakeClients(&server_, &clock_)();
  ASSERT_OK(client);
  ASSERT_OK((*client)->CreateMultipartUpload("b", "p/a"));
  ASSERT_OK((*client)->CreateMultipartUpload("b", "p/b"));
  server_.SetFault([](const FakeS3Call& c) -> long {
    return c.op == "AbortMultipartUpload" && c.key == "p/a" ? 403 : 0;
  });
  Result<size_t> aborted = AbortUploadsUnder(**client, "b", "p/");
  EXPECT_EQ(aborted.status().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(server_.open_uploads(), 1u);  // p/b went
}

}  // namespace
}  // namespace vdibk::s3
