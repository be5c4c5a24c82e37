// vdibackup agent: wires config, job table, metrics, HTTP server and the main loop (job reaper,
// heartbeat, systemd watchdog, signals).
#include "coordinator/agent_command.h"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "coordinator/agent_api.h"
#include "coordinator/agent_config.h"
#include "coordinator/agent_health.h"
#include "coordinator/agent_http.h"
#include "coordinator/agent_job_process.h"
#include "coordinator/agent_jobs.h"
#include "coordinator/agent_metrics.h"
#include "coordinator/agent_notify.h"
#include "shared/base/error_code.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

using namespace std::chrono_literals;
constexpr auto kTick = 200ms;

// Waits up to `timeout` for SIGTERM/SIGINT (blocked in every thread); returns it or 0.
int WaitSignal(const sigset_t& set, std::chrono::milliseconds timeout) {
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>((timeout.count() % 1000) * 1000000)};
  const int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

}  // namespace

const char* AgentUsage() {
  return "vdibackup agent --config FILE\n"
         "  long-running sidecar: HTTP API (POST/GET /v1/jobs, GET/DELETE /v1/jobs/{id}),\n"
         "  GET /metrics (Prometheus), /healthz, /readyz. FILE is YAML: listen, repo, server,\n"
         "  sqlcmd, defaults {devices, workers, buffer_count, max_transfer_size, worker_endpoint}, "
         "grace_seconds,\n"
         "  http {max_connections, request_timeout_seconds}, tapes (see docs/agent.md)";
}

int RunAgentCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  std::string config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      std::fprintf(stderr, "vdibackup agent: unknown argument '%s'\n%s\n", args[i].c_str(),
                   AgentUsage());
      return ExitCodeFor(ErrorCode::kUsage);
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "vdibackup agent: --config FILE is required\n%s\n", AgentUsage());
    return ExitCodeFor(ErrorCode::kUsage);
  }
  Result<AgentConfig> config = LoadAgentConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "vdibackup agent: %s\n", config.status().message().c_str());
    return ExitCodeFor(ErrorCode::kConfiguration);
  }
  vdibk::log::SetComponent("vdibackup-agent");

  // SIGTERM/SIGINT are taken by sigtimedwait in the main loop; block them before any thread
  // starts (children get an empty mask from ChildProcess). SIGPIPE: a vanished HTTP client.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
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
  AgentApi api(jobs, metrics, heartbeat,
               [sqlcmd, server, repo] { return RunReadinessChecks(sqlcmd, server, repo, 5s); });
  Result<std::unique_ptr<HttpServer>> http = HttpServer::Listen(
      config->listen_host, config->listen_port,
      [&api](const HttpRequest& r) { return api.Handle(r); },
      HttpServerOptions{config->http_max_connections,
                        std::chrono::seconds(config->http_request_timeout_seconds)});
  if (!http.ok()) {
    std::fprintf(stderr, "vdibackup agent: %s\n", http.status().message().c_str());
    return ExitCodeFor(ErrorCode::kConfiguration);
  }
  (*http)->Start();
  const std::string host = config->listen_host.find(':') != std::string::npos
                               ? "[" + config->listen_host + "]"
                               : config->listen_host;
  std::printf("vdibackup agent: listening on %s:%u\n", host.c_str(),
              static_cast<unsigned>((*http)->port()));
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
    (void)WaitSignal(sigs, 50ms);
  }
  if (jobs.Running() > 0) {
    log::Warn("agent: grace period over, killing the jobs still running");
    jobs.KillAll();
    while (jobs.Running() > 0) {
      jobs.Tick();
      (void)WaitSignal(sigs, 20ms);
    }
  }
  (*http)->Stop();
  log::Info("agent: stopped");
  return 0;
}

}  // namespace vdibk::coordinator
