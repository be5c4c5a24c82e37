// Fuzz target: the agent's JSON inputs without sockets: a POST /v1/jobs body through AgentApi (as
// the HTTP server calls it) and a child's progress/summary lines. Invariants: the answer is 201
// exactly when an independent check accepts the request; every response body is strict JSON.
#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_api.h"
#include "agent/audit_log.h"
#include "agent/authenticator.h"
#include "agent/job_policy.h"
#include "shared/base/json_check.h"
#include "proto/agent.pb.h"
#include "tests/fuzz/fuzz_support.h"

namespace vdibk::coordinator {
namespace {

// Jobs are only queued (nothing calls Tick): no child is ever started.
class NoLauncher final : public JobLauncher {
 public:
  Result<std::unique_ptr<JobProcess>> Launch(const std::vector<std::string>&) override {
    return Status::Configuration("fuzz: no child processes");
  }
};

// What JobTable::Submit's contract accepts (agent/job_table.h), computed apart from it.
bool Acceptable(const agent::JobRequest& req) {
  if (req.kind() != "backup" && req.kind() != "restore") return false;
  if (!IsSafeDatabaseName(req.database()) || req.args_size() > 64) return false;
  for (const std::string& a : req.args()) {
    if (a.size() > 4096 || a.find('\0') != std::string::npos || IsConfigOwnedOption(a)) {
      return false;
    }
  }
  return true;
}

constexpr const char* kAdminToken = "fuzz-admin-token-0123456789";

// The guards every request passes: one admin token, the default policy, no audit file.
struct Guards {
  Guards() {
    char dir[] = "/tmp/vdibk-fuzz-XXXXXX";
    const std::string base = mkdtemp(dir) ? dir : "/tmp";
    AgentConfig c;
    c.token_files.push_back({base + "/admin.token", AgentRole::kAdmin, "admin"});
    std::ofstream(c.token_files[0].path) << kAdminToken << "\n";
    auth = Authenticator::Create(c).value();
    std::filesystem::remove_all(base);
    audit = AuditLog::Open("/dev/null").value();
  }
  std::unique_ptr<Authenticator> auth;
  JobPolicy policy{AgentPolicyConfig{}};
  std::unique_ptr<AuditLog> audit;
};

Guards& TheGuards() {
  static Guards g;
  return g;
}

HttpResponse Call(AgentApi& api, const char* method, const std::string& target,
                  const std::string& body = {}) {
  HttpRequest req{method, target, body, std::string("Bearer ") + kAdminToken, {}};
  req.peer.address = "127.0.0.1:1";
  HttpResponse r = api.Handle(req);
  FUZZ_CHECK(r.content_type == "application/json", "content type " + r.content_type);
  FUZZ_CHECK(IsJsonText(r.body), std::string(method) + " " + target + ": " + r.body);
  return r;
}

void FuzzPost(const std::string& body) {
  NoLauncher launcher;
  AgentConfig config;
  config.repo = "/var/lib/vdibackup/repo";
  JobTable jobs(config, "/usr/bin/vdibackup", launcher, nullptr);
  AgentMetrics metrics;
  Heartbeat heartbeat;
  Guards& g = TheGuards();
  AgentApi api(
      jobs, metrics, heartbeat, [] { return std::vector<ReadyCheck>{}; },
      AgentGuards{*g.auth, g.policy, *g.audit});

  const HttpResponse r = Call(api, "POST", "/v1/jobs", body);
  agent::JobRequest req;
  const bool parsed = google::protobuf::util::JsonStringToMessage(
                          body, &req, google::protobuf::util::JsonParseOptions())
                          .ok();
  // 201 exactly for a request that is well formed (checked here, apart from JobTable) and that
  // the request policy lets the admin start; a policy refusal is 403, anything else 400.
  const bool acceptable = parsed && Acceptable(req);
  const bool allowed =
      acceptable && !g.policy.CheckSubmit(Principal{"token:admin", AgentRole::kAdmin}, req.kind(),
                                          req.database(), {req.args().begin(), req.args().end()});
  const int expected = allowed ? 201 : acceptable ? 403 : (r.status == 403 && parsed ? 403 : 400);
  FUZZ_CHECK(r.status == expected,
             "status " + std::to_string(r.status) + " for " + body + ": " + r.body);
  if (!allowed) {
    FUZZ_CHECK(r.body.rfind("{\"error\":", 0) == 0, "a refusal without an error: " + r.body);
    return;
  }
  // The request survives protobuf's JSON printer and parser unchanged.
  std::string printed;
  FUZZ_CHECK(google::protobuf::util::MessageToJsonString(req, &printed).ok(), "print");
  agent::JobRequest reparsed;
  FUZZ_CHECK(google::protobuf::util::JsonStringToMessage(printed, &reparsed).ok() &&
                 reparsed.SerializeAsString() == req.SerializeAsString(),
             "a request changed through JSON: " + printed);
  // One job per database: the same request again conflicts until the first is cancelled.
  FUZZ_CHECK(Call(api, "POST", "/v1/jobs", body).status == 409, "a second job of one database");
  FUZZ_CHECK(Call(api, "GET", "/v1/jobs/1").status == 200, "GET of the job just queued");
  FUZZ_CHECK(Call(api, "GET", "/v1/jobs").status == 200, "GET /v1/jobs");
  FUZZ_CHECK(Call(api, "DELETE", "/v1/jobs/1").status == 200, "DELETE of a queued job");
  FUZZ_CHECK(Call(api, "POST", "/v1/jobs", body).status == 201, "a job after a cancelled one");
}

// A child's output: its progress line and its final --json summary line, as the agent shows them.
void FuzzChildOutput(const std::string& text) {
  AgentMetrics metrics;
  if (std::optional<JobProgress> p = ParseProgressLine(text)) {
    JobInfo job;
    job.kind = "backup";
    job.state = JobState::kRunning;
    job.progress = *p;
    FUZZ_CHECK(IsJsonText(JobJson(job)), "a job with this progress: " + JobJson(job));
    metrics.UpdateLive(job, *p);
  }
  for (const char* kind : {"backup", "restore"}) {
    if (std::optional<JobSummary> s = ParseJobSummary(kind, text)) {
      FUZZ_CHECK(text.find(s->json) != std::string::npos,
                 "the summary is not a line of the output");
      JobInfo job;
      job.kind = kind;
      job.state = JobState::kSucceeded;
      job.exit_code = 0;
      job.summary = *s;
      FUZZ_CHECK(IsJsonText(JobJson(job)), "a job with this summary: " + JobJson(job));
      metrics.RecordJob(job);
    }
  }
  (void)metrics.Render(0);
}

}  // namespace
}  // namespace vdibk::coordinator

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  vdibk::coordinator::FuzzPost(text);
  vdibk::coordinator::FuzzChildOutput(text);
  return 0;
}

// Requests as docs/agent.md shows them, and the child's progress and summary lines.
std::vector<std::string> FuzzSeeds() {
  return {
      R"({"kind":"backup","database":"SalesDb","args":["--devices","4","--type","log"]})",
      R"({"kind":"restore","database":"SalesDb","args":["--set","latest","--as","Sales_copy"]})",
      R"({"kind":"backup","database":"db","args":["--repo","/tmp"]})",
      R"({"kind":"restore","database":"x.y-z_1"})",
      R"({"type":"progress","state":"writing","seconds":1.5,"bytes":1048576,)"
      R"("bytes_per_second":699050.6,"mb_per_second":0.699,"total_bytes":4194304,)"
      R"("eta_seconds":4.5,"devices":[{"index":0,"bytes":1048576,"state":"W"}]})",
      "starting\n"
      R"({"status":"ok","database":"SalesDb","set_name":"20240101T000000Z-full",)"
      R"("raw_bytes":4194304,"compressed_bytes":1048576,"seconds":2.5,)"
      R"("devices":[{"index":0,"device":"v0","raw_bytes":4194304,"compressed_bytes":1048576}]})"
      "\n",
      R"({"status":"error","code":7,"error":"sql_error","message":"Msg 3013"})",
  };
}
