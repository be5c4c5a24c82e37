// Test helpers: ASSERT_OK / EXPECT_OK for Status and Result<T>.
#ifndef VDIBK_TESTS_HARNESS_STATUS_MATCHERS_H_
#define VDIBK_TESTS_HARNESS_STATUS_MATCHERS_H_

#include <gtest/gtest.h>

#include "shared/base/result.h"
#include "shared/base/status.h"

namespace vdibk::testing {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
const Status& AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace vdibk::testing

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    const auto& vdibk_s_ = (expr);                          \
    ASSERT_TRUE(::vdibk::testing::AsStatus(vdibk_s_).ok())  \
        << ::vdibk::testing::AsStatus(vdibk_s_).ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                     \
  do {                                                      \
    const auto& vdibk_s_ = (expr);                          \
    EXPECT_TRUE(::vdibk::testing::AsStatus(vdibk_s_).ok())  \
        << ::vdibk::testing::AsStatus(vdibk_s_).ToString(); \
  } while (0)

#endif  // VDIBK_TESTS_HARNESS_STATUS_MATCHERS_H_
