// AgentConfig: the YAML configuration file of `vdibackup agent` (listeners, repo, SQL endpoint,
// per-job defaults, HTTP limits, authentication, TLS, request policy, shutdown grace) and its
// parser.
#ifndef VDIBK_AGENT_CONFIG_AGENT_CONFIG_H_
#define VDIBK_AGENT_CONFIG_AGENT_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// What a caller may do: read = list/get jobs and metrics; backup = read + start backups and
// cancel its own jobs; admin = everything (restores, cancelling any job).
enum class AgentRole { kRead = 1, kBackup = 2, kAdmin = 3 };
const char* AgentRoleName(AgentRole role);  // "read", "backup", "admin"

// auth.token_files[]: a file holding one bearer token (surrounding whitespace ignored).
struct TokenFileConfig {
  std::string path;  // absolute
  AgentRole role = AgentRole::kRead;
  std::string name;  // who the audit log names ("token:NAME"); default: the file's name
};

// tls: the certificate of listen_tls and the optional client certificates (mTLS).
struct AgentTlsConfig {
  std::string cert_file;             // PEM chain (required with listen_tls)
  std::string key_file;              // PEM private key (required with listen_tls)
  std::string client_ca_file;        // PEM CAs: client certificates are asked for and verified
  bool require_client_cert = false;  // true: a handshake without a valid client cert fails
  std::map<std::string, AgentRole> client_roles;  // verified client cert's subject CN -> role
};

// policy: what a job request may ask for (docs/agent.md "Request policy").
struct AgentPolicyConfig {
  std::vector<std::string> databases;      // allowed databases (and --as names); empty = any
  std::vector<std::string> move_roots;     // --move LOGICAL=PATH: PATH inside one of these
  std::vector<std::string> target_roots;   // backup --target DIR: DIR inside one of these
  std::vector<std::string> repo_roots;     // --repo DIR: DIR inside one of these
  bool backup_may_restore_copies = false;  // backup role: restores under a new name (--as)
};

struct AgentConfig {
  bool listen_enabled = true;             // listen: off = no plain HTTP listener
  std::string listen_host = "127.0.0.1";  // listen: HOST:PORT (default 127.0.0.1:8080)
  uint16_t listen_port = 8080;            // 0 = any free port (printed on the readiness line)
  std::string tls_host;                   // listen_tls: HOST:PORT ("" = no TLS listener)
  uint16_t tls_port = 0;
  std::string unix_path;                   // listen_unix: socket path ("" = none)
  uint32_t unix_mode = 0660;               // listen_unix_mode: the socket file's mode
  std::string repo;                        // repo: (required) passed as --repo to every job
  std::string server;                      // server: passed as --server ("" = the CLI default)
  std::string sqlcmd;                      // sqlcmd: passed as --sqlcmd ("" = the CLI default)
  uint32_t default_devices = 0;            // defaults.devices: --devices unless a job sets it
  uint32_t default_workers = 0;            // defaults.workers: --workers unless a job sets it
  uint32_t default_buffer_count = 0;       // defaults.buffer_count: --buffer-count (backups)
  uint32_t default_max_transfer_size = 0;  // defaults.max_transfer_size: --max-transfer-size
  // defaults.worker_endpoint: --worker-endpoint (workers launched by a supervisor, e.g.
  // vdibackup-worker@.service or compose's worker services); "" = jobs spawn their workers.
  std::string default_worker_endpoint;
  uint32_t grace_seconds = 30;                  // grace_seconds: SIGTERM waits this long for jobs
  std::vector<std::string> tapes;               // tapes: devices `vdibackup doctor --config` checks
  uint32_t http_max_connections = 64;           // http.max_connections: open connections
  uint32_t http_max_connections_per_peer = 16;  // http.max_connections_per_peer: per address/uid
  uint32_t http_header_timeout_seconds = 10;    // http.header_timeout_seconds: request line+headers
  uint32_t http_body_timeout_seconds = 10;      // http.body_timeout_seconds: the body after them
  std::vector<TokenFileConfig> token_files;     // auth.token_files
  std::map<uint32_t, AgentRole> unix_uids;      // auth.unix_uids: peer uid -> role (listen_unix)
  AgentTlsConfig tls;                           // tls
  AgentPolicyConfig policy;                     // policy
  std::string audit_log;                        // audit_log: JSON lines file ("" = stderr)
};

// Whether requests over TCP can be authenticated at all (tokens, or mapped client certificates
// on the TLS listener).
bool TcpAuthConfigured(const AgentConfig& c);
// The agent's start-up rule (not the parser's, so `vdibackup doctor --config` still checks such
// a file): `listen` beyond loopback needs auth.token_files, `listen_tls` beyond loopback needs
// them or tls.client_roles. Errors: kConfiguration naming the listener.
Status CheckListenersAuthenticated(const AgentConfig& c);
// Whether `host` (an IP address) is a loopback address (127.0.0.0/8, ::1).
bool IsLoopbackHost(const std::string& host);

// Parses the YAML text of a config file. Unknown keys, wrong types and out-of-range values are
// errors. Errors: kConfiguration naming the field and its line ("line 3: listen: ...").
Result<AgentConfig> ParseAgentConfig(const std::string& yaml_text);

// Reads and parses `path`. Errors: kConfiguration (unreadable file, or as ParseAgentConfig).
Result<AgentConfig> LoadAgentConfig(const std::string& path);

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_CONFIG_AGENT_CONFIG_H_
