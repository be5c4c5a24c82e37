// Failpoint: spec parsing and counting (the self-kill is exercised by backup_faults_test).
#include "workers/failpoint.h"

#include <gtest/gtest.h>

namespace vdibk::workers {
namespace {

TEST(FailpointTest, FiresOnTheNthRequestOfItsKindForItsWorker) {
  Result<Failpoint> f = Failpoint::Parse("flush:2@w1", "w1");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->armed());
  EXPECT_FALSE(f->Hit("write"));
  EXPECT_FALSE(f->Hit("flush"));
  EXPECT_FALSE(f->Hit("complete"));
  EXPECT_TRUE(f->Hit("flush"));
  EXPECT_FALSE(f->Hit("flush"));  // once only

  Result<Failpoint> other = Failpoint::Parse("flush@w1", "w0");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->armed());
  EXPECT_FALSE(other->Hit("flush"));

  Result<Failpoint> any = Failpoint::Parse("write", "w7");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->Hit("write"));

  Result<Failpoint> none = Failpoint::Parse("", "w0");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->armed());
}

TEST(FailpointTest, MalformedSpecsAreUsageErrors) {
  for (const char* spec : {"fly", "flush:", "flush:0", "flush:x", "flush@", ":3", "write:2@"}) {
    EXPECT_EQ(Failpoint::Parse(spec, "w0").status().code(), ErrorCode::kUsage) << spec;
  }
}

TEST(FailpointTest, TargetFaultSpecs) {
  auto none = ParseTargetFault("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto sync = ParseTargetFault("sync-eio:3");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ((*sync)->fail_sync_at, 3);
  auto commit = ParseTargetFault("commit-eio");
  ASSERT_TRUE(commit.ok());
  EXPECT_TRUE((*commit)->fail_commit);
  auto full = ParseTargetFault("enospc-after:4096");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)->enospc_after_bytes, 4096u);
  for (const char* bad :
       {"sync-eio:0", "sync-eio:", "commit-eio:1", "enospc-after", "disk-on-fire"}) {
    EXPECT_EQ(ParseTargetFault(bad).status().code(), ErrorCode::kUsage) << bad;
  }
}

}  // namespace
}  // namespace vdibk::workers
