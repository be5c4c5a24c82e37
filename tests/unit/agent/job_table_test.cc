// JobTable state machine and AgentApi routes (authentication, roles, policy, audit) over a
// fake JobLauncher (no processes) and token files in a temporary directory.
#include "agent/job_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/agent_api.h"
#include "agent/agent_metrics.h"
#include "shared/base/json_check.h"
#include "coordinator/progress/progress_display_json.h"
#include "shared/base/json_text.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {
namespace {

// A child the test ends by hand; Terminate() ends it with exit 5 like the CLI does.
struct FakeState {
  std::optional<ExitInfo> exit;
  std::string output;
  std::optional<JobProgress> progress;
  int terminates = 0;
  int kills = 0;
};

class FakeProcess final : public JobProcess {
 public:
  explicit FakeProcess(std::shared_ptr<FakeState> s) : s_(std::move(s)) {}
  std::optional<ExitInfo> Poll() override { return s_->exit; }
  std::string Output() const override { return s_->output; }
  std::optional<JobProgress> Progress() const override { return s_->progress; }
  void Terminate() override {
    ++s_->terminates;
    s_->exit = ExitInfo{5, 0};
  }
  void Kill() override { ++s_->kills; }

 private:
  std::shared_ptr<FakeState> s_;
};

class FakeLauncher final : public JobLauncher {
 public:
  Result<std::unique_ptr<JobProcess>> Launch(const std::vector<std::string>& argv) override {
    argvs.push_back(argv);
    if (fail) return Status::Configuration("cannot spawn");
    states.push_back(std::make_shared<FakeState>());
    return std::unique_ptr<JobProcess>(new FakeProcess(states.back()));
  }
  std::vector<std::vector<std::string>> argvs;
  std::vector<std::shared_ptr<FakeState>> states;
  bool fail = false;
};

AgentConfig Config() {
  AgentConfig c;
  c.repo = "/repo";
  c.server = "ipc:///s";
  c.sqlcmd = "/bin/sqlcmd";
  c.default_devices = 2;
  return c;
}

const JobInfo& Ok(const std::variant<JobInfo, SubmitFailure>& r) {
  EXPECT_TRUE(std::holds_alternative<JobInfo>(r))
      << (std::holds_alternative<SubmitFailure>(r) ? std::get<SubmitFailure>(r).message : "");
  return std::get<JobInfo>(r);
}

const char* kSummary =
    "{\"status\":\"ok\",\"database\":\"sales\",\"raw_bytes\":300,\"compressed_bytes\":100,"
    "\"ratio\":3.0,\"seconds\":1.5,\"devices\":[{\"index\":0,\"raw_bytes\":100,"
    "\"compressed_bytes\":40,\"worker\":\"w\"},{\"index\":1,\"raw_bytes\":200,"
    "\"compressed_bytes\":60}]}";

class AgentJobsTest : public ::testing::Test {
 protected:
  FakeLauncher launcher_;
  AgentMetrics metrics_;
  JobTable table_{Config(), "/bin/vdibackup", launcher_, &metrics_};
};

TEST_F(AgentJobsTest, QueuedRunningSucceededWithSummary) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {"--workers", "1"}));
  EXPECT_EQ(j.state, JobState::kQueued);
  EXPECT_EQ(j.argv, (std::vector<std::string>{"/bin/vdibackup", "backup", "--database", "sales",
                                              "--repo", "/repo", "--server", "ipc:///s", "--sqlcmd",
                                              "/bin/sqlcmd", "--devices", "2", "--no-progress",
                                              "--progress-fd", "3", "--workers", "1", "--json"}));
  table_.Tick();
  ASSERT_EQ(launcher_.argvs.size(), 1u);
  EXPECT_EQ(table_.Get(j.id)->state, JobState::kRunning);
  EXPECT_EQ(table_.Running(), 1u);
  launcher_.states[0]->output = "log line\n" + std::string(kSummary) + "\n";
  launcher_.states[0]->exit = ExitInfo{0, 0};
  table_.Tick();
  const JobInfo done = *table_.Get(j.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.exit_code, 0);
  ASSERT_TRUE(done.summary);
  EXPECT_EQ(done.summary->raw_bytes, 300u);
  EXPECT_EQ(done.summary->devices.size(), 2u);
  EXPECT_EQ(table_.Running(), 0u);
  const std::string t = metrics_.Render(0);
  EXPECT_NE(t.find("vdibackup_jobs_total{kind=\"backup\",outcome=\"succeeded\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("vdibackup_bytes_in_total{database=\"sales\",device=\"1\"} 200"),
            std::string::npos);
  const std::string json = JobJson(done);
  EXPECT_NE(json.find("\"state\":\"succeeded\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"raw_bytes\":300"), std::string::npos) << json;
}

