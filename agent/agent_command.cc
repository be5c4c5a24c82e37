// vdibackup agent: wires config, authentication, policy, audit log, job table, metrics, the HTTP
// listeners (TCP, TLS, Unix) and the main loop (job reaper, heartbeat, systemd watchdog, signals:
// SIGTERM/SIGINT stop, SIGHUP reloads the token files and the TLS certificate).
#include "agent/agent_command.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "agent/agent_api.h"
#include "agent/agent_metrics.h"
#include "agent/audit_log.h"
#include "agent/authenticator.h"
#include "agent/config/agent_config.h"
#include "agent/health.h"
#include "agent/http_server.h"
#include "agent/job_launcher.h"
#include "agent/job_policy.h"
#include "agent/job_table.h"
#include "agent/sd_notify.h"
#include "agent/tls_context.h"
#include "shared/base/command_line.h"
#include "shared/base/error_code.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
constexpr auto kTick = 200ms;

// Waits up to `timeout` for SIGTERM/SIGINT/SIGHUP (blocked in every thread); returns it or 0.
int WaitSignal(const sigset_t& set, std::chrono::milliseconds timeout) {
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>((timeout.count() % 1000) * 1000000)};
  const int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "vdibackup agent: %s\n", st.message().c_str());
  return ExitCodeFor(ErrorCode::kConfiguration);
}

std::string HostPort(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// SIGHUP: token files and the TLS certificate are read again; what fails to load keeps the old.
void Reload(const AgentConfig& config, Authenticator& auth, HttpServer& http) {
  std::string done;
  if (Status st = auth.Reload(); !st.ok()) {
    log::Error("agent: SIGHUP: " + st.message() + " (the old tokens stay)");
  } else {
    done = "token files";
  }
  if (!config.tls_host.empty()) {
    Result<std::shared_ptr<TlsContext>> tls = LoadTlsContext(config.tls);
    if (!tls.ok()) {
      log::Error("agent: SIGHUP: " + tls.status().message() + " (the old certificate stays)");
    } else {
      http.SetTlsContext(*tls);
      done += std::string(done.empty() ? "" : ", ") + "TLS certificate";
    }
  }
  log::Info("agent: SIGHUP: reloaded " + (done.empty() ? std::string("nothing") : done));
}

}  // namespace

namespace {

CommandLine AgentCommandLine(std::string* config_path) {
  CommandLine cl("vdibackup agent",
                 "The long-running sidecar: HTTP API (POST/GET /v1/jobs, GET/DELETE "
                 "/v1/jobs/{id}), GET /metrics (Prometheus), /healthz, /readyz; SIGHUP reloads "
                 "the token files and the TLS certificate");
  cl.Text("--config", config_path, "FILE",
          "The agent's YAML config: listen, repo, server, sqlcmd, defaults {devices, workers, "
          "buffer_count, max_transfer_size, worker_endpoint}, grace_seconds, http {...}, tapes, "
          "listen_tls, listen_unix, listen_unix_mode, auth {...}, tls {...}, policy {...}, "
          "audit_log (docs/agent.md)");
  cl.Require("--config");
  cl.LogFormat();
  return cl;
}

}  // namespace

std::string AgentUsage() {
  std::string config_path;
  return AgentCommandLine(&config_path).Help();
}

int RunAgentCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  std::string config_path;
  CommandLine cl = AgentCommandLine(&config_path);
  if (Status st = cl.Parse(args); !st.ok() || config_path.empty()) {
    std::fprintf(stderr, "vdibackup agent: %s\n(vdibackup agent --help lists the options)\n",
                 st.ok() ? "--config FILE is required" : st.message().c_str());
    return ExitCodeFor(ErrorCode::kUsage);
  }
  Result<AgentConfig> config = LoadAgentConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  if (Status st = CheckListenersAuthenticated(*config); !st.ok()) return Fail(st);
  vdibk::log::SetComponent("vdibackup-agent");
  // Nothing the agent or its jobs create is readable by others.
  const mode_t mask = ::umask(0);
  ::umask(mask | 0007);

  Result<std::unique_ptr<Authenticator>> auth = Authenticator::Create(*config);
  if (!auth.ok()) return Fail(auth.status());
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Open(config->audit_log);
  if (!audit.ok()) return Fail(audit.status());
  std::shared_ptr<TlsContext> tls;
  if (!config->tls_host.empty()) {
    Result<std::shared_ptr<TlsContext>> t = LoadTlsContext(config->tls);
    if (!t.ok()) return Fail(t.status());
    tls = *t;
  }
  const JobPolicy policy(config->policy);

  // SIGTERM/SIGINT/SIGHUP are taken by sigtimedwait in the main loop; block them before any
  // thread starts (children get an empty mask from ChildProcess). SIGPIPE: a vanished client.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string sqlcmd = config->sqlcmd.empty() ? bin_dir + "/sqlcmd" : config->sqlcmd;
  std::string server = config->server;
  if (server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    server = env != nullptr && *env != '\0' ? env : ".";
  }
  const std::string repo = config->repo;

  AgentMetrics metrics;
  ProcessJobLauncher launcher;
  JobTable jobs(*config, bin_dir + "/vdibackup", launcher, &metrics);
  Heartbeat heartbeat;
  heartbeat.Beat();
  AgentApi api(
      jobs, metrics, heartbeat,
      [sqlcmd, server, repo] { return RunReadinessChecks(sqlcmd, server, repo, 5s); },
      AgentGuards{**auth, policy, **audit});
  HttpServerOptions options;
  options.max_connections = config->http_max_connections;
  options.max_connections_per_peer = config->http_max_connections_per_peer;
  options.header_timeout = std::chrono::seconds(config->http_header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(config->http_body_timeout_seconds);
  options.on_refused = [&metrics](const std::string& reason) { metrics.RecordRefused(reason); };
  std::unique_ptr<HttpServer> http =
      HttpServer::Create([&api](const HttpRequest& r) { return api.Handle(r); }, options);
  std::vector<std::string> listening;
  if (config->listen_enabled) {
    Result<uint16_t> port = http->ListenTcp(config->listen_host, config->listen_port);
    if (!port.ok()) return Fail(port.status());
    listening.push_back(HostPort(config->listen_host, *port));
  }
  if (tls) {
    Result<uint16_t> port = http->ListenTls(config->tls_host, config->tls_port, tls);
    if (!port.ok()) return Fail(port.status());
    listening.push_back("https://" + HostPort(config->tls_host, *port));
  }
  if (!config->unix_path.empty()) {
    if (Status st = http->ListenUnix(config->unix_path, config->unix_mode); !st.ok()) {
      return Fail(st);
    }
    listening.push_back("unix:" + config->unix_path);
  }
  http->Start();
  for (const std::string& l : listening)
    std::printf("vdibackup agent: listening on %s\n", l.c_str());
  std::fflush(stdout);
  if (Status st = SdNotify("READY=1"); !st.ok()) log::Warn("agent: sd_notify: " + st.message());

  const std::optional<std::chrono::microseconds> watchdog = WatchdogInterval();
  auto next_watchdog = std::chrono::steady_clock::now();
  int sig = 0;
  while (sig == 0) {
    jobs.Tick();
    heartbeat.Beat();
    if (watchdog && std::chrono::steady_clock::now() >= next_watchdog) {
      (void)SdNotify("WATCHDOG=1");
      next_watchdog = std::chrono::steady_clock::now() + *watchdog;
    }
    sig = WaitSignal(sigs, kTick);
    if (sig == SIGHUP) {
      Reload(*config, **auth, *http);
      sig = 0;
    }
  }

  log::Info(std::string("agent: ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ": cancelling jobs, grace " + std::to_string(config->grace_seconds) + " s");
  (void)SdNotify("STOPPING=1");
  jobs.CancelAll();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config->grace_seconds);
  while (jobs.Running() > 0 && std::chrono::steady_clock::now() < deadline) {
    jobs.Tick();
    heartbeat.Beat();
    if (watchdog) (void)SdNotify("WATCHDOG=1");
    (void)WaitSignal(sigs, 50ms);  // a SIGHUP now is dropped
  }
  if (jobs.Running() > 0) {
    log::Warn("agent: grace period over, killing the jobs still running");
    jobs.KillAll();
    while (jobs.Running() > 0) {
      jobs.Tick();
      (void)WaitSignal(sigs, 20ms);
    }
  }
  http->Stop();
  log::Info("agent: stopped");
  return 0;
}

}  // namespace vdibk::coordinator
