// AgentConfig: the YAML configuration file of `vdibackup agent` (listen address, repo, SQL
// endpoint, per-job defaults, shutdown grace) and its parser.
#ifndef VDIBK_COORDINATOR_AGENT_CONFIG_H_
#define VDIBK_COORDINATOR_AGENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct AgentConfig {
  std::string listen_host = "127.0.0.1";   // listen: HOST:PORT (default 127.0.0.1:8080)
  uint16_t listen_port = 8080;             // 0 = any free port (printed on the readiness line)
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
  uint32_t grace_seconds = 30;                 // grace_seconds: SIGTERM waits this long for jobs
  std::vector<std::string> tapes;              // tapes: devices `vdibackup doctor --config` checks
  uint32_t http_max_connections = 16;          // http.max_connections: sessions served at once
  uint32_t http_request_timeout_seconds = 10;  // http.request_timeout_seconds: per request
};

// Parses the YAML text of a config file. Unknown keys, wrong types and out-of-range values are
// errors. Errors: kConfiguration naming the field and its line ("line 3: listen: ...").
Result<AgentConfig> ParseAgentConfig(const std::string& yaml_text);

// Reads and parses `path`. Errors: kConfiguration (unreadable file, or as ParseAgentConfig).
Result<AgentConfig> LoadAgentConfig(const std::string& path);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_CONFIG_H_
