// Tests of the Target seam: durable publish, abort cleanup, no silent replace, injected
// ENOSPC and fsync failures surfacing as kTargetIo through StripeWriter.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/fault_target.h"
#include "shared/stripe/stripe_writer.h"
#include "tests/harness/status_matchers.h"
#include "tests/harness/test_dirs.h"
#include "tests/unit/shared/stripe/stripe_test_util.h"

namespace vdibk::stripe {
namespace {

using stripe::testing::MakeData;
using stripe::testing::MakeHeader;

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

TEST(DirectoryTargetTest, PartialUntilCommit) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  auto f = t.Create("a");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Append("hello", 5));
  EXPECT_TRUE(Exists(dir.Join("a.partial")));
  EXPECT_FALSE(Exists(dir.Join("a")));
  ASSERT_OK((*f)->Sync());
  ASSERT_OK((*f)->Commit());
  EXPECT_FALSE(Exists(dir.Join("a.partial")));
  EXPECT_TRUE(Exists(dir.Join("a")));
  auto r = t.Open("a");
  ASSERT_OK(r);
  char buf[10];
  auto n = (*r)->ReadAt(1, buf, sizeof buf);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "ello");
}

TEST(DirectoryTargetTest, AbortRemovesTempAndDestructorAborts) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  {
    auto f = t.Create("b");
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append("x", 1));
  }
  EXPECT_FALSE(Exists(dir.Join("b.partial")));
  auto f = t.Create("b");
  ASSERT_OK(f);
  (*f)->Abort();
  (*f)->Abort();
  EXPECT_FALSE(Exists(dir.Join("b.partial")));
}

TEST(DirectoryTargetTest, RefusesToReplaceUnlessAsked) {
  vdibk::testing::TempDir dir;
  DirectoryTarget t(dir.path());
  auto f = t.Create("c");
  ASSERT_OK(f);
  ASSERT_OK((*f)->Commit());
  EXPECT_EQ(t.Create("c").status().code(), ErrorCode::kTargetIo);
  auto g = t.Create("c", CreateOptions{.replace = true});
  ASSERT_OK(g);
  ASSERT_OK((*g)->Append("new", 3));
  ASSERT_OK((*g)->Commit());
  EXPECT_EQ(t.Create("../c").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(t.Open("missing").status().code(), ErrorCode::kMissing);
}

TEST(FaultTargetTest, EnospcGivesClearTargetIoErrorAndRemovesTemp) {
  vdibk::testing::TempDir dir;
  DirectoryTarget real(dir.path());
  FaultSpec spec;
  spec.enospc_after_bytes = 100'000;
  FaultTarget t(&real, spec);
  std::vector<uint8_t> data = MakeData(1'000'000);
  auto w = StripeWriter::Create(t, "full", MakeHeader());
  ASSERT_OK(w);
  Status s;
  for (size_t off = 0; off < data.size() && s.ok(); off += 65536) {
    s = w->Append(data.data() + off, std::min<size_t>(65536, data.size() - off));
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kTargetIo);
  EXPECT_NE(s.message().find("target full"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.ToString();
  EXPECT_EQ(w->Flush().message(), s.message());  // sticky
  EXPECT_FALSE(w->Finalize().ok());
  w->Abort();
  EXPECT_FALSE(Exists(dir.Join("full.partial")));
  EXPECT_FALSE(Exists(dir.Join("full")));
}

TEST(FaultTargetTest, FailedFsyncIsNeverRetriedToSuccess) {
  vdibk::testing::TempDir dir;
  DirectoryTarget real(dir.path());
  FaultSpec spec;
  spec.fail_sync_at = 2;
  FaultTarget t(&real, spec);
  std::vector<uint8_t> data = MakeData(10'000);
  auto w = StripeWriter::Create(t, "sync", MakeHeader());
  ASSERT_OK(w);
  ASSERT_OK(w->Append(data.data(), 5000));
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->Append(data.data() + 5000, 5000));
  Status s = w->Flush();
  EXPECT_EQ(s.code(), ErrorCode::kTargetIo);
  EXPECT_NE(s.message().find("Input/output error"), std::string::npos) << s.ToString();
  EXPECT_FALSE(w->Flush().ok());
  EXPECT_FALSE(w->Finalize().ok());
  EXPECT_EQ(t.sync_calls(), 2);  // the failing sync was not called again
  EXPECT_FALSE(Exists(dir.Join("sync")));
}

TEST(FaultTargetTest, FailedCommitDoesNotPublish) {
  vdibk::testing::TempDir dir;
  DirectoryTarget real(dir.path());
  FaultSpec spec;
  spec.fail_commit = true;
  FaultTarget t(&real, spec);
  auto w = StripeWriter::Create(t, "commit", MakeHeader());
  ASSERT_OK(w);
  ASSERT_OK(w->Append("abc", 3));
  EXPECT_EQ(w->Finalize().status().code(), ErrorCode::kTargetIo);
  w->Abort();
  EXPECT_FALSE(Exists(dir.Join("commit")));
  EXPECT_FALSE(Exists(dir.Join("commit.partial")));
}

}  // namespace
}  // namespace vdibk::stripe
