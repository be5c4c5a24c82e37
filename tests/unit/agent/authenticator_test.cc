// Authenticator over token files in a temporary directory: bearer tokens and their roles, bad
// and missing credentials, Unix peer uids and TLS client certificate names, token files that
// are refused, and a reload that rotates a token.
#include "agent/authenticator.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

class AgentAuthTest : public ::testing::Test {
 protected:
  std::string Token(const std::string& name, const std::string& text) {
    const std::string path = dir_.Join(name);
    std::ofstream(path) << text;
    return path;
  }
  HttpRequest Request(const std::string& authorization) {
    return HttpRequest{"GET", "/v1/jobs", "", authorization, {}};
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(AgentAuthTest, BearerTokensCarryTheirFilesRole) {
  AgentConfig c;
  c.token_files = {{Token("cron", "  cron-token-0123456789\n"), AgentRole::kBackup, "cron"},
                   {Token("ops", "ops-token-0123456789"), AgentRole::kAdmin, "ops"}};
  auto a = Authenticator::Create(c);
  ASSERT_TRUE(a.ok()) << a.status().message();
  AuthOutcome o = (*a)->Authenticate(Request("Bearer cron-token-0123456789"));
  ASSERT_TRUE(o.principal);
  EXPECT_EQ(o.principal->name, "token:cron");
  EXPECT_EQ(o.principal->role, AgentRole::kBackup);
  o = (*a)->Authenticate(Request("bearer ops-token-0123456789"));
  ASSERT_TRUE(o.principal);
  EXPECT_EQ(o.principal->role, AgentRole::kAdmin);
  for (const auto& [header, reason] : std::vector<std::pair<std::string, std::string>>{
           {"Bearer cron-token-012345678", "invalid_token"},  // a prefix
           {"Bearer cron-token-01234567890", "invalid_token"},
           {"Bearer ", "invalid_token"},
           {"Basic Y3Jvbjp4", "bad_header"},
           {"cron-token-0123456789", "bad_header"},
           {"", "no_credentials"}}) {
    o = (*a)->Authenticate(Request(header));
    EXPECT_FALSE(o.principal) << header;
    EXPECT_EQ(o.status, 401) << header;
    EXPECT_EQ(o.reason, reason) << header;
  }
}

TEST_F(AgentAuthTest, UnixUidsAndClientCertificatesMapToRoles) {
  AgentConfig c;
  c.unix_uids = {{0, AgentRole::kAdmin}, {65534, AgentRole::kRead}};
  c.tls.client_roles = {{"backup-cron", AgentRole::kBackup}};
  auto a = Authenticator::Create(c);
  ASSERT_TRUE(a.ok());
  HttpRequest r = Request("");
  r.peer.transport = Transport::kUnix;
  r.peer.uid = 65534;
  AuthOutcome o = (*a)->Authenticate(r);
  ASSERT_TRUE(o.principal);
  EXPECT_EQ(o.principal->name, "uid:65534");
  EXPECT_EQ(o.principal->role, AgentRole::kRead);
  r.peer.uid = 1000;
  o = (*a)->Authenticate(r);
  EXPECT_FALSE(o.principal);
  EXPECT_EQ(o.status, 403);
  EXPECT_EQ(o.message, "uid 1000 has no role");
  r.authorization = "Bearer whatever-token-0123456";  // a header decides alone
  EXPECT_EQ((*a)->Authenticate(r).reason, "invalid_token");
  HttpRequest t = Request("");
  t.peer.transport = Transport::kTls;
  t.peer.client_cn = "backup-cron";
  o = (*a)->Authenticate(t);
  ASSERT_TRUE(o.principal);
  EXPECT_EQ(o.principal->name, "cert:backup-cron");
  EXPECT_EQ(o.principal->role, AgentRole::kBackup);
  t.peer.client_cn = "someone";
  o = (*a)->Authenticate(t);
  EXPECT_EQ(o.status, 403);
  EXPECT_EQ(o.reason, "unknown_cert");
}

TEST_F(AgentAuthTest, ShortSharedOrMissingTokensAreConfigurationErrors) {
  AgentConfig c;
  c.token_files = {{Token("short", "abc\n"), AgentRole::kRead, "short"}};
  auto a = Authenticator::Create(c);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(a.status().message().find("shorter than 16"), std::string::npos);
  c.token_files = {{Token("a", "same-token-0123456789"), AgentRole::kRead, "a"},
                   {Token("b", "same-token-0123456789\n"), AgentRole::kAdmin, "b"}};
  a = Authenticator::Create(c);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("same token"), std::string::npos) << a.status().message();
  c.token_files = {{dir_.Join("missing"), AgentRole::kRead, "m"}};
  EXPECT_FALSE(Authenticator::Create(c).ok());
  c.token_files = {{Token("sp", "two words-0123456789"), AgentRole::kRead, "sp"}};
  EXPECT_FALSE(Authenticator::Create(c).ok());
}

TEST_F(AgentAuthTest, ReloadRotatesTokensAndKeepsThemOnError) {
  AgentConfig c;
  const std::string path = Token("cron", "first-token-0123456789");
  c.token_files = {{path, AgentRole::kBackup, "cron"}};
  auto a = Authenticator::Create(c);
  ASSERT_TRUE(a.ok());
  Token("cron", "second-token-0123456789");
  ASSERT_TRUE((*a)->Reload().ok());
  EXPECT_FALSE((*a)->Authenticate(Request("Bearer first-token-0123456789")).principal);
  EXPECT_TRUE((*a)->Authenticate(Request("Bearer second-token-0123456789")).principal);
  Token("cron", "short");
  EXPECT_FALSE((*a)->Reload().ok());
  EXPECT_TRUE((*a)->Authenticate(Request("Bearer second-token-0123456789")).principal);
}

}  // namespace
}  // namespace vdibk::coordinator
