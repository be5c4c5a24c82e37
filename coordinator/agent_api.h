// AgentApi: the agent's HTTP routes, independent of the transport (agent_http.h):
// POST/GET /v1/jobs, GET/DELETE /v1/jobs/{id}, GET /metrics, /healthz, /readyz.
// Errors are JSON: {"error":"..."} with 400/404/405/409/503.
#ifndef VDIBK_COORDINATOR_AGENT_API_H_
#define VDIBK_COORDINATOR_AGENT_API_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "coordinator/agent_health.h"
#include "coordinator/agent_jobs.h"
#include "coordinator/agent_metrics.h"

namespace vdibk::coordinator {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and optional query
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A job's progress as JSON: state, seconds, bytes, bytes_per_second, mb_per_second,
// total_bytes (0 = unknown), eta_seconds (-1 = unknown), devices [{index, bytes, state}].
std::string ProgressJson(const JobProgress& progress);

// One job as JSON: id, kind, database, args, state, exit_code, times, elapsed_seconds, raw/
// compressed bytes (raw: the progress while running), the child's summary object, progress and
// its output tail.
std::string JobJson(const JobInfo& job);

// Thread-safe (it only calls thread-safe parts). `ready` runs the readiness probes (blocking).
class AgentApi {
 public:
  AgentApi(JobTable& jobs, AgentMetrics& metrics, const Heartbeat& heartbeat,
           std::function<std::vector<ReadyCheck>()> ready,
           std::chrono::milliseconds max_heartbeat_age = std::chrono::seconds(5));
  HttpResponse Handle(const HttpRequest& req);

 private:
  HttpResponse PostJob(const std::string& body);
  HttpResponse Healthz() const;
  HttpResponse Readyz();

  JobTable& jobs_;
  AgentMetrics& metrics_;
  const Heartbeat& heartbeat_;
  std::function<std::vector<ReadyCheck>()> ready_;
  std::chrono::milliseconds max_heartbeat_age_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_API_H_