TEST_F(AgentJobsTest, ProgressShowsInTheJobAndTheMetricsWhileRunning) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  table_.Tick();
  EXPECT_NE(JobJson(*table_.Get(j.id)).find("\"raw_bytes\":null"), std::string::npos);
  EXPECT_NE(JobJson(*table_.Get(j.id)).find("\"progress\":null"), std::string::npos);
  // The CLI's own line, parsed as the real launcher does.
  ProgressSnapshot snap;
  snap.bytes = 1500;
  snap.device_bytes = {1000, 500};
  snap.states = "WF";
  snap.seconds = 2;
  snap.bytes_per_second = 750e3;
  std::optional<JobProgress> p = ParseProgressLine(FormatProgressJson(snap));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->state, "writing");
  EXPECT_EQ(p->bytes, 1500u);
  EXPECT_EQ(p->eta_seconds, -1);
  ASSERT_EQ(p->devices.size(), 2u);
  EXPECT_EQ(p->devices[1].bytes, 500u);
  EXPECT_EQ(p->devices[1].state, "F");
  launcher_.states[0]->progress = p;
  table_.Tick();
  const JobInfo running = *table_.Get(j.id);
  EXPECT_EQ(running.state, JobState::kRunning);
  const std::string json = JobJson(running);
  EXPECT_NE(json.find("\"raw_bytes\":1500,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"progress\":{\"state\":\"writing\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"mb_per_second\":0.750"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"index\":1,\"bytes\":500,\"state\":\"F\"}"), std::string::npos) << json;
  EXPECT_NE(
      metrics_.Render(1).find("vdibackup_bytes_in_total{database=\"sales\",device=\"0\"} 1000\n"),
      std::string::npos);
  EXPECT_FALSE(ParseProgressLine("{\"type\":\"other\"}"));
  EXPECT_FALSE(ParseProgressLine("not json"));
}

TEST(AgentJobsArgvTest, WorkerEndpointDefaultGoesToEveryJobUnlessItSetsOne) {
  FakeLauncher launcher;
  AgentConfig c = Config();
  c.default_worker_endpoint = "ipc:///run/vdibackup/workers/hub";
  JobTable table(c, "/bin/vdibackup", launcher, nullptr);
  const JobInfo b = Ok(table.Submit("backup", "sales", {}));
  auto at = std::find(b.argv.begin(), b.argv.end(), "--worker-endpoint");
  ASSERT_NE(at, b.argv.end());
  EXPECT_EQ(*(at + 1), "ipc:///run/vdibackup/workers/hub");
  const JobInfo r = Ok(table.Submit("restore", "other", {"--worker-endpoint", "ipc:///x/y"}));
  EXPECT_EQ(std::count(r.argv.begin(), r.argv.end(), "--worker-endpoint"), 1);
  EXPECT_NE(std::find(r.argv.begin(), r.argv.end(), "ipc:///x/y"), r.argv.end());
}

// Exit 1 is "finished with warnings": the backup is good (e.g. confirmed from the server's
// history after a lost connection), so the job succeeded.
TEST_F(AgentJobsTest, ExitOneWithWarningsSucceeds) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  table_.Tick();
  launcher_.states[0]->output = "{\"status\":\"warning\",\"raw_bytes\":10}\n";
  launcher_.states[0]->exit = ExitInfo{1, 0};
  table_.Tick();
  const JobInfo done = *table_.Get(j.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.exit_code, 1);
}

