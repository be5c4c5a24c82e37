// AgentConfig parsing: defaults, every field (security sections included), the agent's refusal
// of a non-loopback listener without authentication, and errors naming the line and the field.
#include "agent/config/agent_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

void ExpectError(const std::string& yaml, const std::string& needle) {
  Result<AgentConfig> c = ParseAgentConfig(yaml);
  ASSERT_FALSE(c.ok()) << yaml;
  EXPECT_EQ(c.status().code(), ErrorCode::kConfiguration);
  EXPECT_NE(c.status().message().find(needle), std::string::npos)
      << "'" << c.status().message() << "' lacks '" << needle << "'";
}

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
  EXPECT_EQ(c->http_max_connections, 64u);
  EXPECT_EQ(c->http_max_connections_per_peer, 16u);
  EXPECT_EQ(c->http_header_timeout_seconds, 10u);
  EXPECT_EQ(c->http_body_timeout_seconds, 10u);
  c = ParseAgentConfig(
      "repo: /r\nhttp:\n  max_connections: 3\n  request_timeout_seconds: 2\n"
      "tapes: [/dev/nst0]\ndefaults:\n  buffer_count: 12\n  max_transfer_size: 131072\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_max_connections, 3u);
  EXPECT_EQ(c->http_header_timeout_seconds, 2u);  // the older name sets both
  EXPECT_EQ(c->http_body_timeout_seconds, 2u);
  EXPECT_EQ(c->tapes, std::vector<std::string>{"/dev/nst0"});
  EXPECT_EQ(c->default_buffer_count, 12u);
  EXPECT_EQ(c->default_max_transfer_size, 131072u);
  EXPECT_EQ(c->default_worker_endpoint, "");
  c = ParseAgentConfig(
      "repo: /r\nhttp:\n  max_connections_per_peer: 4\n  header_timeout_seconds: 3\n"
      "  body_timeout_seconds: 5\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_max_connections_per_peer, 4u);
  EXPECT_EQ(c->http_header_timeout_seconds, 3u);
  EXPECT_EQ(c->http_body_timeout_seconds, 5u);
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

TEST(AgentConfigTest, ListenersAuthTlsPolicyAndAudit) {
  Result<AgentConfig> c = ParseAgentConfig(
      "repo: /r\nlisten: 0.0.0.0:8080\nlisten_tls: \"[::]:8443\"\n"
      "listen_unix: /run/vdibackup/agent.sock\nlisten_unix_mode: \"0666\"\n"
      "auth:\n  token_files:\n    - {path: /etc/t/cron, role: backup}\n"
      "    - {path: /etc/t/ops, role: admin, name: alice}\n"
      "  unix_uids:\n    0: admin\n    65534: read\n"
      "tls:\n  cert_file: /etc/tls/crt\n  key_file: /etc/tls/key\n  client_ca_file: /etc/tls/ca\n"
      "  require_client_cert: true\n  client_roles: {backup-cron: backup}\n"
      "policy:\n  databases: [sales]\n  move_roots: [/var/opt/mssql/data]\n"
      "  target_roots: [/mnt/t]\n  repo_roots: [/srv]\n  backup_may_restore_copies: true\n"
      "audit_log: /var/log/vdibackup/audit.jsonl\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tls_host, "::");
  EXPECT_EQ(c->tls_port, 8443);
  EXPECT_EQ(c->unix_path, "/run/vdibackup/agent.sock");
  EXPECT_EQ(c->unix_mode, 0666u);
  ASSERT_EQ(c->token_files.size(), 2u);
  EXPECT_EQ(c->token_files[0].name, "cron");  // the file's name
  EXPECT_EQ(c->token_files[0].role, AgentRole::kBackup);
  EXPECT_EQ(c->token_files[1].name, "alice");
  EXPECT_EQ(c->unix_uids.at(65534), AgentRole::kRead);
  EXPECT_TRUE(c->tls.require_client_cert);
  EXPECT_EQ(c->tls.client_roles.at("backup-cron"), AgentRole::kBackup);
  EXPECT_EQ(c->policy.databases, std::vector<std::string>{"sales"});
  EXPECT_EQ(c->policy.move_roots, std::vector<std::string>{"/var/opt/mssql/data"});
  EXPECT_TRUE(c->policy.backup_may_restore_copies);
  EXPECT_EQ(c->audit_log, "/var/log/vdibackup/audit.jsonl");
  c = ParseAgentConfig("repo: /r\nlisten: off\nlisten_unix: /run/a.sock\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->listen_enabled);
}

// The agent's start-up check on a parsed config: the parser takes such files (doctor reads them).
Status ListenCheck(const std::string& yaml) {
  Result<AgentConfig> c = ParseAgentConfig(yaml);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? CheckListenersAuthenticated(*c) : c.status();
}

TEST(AgentConfigTest, NonLoopbackListenersNeedAuthentication) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.3.2.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.1.2.3"));
  EXPECT_TRUE(ListenCheck("repo: /r\n").ok());
  Status st = ListenCheck("repo: /r\nlisten: 0.0.0.0:8080\n");
  EXPECT_EQ(st.code(), ErrorCode::kConfiguration);
  EXPECT_NE(st.message().find(
                "listen: 0.0.0.0 is not a loopback address and no authentication is configured"),
            std::string::npos)
      << st.message();
  st = ListenCheck(
      "repo: /r\nlisten: \"[::]:8080\"\nlisten_unix: /run/a.sock\n"
      "auth:\n  unix_uids: {0: admin}\n");
  EXPECT_NE(st.message().find("listen: :: is not a loopback address"), std::string::npos);
  // Client certificates authenticate TLS only: plain HTTP still needs tokens.
  const std::string tls =
      "listen_tls: 0.0.0.0:8443\ntls:\n  cert_file: /c\n  key_file: /k\n  client_ca_file: /ca\n"
      "  client_roles: {ops: admin}\n";
  EXPECT_TRUE(ListenCheck("repo: /r\n" + tls).ok());
  st = ListenCheck("repo: /r\nlisten: 0.0.0.0:8080\n" + tls);
  EXPECT_NE(st.message().find("listen: 0.0.0.0 is not a loopback"), std::string::npos);
  st = ListenCheck("repo: /r\nlisten_tls: 0.0.0.0:8443\ntls:\n  cert_file: /c\n  key_file: /k\n");
  EXPECT_NE(st.message().find("listen_tls: 0.0.0.0 is not a loopback"), std::string::npos);
  EXPECT_TRUE(ListenCheck("repo: /r\nlisten: 0.0.0.0:8080\nauth:\n  token_files:\n"
                          "    - {path: /t, role: read}\n")
                  .ok());
}

TEST(AgentConfigTest, SecurityErrorsNameTheField) {
  ExpectError("repo: /r\nauth:\n  token_files:\n    - {path: t, role: read}\n",
              "line 4: auth.token_files.path: must be an absolute path");
  ExpectError("repo: /r\nauth:\n  token_files:\n    - {path: /t, role: root}\n",
              "auth.token_files.role: must be read, backup or admin, got 'root'");
  ExpectError("repo: /r\nauth:\n  token_files:\n    - {path: /t}\n", "needs path and role");
  ExpectError(
      "repo: /r\nauth:\n  token_files:\n    - {path: /a/t, role: read}\n"
      "    - {path: /b/t, role: admin}\n",
      "name 't' given twice");
  ExpectError("repo: /r\nauth:\n  unix_uids: {nobody: read}\n", "auth.unix_uids: must be a whole");
  ExpectError("repo: /r\nauth:\n  unix_uids: {0: admin}\n", "there is no listen_unix");
  ExpectError("repo: /r\nlisten_tls: 127.0.0.1:0\n", "needs tls.cert_file and tls.key_file");
  ExpectError("repo: /r\ntls:\n  cert_file: /c\n", "there is no listen_tls");
  ExpectError(
      "repo: /r\nlisten_tls: 127.0.0.1:0\ntls:\n  cert_file: /c\n  key_file: /k\n"
      "  require_client_cert: true\n",
      "need tls.client_ca_file");
  ExpectError("repo: /r\ntls:\n  require_client_cert: yes\n", "must be true or false");
  ExpectError("repo: /r\npolicy:\n  move_roots: [data]\n", "policy.move_roots: must be an abs");
  ExpectError("repo: /r\npolicy:\n  roots: [/d]\n", "line 3: policy.roots: unknown field");
  ExpectError("repo: /r\nlisten_unix_mode: \"0999\"\n", "listen_unix_mode: must be an octal");
  ExpectError("repo: /r\nlisten_unix_mode: \"0066\"\n", "the owner needs read and write");
  ExpectError("repo: /r\nlisten: off\n", "neither listen_tls nor listen_unix");
  ExpectError("repo: /r\naudit_log: audit.jsonl\n", "audit_log: must be an absolute path");
}

TEST(AgentConfigTest, PortZeroAndIpv6) {
  Result<AgentConfig> c = ParseAgentConfig("listen: \"[::1]:0\"\nrepo: /r\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 0);
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
