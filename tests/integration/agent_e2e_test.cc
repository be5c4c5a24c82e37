// vdibackup agent end to end: a real vdi-emulator, the agent on a free port (with a bearer
// token), backups submitted over HTTP, cancel mid-backup, /metrics, /healthz, /readyz across an
// emulator restart, sd_notify over a socket the test binds, SIGTERM cancelling a running job
// (exit 5, nothing left), live progress while a backup runs, a killed worker in the metrics,
// slow HTTP clients, a restore whose files are not world-readable, and a TLS certificate
// reloaded on SIGHUP while a backup runs.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/harness/emulator_fixture.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/test_dirs.h"
#include "tests/integration/agent_http_client.h"
#include "tests/integration/agent_test_tools.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vdibk::testing::Bin;
using vdibk::testing::HttpCall;
using vdibk::testing::HttpReply;
using vdibk::testing::RawClient;
using vdibk::testing::Subprocess;

// The value of `"field":<number or string>` in a JSON text ("" if absent).
std::string Field(const std::string& json, const std::string& field) {
  std::smatch m;
  const std::regex re("\"" + field + "\":(\"([^\"]*)\"|[-0-9.e+]+|null|true|false)");
  if (!std::regex_search(json, m, re)) return "";
  return m[2].matched ? m[2].str() : m[1].str();
}

// The value of the metric line starting with `series` (e.g. `x{a="b"}`), or -1.
double Metric(const std::string& text, const std::string& series) {
  const std::string needle = "\n" + series + " ";
  const size_t at = text.find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + needle.size()));
}

// Whether a stripe of `database` is being written (a ".partial" file in one of its sets).
bool BackupWriting(const std::string& repo, const std::string& database) {
  std::error_code ec;
  for (const auto& set : fs::directory_iterator(repo + "/" + database, ec)) {
    std::error_code ec2;
    for (const auto& e : fs::directory_iterator(set.path(), ec2)) {
      if (e.path().extension() == ".partial") return true;
    }
  }
  return false;
}

