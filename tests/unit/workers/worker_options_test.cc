// vdibackup-worker argument parsing.
#include "workers/worker_options.h"

#include <gtest/gtest.h>

namespace vdibk::workers {
namespace {

TEST(WorkerOptionsTest, ParsesRequiredAndOptional) {
  Result<WorkerOptions> o = ParseWorkerOptions({"w", "--connect", "ipc:///tmp/x/hub", "--id", "w3",
                                                "--heartbeat-ms", "250", "--liveness", "5"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->endpoint, "ipc:///tmp/x/hub");
  EXPECT_EQ(o->worker_id, "w3");
  EXPECT_EQ(o->liveness.interval, std::chrono::milliseconds(250));
  EXPECT_EQ(o->liveness.liveness, 5);
}

TEST(WorkerOptionsTest, UsageErrors) {
  EXPECT_EQ(ParseWorkerOptions({"w", "--id", "a"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseWorkerOptions({"w", "--connect", "x"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(
      ParseWorkerOptions({"w", "--connect", "x", "--id", "a", "--liveness", "0"}).status().code(),
      ErrorCode::kUsage);
  EXPECT_EQ(ParseWorkerOptions({"w", "--connect"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(ParseWorkerOptions({"w", "--what"}).status().code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace vdibk::workers
