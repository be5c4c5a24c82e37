// OptionOnce: the second of an option is a usage error naming it; repeatable options and
// non-options are never refused.
#include "shared/base/option_once.h"

#include <gtest/gtest.h>

#include "tests/harness/status_matchers.h"

namespace vdibk {
namespace {

TEST(OptionOnceTest, SecondOfAnOptionIsUsageNamingIt) {
  OptionOnce once;
  EXPECT_OK(once.See("--database"));
  EXPECT_OK(once.See("--repo"));
  Status st = once.See("--database");
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("--database given twice"), std::string::npos) << st.ToString();
}

TEST(OptionOnceTest, RepeatableOptionsAndValuesPass) {
  OptionOnce once({"--target", "--move"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(once.See("--target"));
    EXPECT_OK(once.See("--move"));
    EXPECT_OK(once.See("value"));
  }
  EXPECT_OK(once.See("--json"));
  EXPECT_EQ(once.See("--json").code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace vdibk