class AgentE2eTest : public vdibk::testing::EmulatorFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateDatabase("sales", "16M"));
    StartEmulator();
    // sd_notify: a datagram socket the agent reports to.
    notify_path_ = dir_.Join("notify.sock");
    notify_fd_ = socket(AF_UNIX, SOCK_DGRAM, 0);
    ASSERT_GE(notify_fd_, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, notify_path_.c_str(), sizeof(a.sun_path) - 1);
    ASSERT_EQ(bind(notify_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{20, 0};
    setsockopt(notify_fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  void TearDown() override {
    if (agent_) {
      agent_->Kill(SIGTERM);
      agent_->Wait(60s);
    }
    EmulatorFixture::TearDown();
    if (notify_fd_ >= 0) close(notify_fd_);
  }
  void StartEmulator() {
    // Device 0 waits 50 ms before each command: small transfers make a backup slow to cancel.
    StartServer(FaultArgs("slow-device=0:50"));
  }
  // The agent's stdout and stderr (its log) both come through agent_'s pipe.
  // `ready`: the start of the last listening line the agent prints (docs/agent.md).
  void StartAgent(const std::string& extra_config = "",
                  const std::string& ready = "vdibackup agent: listening on 127") {
    const std::string config = dir_.Join("agent.yaml");
    std::ofstream(dir_.Join("admin.token")) << kToken << "\n";
    std::ofstream(config) << "listen: 127.0.0.1:0\nrepo: " << repo_ << "\nserver: " << endpoint_
                          << "\nsqlcmd: " << Bin("sqlcmd")
                          << "\ndefaults:\n  devices: 2\n  workers: 2\ngrace_seconds: 30\n"
                          << "auth:\n  token_files:\n    - {path: " << dir_.Join("admin.token")
                          << ", role: admin}\npolicy:\n  move_roots: [" << dir_.Join("restored")
                          << "]\n"
                          << extra_config;
    setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
    setenv("WATCHDOG_USEC", "400000", 1);
    agent_ = std::make_unique<Subprocess>(std::vector<std::string>{
        "/bin/sh", "-c", "exec '" + Bin("vdibackup") + "' agent --config '" + config + "' 2>&1"});
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    std::optional<std::string> line = agent_->WaitForLine("vdibackup agent: listening on", 20s);
    ASSERT_TRUE(line);
    port_ = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    ASSERT_GT(port_, 0);
    if (ready != "vdibackup agent: listening on 127") {
      std::optional<std::string> last = agent_->WaitForLine(ready, 20s);
      ASSERT_TRUE(last);
      ready_line_ = *last;
    }
  }
  // An API call with the admin token.
  HttpReply Api(const std::string& method, const std::string& target,
                const std::string& body = "") {
    return HttpCall(port_, method, target, body, 30, kToken);
  }
  std::string Notification() {
    char buf[256];
    const ssize_t n = recv(notify_fd_, buf, sizeof(buf), 0);
    return n <= 0 ? "" : std::string(buf, static_cast<size_t>(n));
  }
  HttpReply Submit(const std::string& args_json) {
    return Api("POST", "/v1/jobs",
               "{\"kind\":\"backup\",\"database\":\"sales\",\"args\":[" + args_json + "]}");
  }
  // Polls the job until it has ended; returns its JSON.
  std::string WaitEnded(const std::string& id) {
    std::string body;
    for (auto deadline = std::chrono::steady_clock::now() + 120s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
      body = Api("GET", "/v1/jobs/" + id).body;
      const std::string st = Field(body, "state");
      if (st != "queued" && st != "running") return body;
    }
    ADD_FAILURE() << "job " << id << " did not end: " << body;
    return body;
  }
  void WaitWriting() {
    for (auto deadline = std::chrono::steady_clock::now() + 60s;
         !BackupWriting(repo_, "sales") && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(BackupWriting(repo_, "sales"));
  }

  static constexpr const char* kToken = "e2e-admin-token-0123456789";
  std::string notify_path_, ready_line_;
  int notify_fd_ = -1;
  uint16_t port_ = 0;
  std::unique_ptr<Subprocess> agent_;
};

TEST_F(AgentE2eTest, BackupCancelMetricsHealthReadinessAndSigterm) {
  StartAgent();
  EXPECT_EQ(Notification(), "READY=1");
  EXPECT_EQ(Notification(), "WATCHDOG=1");
  EXPECT_EQ(Api("GET", "/healthz").status, 200);
  HttpReply ready = Api("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  // A backup over HTTP succeeds with bytes.
  HttpReply r = Submit("");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = Field(r.body, "id");
  std::string job = WaitEnded(id);
  EXPECT_EQ(Field(job, "state"), "succeeded") << job;
  EXPECT_EQ(Field(job, "exit_code"), "0") << job;
  EXPECT_GT(std::stoull(Field(job, "raw_bytes")), 0u) << job;
  std::string metrics = Api("GET", "/metrics").body;
  EXPECT_EQ(Metric(metrics, "vdibackup_jobs_total{kind=\"backup\",outcome=\"succeeded\"}"), 1)
      << metrics;
  EXPECT_GT(Metric(metrics, "vdibackup_bytes_in_total{database=\"sales\",device=\"0\"}"), 0);
  EXPECT_GT(Metric(metrics, "vdibackup_bytes_out_total{database=\"sales\",device=\"1\"}"), 0);
  EXPECT_GT(Metric(metrics, "vdibackup_last_success_timestamp_seconds{database=\"sales\"}"), 1.6e9);
  EXPECT_GT(Metric(metrics, "vdibackup_compression_ratio{database=\"sales\"}"), 0);

  // Refused requests: a repo outside policy.repo_roots (none), a bad name, no token.
  EXPECT_EQ(Api("POST", "/v1/jobs",
                "{\"kind\":\"backup\",\"database\":\"sales\",\"args\":[\"--repo\",\"/\"]}")
                .status,
            403);
  EXPECT_EQ(
      HttpCall(port_, "POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"sales\"}").status,
      401);
  EXPECT_EQ(Api("POST", "/v1/jobs", "{\"kind\":\"backup\",\"database\":\"a;b\"}").status, 400);

  // Cancel a running backup (64 KiB transfers on a slow device 0: many seconds).
  const std::string set_name = vdibk::testing::UniqueName("agentcancel");
  r = Submit("\"--max-transfer-size\",\"65536\",\"--set-name\",\"" + set_name + "\"");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string cancel_id = Field(r.body, "id");
  WaitWriting();
  EXPECT_EQ(Submit("").status, 409);  // one running job per database
  r = Api("DELETE", "/v1/jobs/" + cancel_id);
  EXPECT_EQ(r.status, 200) << r.body;
  job = WaitEnded(cancel_id);
  EXPECT_EQ(Field(job, "state"), "cancelled") << job;
  EXPECT_EQ(Field(job, "exit_code"), "5") << job;
  EXPECT_EQ(vdibk::testing::ShmLeftovers(set_name), "");
  metrics = Api("GET", "/metrics").body;
  EXPECT_EQ(Metric(metrics, "vdibackup_aborts_total{cause=\"aborted\"}"), 1) << metrics;
  EXPECT_EQ(Metric(metrics, "vdibackup_jobs_total{kind=\"backup\",outcome=\"cancelled\"}"), 1);
  EXPECT_EQ(Metric(metrics, "vdibackup_jobs_running"), 0);
  const std::string list = Api("GET", "/v1/jobs").body;
  EXPECT_NE(list.find("\"id\":" + cancel_id + ","), std::string::npos) << list;

  // Readiness follows the SQL side.
  StopServer();
  ready = Api("GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("\"failing\":[\"sql\"]"), std::string::npos) << ready.body;
  EXPECT_EQ(Api("GET", "/healthz").status, 200);
  StartEmulator();
  ready = Api("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  // SIGTERM with a job running: the job is cancelled, the agent exits 0, nothing is left.
  const std::string term_set = vdibk::testing::UniqueName("agentterm");
  r = Submit("\"--max-transfer-size\",\"65536\",\"--set-name\",\"" + term_set + "\"");
  ASSERT_EQ(r.status, 201) << r.body;
  WaitWriting();
  EXPECT_EQ(Api("GET", "/healthz").status, 200);  // the main loop still turns
  agent_->Kill(SIGTERM);
  // The agent's log: the job aborted cleanly with exit 5 within the grace period (no SIGKILL).
  std::string log;
  while (std::optional<std::string> line = agent_->ReadLine(60s)) log += *line + "\n";
  auto st = agent_->Wait(60s);
  ASSERT_TRUE(st);
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << *st;
  agent_.reset();
  EXPECT_TRUE(std::regex_search(log, std::regex("agent: job [0-9]+ \\(backup sales\\) "
                                                "cancelled, exit 5\n")))
      << log;
  EXPECT_EQ(log.find("grace period over"), std::string::npos) << log;
  EXPECT_EQ(vdibk::testing::ShmLeftovers(term_set), "");
  EXPECT_FALSE(BackupWriting(repo_, "sales"));
}

// The pids whose parent is `parent` (from /proc/PID/stat).
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "stat");
    std::string stat;
    std::getline(f, stat);
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

std::string Exe(pid_t pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).filename().string();
}

TEST_F(AgentE2eTest, LiveProgressThenAKilledWorkerCountsAWorkerFailure) {
  StartAgent();
  // 64 KiB transfers on the slow device 0: the backup takes seconds.
  const std::string set_name = vdibk::testing::UniqueName("agentworker");
  HttpReply r = Submit("\"--max-transfer-size\",\"65536\",\"--set-name\",\"" + set_name + "\"");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = Field(r.body, "id");
  // The job's bytes in the API rise while it is still running, and so does /metrics.
  uint64_t first = 0, later = 0;
  double metric_first = -1;
  std::string job;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       later == 0 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(20ms)) {
    job = Api("GET", "/v1/jobs/" + id).body;
    const std::string state = Field(job, "state");
    ASSERT_TRUE(state == "queued" || state == "running") << job;
    const std::string raw = Field(job, "raw_bytes");
    if (raw.empty() || raw == "null" || std::stoull(raw) == 0) continue;
    if (first == 0) {
      first = std::stoull(raw);
      EXPECT_NE(job.find("\"progress\":{\"state\":"), std::string::npos) << job;
    } else if (std::stoull(raw) > first) {
      later = std::stoull(raw);
    }
  }
  ASSERT_GT(first, 0u) << job;
  ASSERT_GT(later, first) << job;
  EXPECT_EQ(Field(job, "state"), "running") << job;
  // /metrics follows within a main-loop tick: device 1 (the fast one) has bytes in while the
  // job still runs.
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       metric_first <= 0 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(20ms)) {
    metric_first = Metric(Api("GET", "/metrics").body,
                          "vdibackup_bytes_in_total{database=\"sales\",device=\"1\"}");
    job = Api("GET", "/v1/jobs/" + id).body;
    ASSERT_EQ(Field(job, "state"), "running") << job;
  }
  EXPECT_GT(metric_first, 0);
  const std::string mbs = Field(job, "mb_per_second");
  ASSERT_FALSE(mbs.empty()) << job;

  // Kill one of the job's workers: the job fails (workers are not restarted) and
  // vdibackup_worker_failures_total{cause="exited"} counts it.
  pid_t worker = 0;
  for (pid_t cli : ChildrenOf(agent_->pid())) {
    for (pid_t c : ChildrenOf(cli)) {
      if (Exe(c) == "vdibackup-worker") worker = c;
    }
  }
  ASSERT_GT(worker, 0);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  job = WaitEnded(id);
  EXPECT_EQ(Field(job, "state"), "failed") << job;
  EXPECT_EQ(Field(job, "exit_code"), "5") << job;
  EXPECT_NE(Field(job, "message").find("exited unexpectedly"), std::string::npos) << job;
  const std::string metrics = Api("GET", "/metrics").body;
  EXPECT_EQ(Metric(metrics, "vdibackup_worker_failures_total{cause=\"exited\"}"), 1) << metrics;
  EXPECT_EQ(Metric(metrics, "vdibackup_aborts_total{cause=\"aborted\"}"), 1) << metrics;
  // The bytes read before the failure stay counted: the counter never goes back.
  EXPECT_GE(Metric(metrics, "vdibackup_bytes_in_total{database=\"sales\",device=\"1\"}"),
            metric_first)
      << metrics;
  EXPECT_FALSE(BackupWriting(repo_, "sales"));
  EXPECT_EQ(vdibk::testing::ShmLeftovers(set_name), "");
}

