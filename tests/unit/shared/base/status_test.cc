// Tests for Status, Result<T> and the error-code registry.
#include "shared/base/status.h"
#include "shared/base/result.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace vdibk {
namespace {

TEST(StatusTest, OkIsDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::Integrity("stripe 3: checksum mismatch");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(s.ToString(), "integrity: stripe 3: checksum mismatch");
  EXPECT_EQ(s.WithContext("verify").message(), "verify: stripe 3: checksum mismatch");
}

TEST(StatusTest, FromErrnoAppendsStrerror) {
  Status s = Status::FromErrno(ErrorCode::kTargetIo, "write stripe", ENOSPC);
  EXPECT_EQ(s.code(), ErrorCode::kTargetIo);
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos);
}

TEST(ErrorCodeTest, ExitCodesAreTheDesignTable) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kIntegrity), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kMissing), 4);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kAborted), 5);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kTargetIo), 6);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kSqlError), 7);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUsage), 64);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kConfiguration), 78);
  EXPECT_EQ(ErrorCodeFromWire(78), ErrorCode::kConfiguration);
  EXPECT_EQ(ErrorCodeFromWire(12345), ErrorCode::kFailed);
}

Result<int> Half(int x) {
  if (x % 2) return Status::Usage("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  VDIBK_ASSIGN_OR_RETURN(*out, Half(x));
  return Status::Ok();
}

TEST(ResultTest, ValueOrStatus) {
  auto r = Half(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  auto e = Half(3);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUsage);
  int v = 0;
  EXPECT_TRUE(UseHalf(8, &v).ok());
  EXPECT_EQ(v, 4);
  EXPECT_EQ(UseHalf(5, &v).code(), ErrorCode::kUsage);
}

TEST(ResultTest, OkStatusWithoutValueIsAnError) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace vdibk
