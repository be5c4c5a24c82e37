// LoadTlsContext over a test PKI made with the openssl CLI: a certificate and its key load, with
// and without client CAs; a key of another certificate, a missing file and a file that is not
// PEM are configuration errors naming the file.
#include "agent/tls_context.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/harness/test_dirs.h"
#include "tests/integration/agent_test_tools.h"

namespace vdibk::coordinator {
namespace {

class AgentTlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(vdibk::testing::MakeTestCa(dir_.path(), "ca"), "");
    ASSERT_EQ(vdibk::testing::MakeTestCert(dir_.path(), "ca", "a", "agent", true), "");
    ASSERT_EQ(vdibk::testing::MakeTestCert(dir_.path(), "ca", "b", "other", true), "");
  }
  AgentTlsConfig Config(const std::string& cert, const std::string& key) {
    AgentTlsConfig t;
    t.cert_file = dir_.Join(cert);
    t.key_file = dir_.Join(key);
    return t;
  }
  vdibk::testing::TempDir dir_;
};

TEST_F(AgentTlsContextTest, ACertificateAndItsKeyLoadWithOrWithoutClientCas) {
  EXPECT_TRUE(LoadTlsContext(Config("a.crt", "a.key")).ok());
  AgentTlsConfig t = Config("a.crt", "a.key");
  t.client_ca_file = dir_.Join("ca.crt");
  t.require_client_cert = true;
  auto ctx = LoadTlsContext(t);
  ASSERT_TRUE(ctx.ok()) << ctx.status().message();
  EXPECT_EQ(SSL_CTX_get_verify_mode((*ctx)->native_handle()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST_F(AgentTlsContextTest, MismatchedMissingOrNonPemFilesAreConfigurationErrors) {
  auto r = LoadTlsContext(Config("a.crt", "b.key"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(r.status().message().find(dir_.Join("b.key")), std::string::npos);
  EXPECT_NE(r.status().message().find("mismatch"), std::string::npos) << r.status().message();
  r = LoadTlsContext(Config("missing.crt", "a.key"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dir_.Join("missing.crt")), std::string::npos);
  std::ofstream(dir_.Join("junk.pem")) << "not a certificate\n";
  r = LoadTlsContext(Config("junk.pem", "a.key"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot load the certificate chain"), std::string::npos);
  AgentTlsConfig t = Config("a.crt", "a.key");
  t.client_ca_file = dir_.Join("junk.pem");
  EXPECT_FALSE(LoadTlsContext(t).ok());
}

}  // namespace
}  // namespace vdibk::coordinator