TEST_F(AgentJobsTest, NonZeroExitFails) {
  const JobInfo j = Ok(table_.Submit("restore", "sales", {"--set", "x"}));
  table_.Tick();
  launcher_.states[0]->output =
      "{\"status\":\"error\",\"code\":7,\"error\":\"sql_error\",\"message\":\"boom\"}\n";
  launcher_.states[0]->exit = ExitInfo{7, 0};
  table_.Tick();
  const JobInfo done = *table_.Get(j.id);
  EXPECT_EQ(done.state, JobState::kFailed);
  EXPECT_EQ(done.exit_code, 7);
  ASSERT_TRUE(done.summary);
  EXPECT_EQ(done.summary->message, "boom");
  EXPECT_NE(metrics_.Render(0).find("vdibackup_aborts_total{cause=\"sql\"} 1"), std::string::npos);
  // restore gets no --devices / --no-progress, but the progress pipe.
  for (const std::string& a : done.argv) EXPECT_NE(a, "--devices");
  for (const std::string& a : done.argv) EXPECT_NE(a, "--no-progress");
  EXPECT_NE(std::find(done.argv.begin(), done.argv.end(), "--progress-fd"), done.argv.end());
}

TEST_F(AgentJobsTest, CancelRunningTerminatesAndEndsCancelled) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  table_.Tick();
  std::optional<JobInfo> c = table_.Cancel(j.id);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->cancel_requested);
  EXPECT_EQ(launcher_.states[0]->terminates, 1);
  (void)table_.Cancel(j.id);  // a second cancel does not signal again
  EXPECT_EQ(launcher_.states[0]->terminates, 1);
  table_.Tick();
  EXPECT_EQ(table_.Get(j.id)->state, JobState::kCancelled);
  EXPECT_EQ(table_.Get(j.id)->exit_code, 5);
  EXPECT_NE(metrics_.Render(0).find("vdibackup_aborts_total{cause=\"aborted\"} 1"),
            std::string::npos);
}

TEST_F(AgentJobsTest, CancelQueuedNeverLaunches) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  EXPECT_EQ(table_.Cancel(j.id)->state, JobState::kCancelled);
  table_.Tick();
  EXPECT_TRUE(launcher_.argvs.empty());
  EXPECT_FALSE(table_.Cancel(999));
}

TEST_F(AgentJobsTest, OneActiveJobPerDatabase) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  auto again = table_.Submit("restore", "sales", {});
  ASSERT_TRUE(std::holds_alternative<SubmitFailure>(again));
  EXPECT_EQ(std::get<SubmitFailure>(again).error, SubmitError::kConflict);
  Ok(table_.Submit("backup", "other", {}));
  table_.Tick();
  launcher_.states[0]->exit = ExitInfo{0, 0};
  table_.Tick();
  EXPECT_EQ(table_.Get(j.id)->state, JobState::kSucceeded);
  Ok(table_.Submit("backup", "sales", {}));  // ended: a new one may start
}

TEST_F(AgentJobsTest, ValidationRefusesBadRequests) {
  auto bad = [&](const std::string& kind, const std::string& db,
                 const std::vector<std::string>& args) {
    auto r = table_.Submit(kind, db, args);
    return std::holds_alternative<SubmitFailure>(r) &&
           std::get<SubmitFailure>(r).error == SubmitError::kBadRequest;
  };
  EXPECT_TRUE(bad("verify", "sales", {}));
  EXPECT_TRUE(bad("backup", "", {}));
  EXPECT_TRUE(bad("backup", "a b", {}));
  EXPECT_TRUE(bad("backup", "-x", {}));
  EXPECT_TRUE(bad("backup", "../etc", {}));
  EXPECT_TRUE(bad("backup", "sales", {"--sqlcmd", "/bin/sh"}));
  EXPECT_TRUE(bad("backup", "sales", {"--server=x"}));
  EXPECT_TRUE(bad("backup", "sales", {"--worker-program", "/bin/sh"}));
  EXPECT_TRUE(bad("backup", "sales", {"--database", "x"}));
  EXPECT_TRUE(launcher_.argvs.empty());
}

TEST_F(AgentJobsTest, LaunchFailureFailsTheJob) {
  launcher_.fail = true;
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  table_.Tick();
  EXPECT_EQ(table_.Get(j.id)->state, JobState::kFailed);
  EXPECT_EQ(table_.Get(j.id)->exit_code, 78);
}

TEST_F(AgentJobsTest, CancelAllRefusesNewJobs) {
  const JobInfo j = Ok(table_.Submit("backup", "sales", {}));
  table_.Tick();
  table_.CancelAll();
  EXPECT_EQ(launcher_.states[0]->terminates, 1);
  auto r = table_.Submit("backup", "other", {});
  ASSERT_TRUE(std::holds_alternative<SubmitFailure>(r));
  EXPECT_EQ(std::get<SubmitFailure>(r).error, SubmitError::kShuttingDown);
  table_.Tick();
  EXPECT_EQ(table_.Get(j.id)->state, JobState::kCancelled);
}

