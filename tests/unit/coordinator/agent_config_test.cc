// AgentConfig parsing: defaults, every field, and errors naming the line and the field.
#include "coordinator/agent_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

TEST(AgentConfigTest, MinimalConfigTakesDefaults) {
  Result<AgentConfig> c = ParseAgentConfig("repo: /srv/repo\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->repo, "/srv/repo");
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->grace_seconds, 30u);
  EXPECT_EQ(c->default_devices, 0u);
  EXPECT_TRUE(c->server.empty());
}

TEST(AgentConfigTest, EveryField) {
  Result<AgentConfig> c = ParseAgentConfig(
      "listen: 0.0.0.0:9100\nrepo: /r\nserver: ipc:///tmp/s.sock\nsqlcmd: /opt/sqlcmd\n"
      "defaults:\n  devices: 4\n  workers: 2\ngrace_seconds: 7\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9100);
  EXPECT_EQ(c->server, "ipc:///tmp/s.sock");
  EXPECT_EQ(c->sqlcmd, "/opt/sqlcmd");
  EXPECT_EQ(c->default_devices, 4u);
  EXPECT_EQ(c->default_workers, 2u);
  EXPECT_EQ(c->grace_seconds, 7u);
}

TEST(AgentConfigTest, HttpLimitsTapesAndTransferDefaults) {
  Result<AgentConfig> c = ParseAgentConfig("repo: /r\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->http_max_connections, 16u);
  EXPECT_EQ(c->http_request_timeout_seconds, 10u);
  c = ParseAgentConfig(
      "repo: /r\nhttp:\n  max_connections: 3\n  request_timeout_seconds: 2\n"
      "tapes: [/dev/nst0]\ndefaults:\n  buffer_count: 12\n  max_transfer_size: 131072\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_max_connections, 3u);
  EXPECT_EQ(c->http_request_timeout_seconds, 2u);
  EXPECT_EQ(c->tapes, std::vector<std::string>{"/dev/nst0"});
  EXPECT_EQ(c->default_buffer_count, 12u);
  EXPECT_EQ(c->default_max_transfer_size, 131072u);
  EXPECT_EQ(c->default_worker_endpoint, "");
  c = ParseAgentConfig("repo: /r\ndefaults:\n  worker_endpoint: ipc:///run/w/hub\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->default_worker_endpoint, "ipc:///run/w/hub");
  for (const char* bad :
       {"http:\n  max_connections: 0\n", "http:\n  colour: 1\n", "http: 5\n", "tapes: /dev/nst0\n",
        "tapes: [nst0]\n", "defaults:\n  max_transfer_size: 65537\n",
        "defaults:\n  max_transfer_size: 8388608\n", "defaults:\n  worker_endpoint: tcp://x:1\n"}) {
    Result<AgentConfig> b = ParseAgentConfig(std::string("repo: /r\n") + bad);
    EXPECT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.status().code(), ErrorCode::kConfiguration) << bad;
    EXPECT_NE(b.status().message().find("line "), std::string::npos) << b.status().message();
  }
}

TEST(AgentConfigTest, PortZeroAndIpv6) {
  Result<AgentConfig> c = ParseAgentConfig("listen: \"[::1]:0\"\nrepo: /r\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 0);
}

void ExpectError(const std::string& yaml, const std::string& needle) {
  Result<AgentConfig> c = ParseAgentConfig(yaml);
  ASSERT_FALSE(c.ok()) << yaml;
  EXPECT_EQ(c.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(c.status().message().find(needle), std::string::npos)
      << "'" << c.status().message() << "' lacks '" << needle << "'";
}

TEST(AgentConfigTest, ErrorsNameLineAndField) {
  ExpectError("repo: /r\nlisten: nowhere\n", "line 2: listen");
  ExpectError("repo: /r\nlisten: 1.2.3.4:99999\n", "line 2: listen");
  ExpectError("repo: /r\n\ncolour: blue\n", "line 3: colour: unknown field");
  ExpectError("repo: /r\ndefaults:\n  devices: many\n", "line 3: defaults.devices");
  ExpectError("repo: /r\ndefaults:\n  devices: 0\n", "defaults.devices: must be in 1..64");
  ExpectError("repo: /r\ndefaults:\n  threads: 2\n", "line 3: defaults.threads: unknown field");
  ExpectError("repo: /r\ngrace_seconds: -1\n", "line 2: grace_seconds");
  ExpectError("repo: [a, b]\n", "line 1: repo: must be a string");
  ExpectError("listen: 127.0.0.1:1\n", "repo: required");
  ExpectError("repo: relative/dir\n", "repo: required, an absolute");
  ExpectError("repo: /r\nlisten: [unclosed\n", "line ");  // YAML syntax error
  ExpectError("", "repo: required");
}

TEST(AgentConfigTest, LoadNamesTheFile) {
  vdibk::testing::TempDir dir;
  const std::string path = dir.Join("agent.yaml");
  std::ofstream(path) << "repo: /r\nbogus: 1\n";
  Result<AgentConfig> c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path + ": line 2: bogus"), std::string::npos)
      << c.status().message();
  EXPECT_FALSE(LoadAgentConfig(dir.Join("missing.yaml")).ok());
}

}  // namespace
}  // namespace vdibk::coordinator
