// The agent's HTTP routes: request JSON parsed with protobuf's JSON utility, responses built
// with the escaping of shared/base/json_text.h.
#include "agent/agent_api.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>

#include "proto/agent.pb.h"
#include "shared/base/json_text.h"

namespace vdibk::coordinator {
namespace {

HttpResponse Error(int status, const std::string& message) {
  return {status, "application/json", "{\"error\":" + JsonString(message) + "}\n", {}};
}

// "/v1/jobs/17" -> 17; nullopt for anything else.
std::optional<uint64_t> JobId(const std::string& path) {
  const std::string prefix = "/v1/jobs/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string id = path.substr(prefix.size());
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(id);
}

}  // namespace

std::string ProgressJson(const JobProgress& p) {
  std::string out = "{\"state\":" + JsonString(p.state) + ",\"seconds\":" + JsonNumber(p.seconds) +
                    ",\"bytes\":" + std::to_string(p.bytes) +
                    ",\"bytes_per_second\":" + JsonNumber(p.bytes_per_second) +
                    ",\"mb_per_second\":" + JsonNumber(p.bytes_per_second / 1e6) +
                    ",\"total_bytes\":" + std::to_string(p.total_bytes) +
                    ",\"eta_seconds\":" + JsonNumber(p.eta_seconds) + ",\"devices\":[";
  for (size_t i = 0; i < p.devices.size(); ++i) {
    const JobProgress::Device& d = p.devices[i];
    out += std::string(i ? "," : "") + "{\"index\":" + std::to_string(d.index) +
           ",\"bytes\":" + std::to_string(d.bytes) + ",\"state\":" + JsonString(d.state) + "}";
  }
  return out + "]}";
}

std::string JobJson(const JobInfo& j) {
  std::string out = "{\"id\":" + std::to_string(j.id) + ",\"kind\":" + JsonString(j.kind) +
                    ",\"database\":" + JsonString(j.database) + ",\"args\":[";
  for (size_t i = 0; i < j.args.size(); ++i) out += (i ? "," : "") + JsonString(j.args[i]);
  out += "],\"owner\":" + JsonString(j.owner) + ",\"state\":" + JsonString(JobStateName(j.state)) +
         ",\"cancel_requested\":" + (j.cancel_requested ? "true" : "false") +
         ",\"exit_code\":" + (j.exit_code ? std::to_string(*j.exit_code) : "null") +
         ",\"created_unix_ms\":" + std::to_string(j.created_unix_ms) +
         ",\"started_unix_ms\":" + std::to_string(j.started_unix_ms) +
         ",\"finished_unix_ms\":" + std::to_string(j.finished_unix_ms) +
         ",\"elapsed_seconds\":" + JsonNumber(j.elapsed_seconds);
  if (j.summary) {
    out += ",\"raw_bytes\":" + std::to_string(j.summary->raw_bytes) +
           ",\"compressed_bytes\":" + std::to_string(j.summary->compressed_bytes) +
           ",\"summary\":" + j.summary->json;  // validated JSON (it parsed)
  } else if (j.progress) {  // running (or ended without a summary): the bytes so far
    out += ",\"raw_bytes\":" + std::to_string(j.progress->bytes) +
           ",\"compressed_bytes\":null,\"summary\":null";
  } else {
    out += ",\"raw_bytes\":null,\"compressed_bytes\":null,\"summary\":null";
  }
  out += ",\"progress\":" + (j.progress ? ProgressJson(*j.progress) : std::string("null"));
  return out + ",\"output_tail\":" + JsonString(j.output_tail) + "}";
}

AgentApi::AgentApi(JobTable& jobs, AgentMetrics& metrics, const Heartbeat& heartbeat,
                   std::function<std::vector<ReadyCheck>()> ready, AgentGuards guards,
                   std::chrono::milliseconds max_heartbeat_age)
    : jobs_(jobs),
      metrics_(metrics),
      heartbeat_(heartbeat),
      guards_(guards),
      ready_(std::move(ready)),
      max_heartbeat_age_(max_heartbeat_age) {}

void AgentApi::Audit(const HttpRequest& req, const Principal* who, const std::string& what,
                     const std::string& result, int status, const std::string& reason) {
  AuditEntry e;
  e.who = who ? who->name : "-";
  e.role = who ? AgentRoleName(who->role) : "";
  e.peer = req.peer;
  e.method = req.method;
  e.path = req.target.substr(0, req.target.find('?'));
  e.what = what;
  e.result = result;
  e.status = status;
  e.reason = reason;
  guards_.audit.Write(e);
}

HttpResponse AgentApi::Refuse(const HttpRequest& req, const Principal& who, const std::string& what,
                              const Refusal& refusal) {
  metrics_.RecordRefused(refusal.reason);
  Audit(req, &who, what, "refused", 403, refusal.reason + ": " + refusal.message);
  return Error(403, refusal.message);
}

HttpResponse AgentApi::PostJob(const HttpRequest& http, const Principal& who) {
  agent::JobRequest req;
  google::protobuf::util::JsonParseOptions opts;  // unknown fields are errors
  const auto st = google::protobuf::util::JsonStringToMessage(http.body, &req, opts);
  if (!st.ok()) return Error(400, "bad job request: " + std::string(st.message()));
  const std::vector<std::string> args(req.args().begin(), req.args().end());
  std::string what = req.kind() + " " + req.database();
  for (const std::string& a : args) what += " " + a;
  if (auto refusal = guards_.policy.CheckSubmit(who, req.kind(), req.database(), args)) {
    return Refuse(http, who, what, *refusal);
  }
  auto r = jobs_.Submit(req.kind(), req.database(), args, who.name);
  if (auto* f = std::get_if<SubmitFailure>(&r)) {
    const int status = f->error == SubmitError::kConflict       ? 409
                       : f->error == SubmitError::kShuttingDown ? 503
                                                                : 400;
    Audit(http, &who, what, "failed", status, f->message);
    return Error(status, f->message);
  }
  const JobInfo& job = std::get<JobInfo>(r);
  Audit(http, &who, what + " (job " + std::to_string(job.id) + ")", "allowed", 201, "");
  return {201, "application/json", JobJson(job) + "\n", {}};
}

HttpResponse AgentApi::DeleteJob(const HttpRequest& req, uint64_t id, const Principal& who) {
  const std::string what = "cancel job " + std::to_string(id);
  if (who.role < AgentRole::kBackup) {
    return Refuse(
        req, who, what,
        {"role", std::string("role ") + AgentRoleName(who.role) + " may not cancel jobs"});
  }
  std::optional<JobInfo> j = jobs_.Get(id);
  if (!j) return Error(404, "no job " + std::to_string(id));
  if (auto refusal = JobPolicy::CheckCancel(who, j->owner)) return Refuse(req, who, what, *refusal);
  j = jobs_.Cancel(id);
  if (!j) return Error(404, "no job " + std::to_string(id));
  Audit(req, &who, what, "allowed", 200, "");
  return {200, "application/json", JobJson(*j) + "\n", {}};
}

HttpResponse AgentApi::Healthz() const {
  const bool fresh = heartbeat_.Fresh(max_heartbeat_age_);
  const std::string body = std::string("{\"status\":\"") + (fresh ? "ok" : "stalled") +
                           "\",\"main_loop_age_ms\":" + std::to_string(heartbeat_.AgeMs()) + "}\n";
  return {fresh ? 200 : 503, "application/json", body, {}};
}

HttpResponse AgentApi::Readyz() {
  const std::vector<ReadyCheck> checks = ready_();
  bool ok = true;
  std::string failing;
  std::string list;
  for (const ReadyCheck& c : checks) {
    if (!c.ok) {
      ok = false;
      failing += (failing.empty() ? "" : ",") + JsonString(c.name);
    }
    list += std::string(list.empty() ? "" : ",") + "{\"name\":" + JsonString(c.name) +
            ",\"ok\":" + (c.ok ? "true" : "false") + ",\"detail\":" + JsonString(c.detail) + "}";
  }
  return {ok ? 200 : 503,
          "application/json",
          std::string("{\"status\":\"") + (ok ? "ready" : "not ready") + "\",\"failing\":[" +
              failing + "],\"checks\":[" + list + "]}\n",
          {}};
}

HttpResponse AgentApi::Authorized(const HttpRequest& req, const std::string& path,
                                  const Principal& who) {
  const bool get = req.method == "GET";
  if (path == "/metrics") {
    if (!get) return Error(405, "use GET");
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(jobs_.Running()), {}};
  }
  if (path == "/v1/jobs") {
    if (req.method == "POST") return PostJob(req, who);
    if (!get) return Error(405, "use GET or POST");
    std::string out = "{\"jobs\":[";
    bool first = true;
    for (const JobInfo& j : jobs_.List()) {
      out += (first ? "" : ",") + JobJson(j);
      first = false;
    }
    return {200, "application/json", out + "]}\n", {}};
  }
  if (std::optional<uint64_t> id = JobId(path)) {
    if (req.method == "DELETE") return DeleteJob(req, *id, who);
    if (!get) return Error(405, "use GET or DELETE");
    std::optional<JobInfo> j = jobs_.Get(*id);
    if (!j) return Error(404, "no job " + std::to_string(*id));
    return {200, "application/json", JobJson(*j) + "\n", {}};
  }
  return Error(404, "no route " + path);
}

HttpResponse AgentApi::Handle(const HttpRequest& req) {
  std::string path = req.target.substr(0, req.target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  const bool get = req.method == "GET";
  if (path == "/healthz") return get ? Healthz() : Error(405, "use GET");
  if (path == "/readyz") return get ? Readyz() : Error(405, "use GET");
  AuthOutcome auth = guards_.auth.Authenticate(req);
  if (!auth.principal) {
    metrics_.RecordAuthFailure(auth.reason);
    metrics_.RecordRefused(auth.status == 401 ? "unauthenticated" : "no_role");
    Audit(req, nullptr, req.method + " " + path, "refused", auth.status,
          auth.reason + ": " + auth.message);
    HttpResponse r = Error(auth.status, auth.message);
    if (auth.status == 401) {
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vdibackup-agent\"");
    }
    return r;
  }
  return Authorized(req, path, *auth.principal);
}

}  // namespace vdibk::coordinator