// ---- AgentApi routes over the same fakes.

const char* kReadToken = "read-token-0123456789";
const char* kBackupToken = "backup-token-0123456789";
const char* kOtherBackupToken = "other-backup-token-0123456789";
const char* kAdminToken = "admin-token-0123456789";

class AgentApiTest : public AgentJobsTest {
 protected:
  AgentApiTest() {
    AgentConfig c = Config();
    const std::pair<const char*, AgentRole> tokens[] = {{kReadToken, AgentRole::kRead},
                                                        {kBackupToken, AgentRole::kBackup},
                                                        {kOtherBackupToken, AgentRole::kBackup},
                                                        {kAdminToken, AgentRole::kAdmin}};
    int n = 0;
    for (const auto& [token, role] : tokens) {
      const std::string path = dir_.Join("token" + std::to_string(n));
      std::ofstream(path) << token << "\n";
      c.token_files.push_back({path, role, std::string(AgentRoleName(role)) + std::to_string(n++)});
    }
    auth_ = Authenticator::Create(c).value();
    audit_ = AuditLog::Open(dir_.Join("audit.jsonl")).value();
    api_ = std::make_unique<AgentApi>(
        table_, metrics_, heartbeat_, [this] { return ready_; },
        AgentGuards{*auth_, policy_, *audit_});
  }
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& token = kAdminToken) {
    HttpRequest r{method, target, body, token.empty() ? "" : "Bearer " + token, {}};
    r.peer.address = "127.0.0.1:4000";
    return api_->Handle(r);
  }
  std::string Audit() {
    std::ifstream f(dir_.Join("audit.jsonl"));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  vdibk::testing::TempDir dir_;
  std::unique_ptr<Authenticator> auth_;
  JobPolicy policy_{AgentPolicyConfig{}};
  std::unique_ptr<AuditLog> audit_;
  Heartbeat heartbeat_;
  std::vector<ReadyCheck> ready_{{"sql", true, "ok"}, {"shm", true, ""}, {"repo", true, ""}};
  std::unique_ptr<AgentApi> api_;
};

TEST_F(AgentApiTest, PostGetListCancel) {
  HttpResponse r =
      Call("POST", "/v1/jobs",
           "{\"kind\":\"backup\",\"database\":\"sales\",\"args\":[\"--devices\",\"1\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find("\"id\":1,"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"owner\":\"token:admin3\""), std::string::npos) << r.body;
  EXPECT_EQ(Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}").status, 409);
  table_.Tick();
  r = Call("GET", "/v1/jobs/1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"state\":\"running\""), std::string::npos) << r.body;
  EXPECT_NE(Call("GET", "/v1/jobs").body.find("\"database\":\"sales\""), std::string::npos);
  r = Call("DELETE", "/v1/jobs/1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"cancel_requested\":true"), std::string::npos) << r.body;
  EXPECT_EQ(Call("GET", "/v1/jobs/2").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/jobs/abc").status, 404);
  EXPECT_EQ(Call("PUT", "/v1/jobs/1").status, 405);
}