TEST_F(AgentE2eTest, ARestoreJobReportsItsProgressToo) {
  StartAgent();
  HttpReply r = Submit("");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string job = WaitEnded(Field(r.body, "id"));
  ASSERT_EQ(Field(job, "state"), "succeeded") << job;
  r = Api("POST", "/v1/jobs",
          "{\"kind\":\"restore\",\"database\":\"sales\",\"args\":[\"--as\",\"salescopy\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  job = WaitEnded(Field(r.body, "id"));
  ASSERT_EQ(Field(job, "state"), "succeeded") << job;
  // The restore's own stream: its last line (state ended) counted every byte the summary has.
  const size_t at = job.find("\"progress\":{\"state\":\"ended\"");
  ASSERT_NE(at, std::string::npos) << job;
  EXPECT_EQ(Field(job.substr(at), "bytes"), Field(job, "raw_bytes")) << job;
  EXPECT_GT(std::stoull(Field(job, "raw_bytes")), 0u) << job;
}

TEST_F(AgentE2eTest, SlowClientsDoNotBlockHealthzAndLimitsHold) {
  StartAgent("http:\n  max_connections: 2\n  header_timeout_seconds: 1\n");
  const std::string auth = std::string("Authorization: Bearer ") + kToken + "\r\n";
  RawClient a(port_);
  ASSERT_TRUE(a.Send("GET /v1/jobs HTTP/1.1\r\nHost: x\r\n"));  // half a request, held open
  RawClient b(port_);
  ASSERT_TRUE(b.Send("GET /v1/jobs HTTP/1.1\r\n"));
  // Both slots busy: a third connection is read, but only /healthz is served to it.
  {
    RawClient h(port_);
    ASSERT_TRUE(h.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string reply = h.ReadToClose();
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  }
  {
    RawClient j(port_);
    ASSERT_TRUE(j.Send("GET /v1/jobs HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"));
    const std::string reply = j.ReadToClose();
    EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
    EXPECT_NE(reply.find("too many connections"), std::string::npos) << reply;
  }
  // The header timeout (1 s) ends both unfinished requests with 408.
  EXPECT_EQ(a.ReadToClose().rfind("HTTP/1.1 408", 0), 0u);
  EXPECT_EQ(b.ReadToClose().rfind("HTTP/1.1 408", 0), 0u);
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) status = Api("GET", "/v1/jobs").status;
  EXPECT_EQ(status, 200);
  const std::string metrics = Api("GET", "/metrics").body;
  EXPECT_EQ(Metric(metrics, "vdibackup_http_requests_refused_total{reason=\"timeout\"}"), 2)
      << metrics;
  EXPECT_EQ(
      Metric(metrics, "vdibackup_http_requests_refused_total{reason=\"too_many_connections\"}"), 1)
      << metrics;
}

TEST_F(AgentE2eTest, RestoredFilesAreNotWorldReadableAndMovesStayInTheirRoot) {
  StartAgent();
  HttpReply r = Submit("");
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(Field(WaitEnded(Field(r.body, "id")), "state"), "succeeded");
  const std::string mdf = dir_.Join("restored/copy.mdf"), ldf = dir_.Join("restored/copy.ldf");
  r = Api("POST", "/v1/jobs",
          "{\"kind\":\"restore\",\"database\":\"sales\",\"args\":[\"--as\",\"copy\","
          "\"--move\",\"sales=" +
              mdf + "\",\"--move\",\"sales_log=" + ldf + "\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string job = WaitEnded(Field(r.body, "id"));
  ASSERT_EQ(Field(job, "state"), "succeeded") << job;
  for (const std::string& f : {mdf, ldf}) {
    struct stat st {};
    ASSERT_EQ(stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0007, 0u) << f << " mode " << std::oct << (st.st_mode & 0777);
  }
  // Outside the root: refused before anything runs.
  r = Api("POST", "/v1/jobs",
          "{\"kind\":\"restore\",\"database\":\"sales\",\"args\":[\"--as\",\"copy2\","
          "\"--move\",\"sales=" +
              dir_.Join("copy2.mdf") + "\"]}");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_FALSE(fs::exists(dir_.Join("copy2.mdf")));
}

TEST_F(AgentE2eTest, ATlsCertificateReloadOnSighupKeepsTheRunningBackup) {
  const std::string tls = dir_.Join("tls");
  fs::create_directories(tls);
  ASSERT_EQ(vdibk::testing::MakeTestCa(tls, "ca"), "");
  ASSERT_EQ(vdibk::testing::MakeTestCa(tls, "ca2"), "");
  ASSERT_EQ(vdibk::testing::MakeTestCert(tls, "ca", "live", "agent", true), "");
  ASSERT_EQ(vdibk::testing::MakeTestCert(tls, "ca2", "next", "agent", true), "");
  StartAgent("listen_tls: 127.0.0.1:0\ntls:\n  cert_file: " + tls +
                 "/live.crt\n  key_file: " + tls + "/live.key\n",
             "vdibackup agent: listening on https://");
  const std::string url = ready_line_.substr(ready_line_.find("https://"));
  const std::vector<std::string> auth = {"-H", std::string("Authorization: Bearer ") + kToken};
  auto curl = [&](const std::string& ca, std::vector<std::string> args) {
    args.insert(args.begin(), {"--cacert", tls + "/" + ca + ".crt"});
    args.insert(args.begin(), auth.begin(), auth.end());
    return vdibk::testing::Curl(args);
  };
  // A slow backup (64 KiB transfers on the slow device 0), asked for over TLS.
  const std::string set_name = vdibk::testing::UniqueName("agenttls");
  auto r = curl("ca", {"-X", "POST", "--data",
                       "{\"kind\":\"backup\",\"database\":\"sales\",\"args\":["
                       "\"--max-transfer-size\",\"65536\",\"--set-name\",\"" +
                           set_name + "\"]}",
                       url + "/v1/jobs"});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = Field(r.body, "id");
  WaitWriting();
  fs::copy_file(tls + "/next.crt", tls + "/live.crt", fs::copy_options::overwrite_existing);
  fs::copy_file(tls + "/next.key", tls + "/live.key", fs::copy_options::overwrite_existing);
  agent_->Kill(SIGHUP);
  bool reloaded = false;
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       !reloaded && std::chrono::steady_clock::now() < deadline;) {
    std::optional<std::string> line = agent_->ReadLine(1s);  // the agent's log (stderr) too
    reloaded =
        line && line->find("SIGHUP: reloaded token files, TLS certificate") != std::string::npos;
  }
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(curl("ca", {url + "/healthz"}).exit_code, 60);  // the old CA no longer fits
  r = curl("ca2", {url + "/v1/jobs/" + id});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(r.body, "state"), "running") << r.body;
  const std::string job = WaitEnded(id);
  EXPECT_EQ(Field(job, "state"), "succeeded") << job;
  EXPECT_EQ(vdibk::testing::ShmLeftovers(set_name), "");
}

TEST_F(AgentE2eTest, BadConfigExits78NamingTheLine) {
  const std::string config = dir_.Join("bad.yaml");
  std::ofstream(config) << "repo: " << repo_ << "\nlisten: 127.0.0.1:0\ncolour: blue\n";
  std::string cmd = "'" + Bin("vdibackup") + "' agent --config '" + config + "' 2>&1";
  Subprocess p({"/bin/sh", "-c", "exec " + cmd});
  std::string out;
  while (auto line = p.ReadLine(30s)) out += *line + "\n";
  auto st = p.Wait(30s);
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 78) << out;
  EXPECT_NE(out.find("line 3: colour: unknown field"), std::string::npos) << out;
}

}  // namespace
}  // namespace vdibk::coordinator
