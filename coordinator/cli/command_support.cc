// Stop flag, signal handlers and failure reports of the subcommands.
#include "coordinator/cli/command_support.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "coordinator/pipeline/backup_report.h"

namespace vdibk::coordinator {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

const std::atomic<bool>* StopFlag() { return &g_stop; }

void InstallStopSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int ReportCommandFailure(const char* command, const Status& st, bool json) {
  if (json) {
    std::printf("%s\n", FormatErrorJson(static_cast<uint32_t>(st.code()),
                                        std::string(ErrorCodeName(st.code())), st.message())
                            .c_str());
  }
  std::fprintf(stderr, "vdibackup: %s failed: %s\n", command, st.ToString().c_str());
  return ExitCodeFor(st.code());
}

int ReportUsageError(const char* command, const Status& st) {
  std::fprintf(stderr, "vdibackup %s: %s\n(vdibackup %s --help lists the options)\n", command,
               st.message().c_str(), command);
  return ExitCodeFor(st.code());
}

void AddServerOptions(CommandLine& cl, std::string* sqlcmd, std::string* server,
                      const std::string& when) {
  const std::string w = when.empty() ? "" : " (" + when + ")";
  cl.Text("--sqlcmd", sqlcmd, "PROGRAM",
          "The sqlcmd program that runs the T-SQL" + w + " (default: sqlcmd beside vdibackup)");
  cl.Text("--server", server, "NAME",
          "The SQL Server to talk to, as sqlcmd -S takes it" + w +
              " (default: $VDI_EMULATOR_ENDPOINT, else \".\")");
}

Status FinishServerOptions(const CommandLine& cl, const std::string& bin_dir, std::string* sqlcmd,
                           std::string* server) {
  if (cl.Given("--sqlcmd") && sqlcmd->empty()) return Status::Usage("--sqlcmd must not be empty");
  if (cl.Given("--server") && server->empty()) return Status::Usage("--server must not be empty");
  if (sqlcmd->empty()) *sqlcmd = bin_dir + "/sqlcmd";
  if (server->empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    *server = (env && *env) ? env : ".";
  }
  return Status::Ok();
}

void AddJsonOption(CommandLine& cl, bool* json, const std::string& what) {
  cl.Flag("--json", json, "Print " + what + " as one JSON object on stdout (default: text)");
}

void AddWorkerOptions(CommandLine& cl, std::string* worker_program, WorkerOptionText* external,
                      const std::string& when) {
  const std::string w = when.empty() ? "" : " (" + when + ")";
  cl.Text("--worker-program", worker_program, "PROGRAM",
          "The worker program started per worker" + w +
              " (default: vdibackup-worker beside vdibackup)");
  if (external == nullptr) return;
  cl.Text("--worker-endpoint", &external->endpoint, "ipc:///DIR/NAME",
          "Do not start workers: wait for ones a supervisor launched to connect here as "
          "w0..w(N-1) (default: start them)");
  cl.U32("--worker-wait", &external->wait_s, "SECONDS",
         "With --worker-endpoint: how long to wait for every worker to connect, 1..3600 "
         "(default: 30)");
}

Status FinishWorkerOptions(const CommandLine& cl, const std::string& bin_dir,
                           std::string* worker_program, const WorkerOptionText& text,
                           ExternalWorkers* external) {
  if (cl.Given("--worker-program") && worker_program->empty()) {
    return Status::Usage("--worker-program must not be empty");
  }
  if (worker_program->empty()) *worker_program = bin_dir + "/vdibackup-worker";
  if (external == nullptr) return Status::Ok();
  if (cl.Given("--worker-endpoint")) {
    if (text.endpoint.rfind("ipc:///", 0) != 0) {
      return Status::Usage("--worker-endpoint must be ipc:///DIR/NAME, got '" + text.endpoint +
                           "'");
    }
    external->endpoint = text.endpoint;
  }
  if (cl.Given("--worker-wait")) {
    if (text.wait_s == 0 || text.wait_s > 3600) {
      return Status::Usage("--worker-wait must be 1..3600 seconds, got '" +
                           std::to_string(text.wait_s) + "'");
    }
    external->wait_ms = text.wait_s * 1000;
  }
  return Status::Ok();
}

}  // namespace vdibk::coordinator