TEST_F(AgentApiTest, BadBodiesAre400WithJsonError) {
  for (const char* body :
       {"not json", "{\"kind\":\"backup\"}", "{\"kind\":\"backup\",\"database\":\"s\",\"extra\":1}",
        "{\"kind\":\"verify\",\"database\":\"s\"}"}) {
    HttpResponse r = Call("POST", "/v1/jobs", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(r.body.rfind("{\"error\":", 0), 0u) << r.body;
  }
  EXPECT_TRUE(launcher_.argvs.empty());
}

TEST_F(AgentApiTest, NoOrBadTokenIs401EverywhereButHealthAndReadiness) {
  heartbeat_.Beat();
  for (const char* path : {"/v1/jobs", "/v1/jobs/1", "/metrics", "/nope"}) {
    HttpResponse r = Call("GET", path, "", "");
    EXPECT_EQ(r.status, 401) << path;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(Call("GET", path, "", "not-a-token-of-ours-at-all").status, 401) << path;
  }
  HttpRequest basic{"GET", "/v1/jobs", "", "Basic YWRtaW46YWRtaW4=", {}};
  EXPECT_EQ(api_->Handle(basic).status, 401);
  EXPECT_EQ(Call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(Call("GET", "/readyz", "", "").status, 200);
  EXPECT_EQ(Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"s\"}", "").status, 401);
  EXPECT_TRUE(launcher_.argvs.empty());
  const std::string m = Call("GET", "/metrics").body;
  EXPECT_NE(m.find("vdibackup_auth_failures_total{reason=\"no_credentials\"} 5\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("vdibackup_auth_failures_total{reason=\"invalid_token\"} 4\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("vdibackup_auth_failures_total{reason=\"bad_header\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("vdibackup_http_requests_refused_total{reason=\"unauthenticated\"} 10\n"),
            std::string::npos)
      << m;
}

TEST_F(AgentApiTest, ReadTokenReadsButCannotStartOrCancelJobs) {
  ASSERT_EQ(Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}").status, 201);
  EXPECT_EQ(Call("GET", "/v1/jobs", "", kReadToken).status, 200);
  EXPECT_EQ(Call("GET", "/v1/jobs/1", "", kReadToken).status, 200);
  EXPECT_EQ(Call("GET", "/metrics", "", kReadToken).status, 200);
  HttpResponse r =
      Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"other\"}", kReadToken);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("role read may not start jobs"), std::string::npos) << r.body;
  EXPECT_EQ(Call("DELETE", "/v1/jobs/1", "", kReadToken).status, 403);
  EXPECT_EQ(launcher_.argvs.size(), 0u);  // not ticked: the admin's job is still queued
  EXPECT_EQ(table_.List().size(), 1u);
  EXPECT_EQ(table_.Get(1)->state, JobState::kQueued);
}

TEST_F(AgentApiTest, BackupTokenBacksUpAndCancelsItsOwnJobsOnly) {
  HttpResponse r =
      Call("POST", "/v1/jobs",
           "{\"kind\":\"restore\",\"database\":\"sales\",\"args\":[\"--as\",\"c\"]}", kBackupToken);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("role backup may not start restores"), std::string::npos) << r.body;
  ASSERT_EQ(
      Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"a\"}", kBackupToken).status,
      201);
  ASSERT_EQ(Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"b\"}", kOtherBackupToken)
                .status,
            201);
  r = Call("DELETE", "/v1/jobs/2", "", kBackupToken);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("job started by token:backup2"), std::string::npos) << r.body;
  EXPECT_EQ(table_.Get(2)->state, JobState::kQueued);
  EXPECT_EQ(Call("DELETE", "/v1/jobs/1", "", kBackupToken).status, 200);
  EXPECT_EQ(table_.Get(1)->state, JobState::kCancelled);
  EXPECT_EQ(Call("DELETE", "/v1/jobs/2").status, 200);  // admin: any job
  EXPECT_EQ(table_.Get(2)->state, JobState::kCancelled);
  const std::string m = Call("GET", "/metrics").body;
  EXPECT_NE(m.find("vdibackup_http_requests_refused_total{reason=\"role\"} 1\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("vdibackup_http_requests_refused_total{reason=\"not_owner\"} 1\n"),
            std::string::npos)
      << m;
}

TEST_F(AgentApiTest, EveryRefusalAndEveryJobIsAnAuditLine) {
  Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}", kReadToken);
  Call("GET", "/v1/jobs", "", "");
  Call("POST", "/v1/jobs",
       "{\"kind\":\"backup\",\"database\":\"sales\",\"args\":[\"--sqlcmd\",\"/bin/sh\"]}",
       kBackupToken);
  Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}", kBackupToken);
  Call("DELETE", "/v1/jobs/1", "", kBackupToken);
  std::istringstream lines(Audit());
  std::vector<std::string> l;
  for (std::string line; std::getline(lines, line);) l.push_back(line);
  ASSERT_EQ(l.size(), 5u) << Audit();
  for (const std::string& line : l) {
    EXPECT_EQ(line.rfind("{\"type\":\"audit\",\"time\":\"20", 0), 0u) << line;
    EXPECT_NE(line.find("\"peer\":\"127.0.0.1:4000\""), std::string::npos) << line;
  }
  EXPECT_NE(l[0].find("\"who\":\"token:read0\",\"role\":\"read\""), std::string::npos) << l[0];
  EXPECT_NE(l[0].find("\"what\":\"backup sales\",\"result\":\"refused\",\"status\":403,"
                      "\"reason\":\"role: role read may not start jobs\""),
            std::string::npos)
      << l[0];
  EXPECT_NE(l[1].find("\"who\":\"-\",\"role\":\"\""), std::string::npos) << l[1];
  EXPECT_NE(l[1].find("\"result\":\"refused\",\"status\":401,\"reason\":\"no_credentials"),
            std::string::npos)
      << l[1];
  EXPECT_NE(l[2].find("\"reason\":\"option: option --sqlcmd is set by the agent's config\""),
            std::string::npos)
      << l[2];
  EXPECT_NE(l[3].find("\"what\":\"backup sales (job 1)\",\"result\":\"allowed\",\"status\":201"),
            std::string::npos)
      << l[3];
  EXPECT_NE(l[4].find("\"what\":\"cancel job 1\",\"result\":\"allowed\",\"status\":200"),
            std::string::npos)
      << l[4];
}

