// AgentApi: the agent's HTTP routes, independent of the transport (agent_http.h):
// POST/GET /v1/jobs, GET/DELETE /v1/jobs/{id}, GET /metrics, /healthz, /readyz. Every route but
// /healthz and /readyz authenticates (agent_auth.h) and checks the role and the request policy
// (agent_policy.h); refusals are audit-logged and counted. Errors are JSON: {"error":"..."} with
// 400/401/403/404/405/409/503.
#ifndef VDIBK_AGENT_AGENT_API_H_
#define VDIBK_AGENT_AGENT_API_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/agent_metrics.h"
#include "agent/audit_log.h"
#include "agent/authenticator.h"
#include "agent/health.h"
#include "agent/http_request.h"
#include "agent/job_policy.h"
#include "agent/job_table.h"

namespace vdibk::coordinator {

// A job's progress as JSON: state, seconds, bytes, bytes_per_second, mb_per_second,
// total_bytes (0 = unknown), eta_seconds (-1 = unknown), devices [{index, bytes, state}].
std::string ProgressJson(const JobProgress& progress);

// One job as JSON: id, kind, database, args, state, exit_code, times, elapsed_seconds, raw/
// compressed bytes (raw: the progress while running), the child's summary object, progress and
// its output tail.
std::string JobJson(const JobInfo& job);

// What the API needs besides the job table: who may do what, and where decisions are recorded.
struct AgentGuards {
  const Authenticator& auth;
  const JobPolicy& policy;
  AuditLog& audit;
};

// Thread-safe (it only calls thread-safe parts). `ready` runs the readiness probes (blocking).
class AgentApi {
 public:
  AgentApi(JobTable& jobs, AgentMetrics& metrics, const Heartbeat& heartbeat,
           std::function<std::vector<ReadyCheck>()> ready, AgentGuards guards,
           std::chrono::milliseconds max_heartbeat_age = std::chrono::seconds(5));
  HttpResponse Handle(const HttpRequest& req);

 private:
  HttpResponse Authorized(const HttpRequest& req, const std::string& path, const Principal& who);
  HttpResponse PostJob(const HttpRequest& req, const Principal& who);
  HttpResponse DeleteJob(const HttpRequest& req, uint64_t id, const Principal& who);
  HttpResponse Healthz() const;
  HttpResponse Readyz();
  // Answers 403 with the refusal's message; audit-logs and counts it.
  HttpResponse Refuse(const HttpRequest& req, const Principal& who, const std::string& what,
                      const Refusal& refusal);
  void Audit(const HttpRequest& req, const Principal* who, const std::string& what,
             const std::string& result, int status, const std::string& reason);

  JobTable& jobs_;
  AgentMetrics& metrics_;
  const Heartbeat& heartbeat_;
  AgentGuards guards_;
  std::function<std::vector<ReadyCheck>()> ready_;
  std::chrono::milliseconds max_heartbeat_age_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_AGENT_API_H_
