// AuditLog: the JSON line of an entry (UTC time with milliseconds, the Unix peer's uid) and an
// audit file that cannot be opened.
#include "agent/audit_log.h"

#include <gtest/gtest.h>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

TEST(AgentAuditTest, OneJsonLinePerEntryWithTheUtcTime) {
  AuditEntry e{"uid:65534", "read",     {Transport::kUnix, "unix", 65534, std::nullopt},
               "POST",      "/v1/jobs", "restore prod --replace",
               "refused",   403,        "role: role read may not start jobs"};
  EXPECT_EQ(AuditJson(e, 1706745599123),
            "{\"type\":\"audit\",\"time\":\"2024-01-31T23:59:59.123Z\",\"who\":\"uid:65534\","
            "\"role\":\"read\",\"transport\":\"unix\",\"peer\":\"unix\",\"uid\":65534,"
            "\"method\":\"POST\",\"path\":\"/v1/jobs\",\"what\":\"restore prod --replace\","
            "\"result\":\"refused\",\"status\":403,\"reason\":\"role: role read may not start "
            "jobs\"}");
  vdibk::testing::TempDir dir;
  auto log = AuditLog::Open(dir.Join("nodir/audit.jsonl"));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace vdibk::coordinator