// Found by tests/fuzz/agent_json_fuzz: protobuf's parse error quotes the body, and a body that is
// not UTF-8 made the 400 answer a JSON text that was not UTF-8 either.
TEST_F(AgentApiTest, ErrorsAreUtf8WhenTheBodyIsNot) {
  HttpResponse r = Call("POST", "/v1/jobs", "{\"kind\":\"backup\xff\xfe\",\"database\":\"s\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.find('\xff'), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find('\xfe'), std::string::npos) << r.body;
  EXPECT_EQ(JsonString("a\xff \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf \xe2\x82"),
            "\"a\\ufffd \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd "
            "\\ufffd\\ufffd\"");
}

// Found by tests/fuzz/agent_json_fuzz: protobuf's JSON parser reads "NaN" into a double and
// accepts raw control bytes in keys; the agent printed `nan` and embedded the raw line.
TEST(AgentJsonTest, ProgressNotFiniteIsNull) {
  JobProgress p;
  p.seconds = std::nan("");
  p.bytes_per_second = HUGE_VAL;
  const std::string json = ProgressJson(p);
  EXPECT_NE(json.find("\"seconds\":null,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"mb_per_second\":null,"), std::string::npos) << json;
  EXPECT_TRUE(IsJsonText(json)) << json;
}

TEST(AgentJsonTest, SummaryLinesMustBeStrictJson) {
  const std::string bad = std::string("{\"status\":\"error\",\"code\":7,\"a\x10\0b\":1}\n", 37);
  EXPECT_FALSE(ParseJobSummary("backup", bad).has_value());
  EXPECT_TRUE(ParseJobSummary("backup", "{\"status\":\"ok\",\"raw_bytes\":5}\n").has_value());
}

TEST(AgentJsonTest, IsJsonTextIsStrict) {
  for (const char* ok : {"{}", " [1, -0.5e+3, true, false, null, \"\\u00e9\\n\"] ", "\"\xc3\xa9\"",
                         "{\"a\":{\"b\":[]}}"}) {
    EXPECT_TRUE(IsJsonText(ok)) << ok;
  }
  for (const char* bad : {"", "{", "{'a':1}", "{a:1}", "[1,]", "NaN", "01", "1.", "\"\t\"",
                          "\"\xff\"", "\"\xed\xa0\x80\"", "{} {}", "[\"\\x\"]"}) {
    EXPECT_FALSE(IsJsonText(bad)) << bad;
  }
}

TEST_F(AgentApiTest, HealthzFollowsTheHeartbeat) {
  EXPECT_EQ(Call("GET", "/healthz").status, 503);  // never ticked
  heartbeat_.Beat();
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  AgentApi strict(
      table_, metrics_, heartbeat_, [] { return std::vector<ReadyCheck>{}; },
      AgentGuards{*auth_, policy_, *audit_}, std::chrono::milliseconds(-1));
  EXPECT_EQ(strict.Handle({"GET", "/healthz", "", "", {}}).status, 503);
}

TEST_F(AgentApiTest, ReadyzNamesTheFailingCheck) {
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  ready_[1].ok = false;
  HttpResponse r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"failing\":[\"shm\"]"), std::string::npos) << r.body;
}

TEST_F(AgentApiTest, MetricsIsPrometheusText) {
  Call("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}");
  HttpResponse r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r.body.find("vdibackup_jobs_running 1\n"), std::string::npos) << r.body;
  EXPECT_EQ(Call("GET", "/nope").status, 404);
}

}  // namespace
}  // namespace vdibk::coordinator
