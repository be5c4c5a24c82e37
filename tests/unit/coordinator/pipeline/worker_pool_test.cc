// WorkerPool::DefaultCount: the worker count a backup or restore takes when none is given.
#include "coordinator/pipeline/worker_pool.h"

#include <gtest/gtest.h>

namespace vdibk::coordinator {
namespace {

TEST(WorkerPoolDefaultCountTest, OnePerDeviceUpToFourOrTheCores) {
  EXPECT_EQ(WorkerPool::DefaultCount(1, 2), 1u);
  EXPECT_EQ(WorkerPool::DefaultCount(4, 2), 4u);   // at least 4 whatever the cores
  EXPECT_EQ(WorkerPool::DefaultCount(64, 2), 4u);  // not 64 processes on 2 cores
  EXPECT_EQ(WorkerPool::DefaultCount(64, 0), 4u);  // cores unknown (hardware_concurrency 0)
  EXPECT_EQ(WorkerPool::DefaultCount(8, 16), 8u);
  EXPECT_EQ(WorkerPool::DefaultCount(64, 16), 16u);
}

}  // namespace
}  // namespace vdibk::coordinator
