// The backup subcommand: options -> BackupJob -> report / error and exit code.
#include "coordinator/backup_command.h"

#include <signal.h>

#include <atomic>
#include <cstdio>

#include "coordinator/backup_job.h"
#include "coordinator/backup_options.h"
#include "coordinator/backup_report.h"
#include "coordinator/doctor_runner.h"
#include "coordinator/sql_runner.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int ReportError(const Status& st, bool json) {
  if (json) {
    std::printf("%s\n", FormatErrorJson(static_cast<uint32_t>(st.code()),
                                        std::string(ErrorCodeName(st.code())), st.message())
                            .c_str());
  }
  std::fprintf(stderr, "vdibackup: backup failed: %s\n", st.ToString().c_str());
  return ExitCodeFor(st.code());
}

}  // namespace

int RunBackupCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<BackupOptions> options = ParseBackupOptions(args, bin_dir);
  if (!options.ok()) {
    std::fprintf(stderr, "vdibackup: %s\n%s\n", options.status().message().c_str(), BackupUsage());
    return ExitCodeFor(options.status().code());
  }
  InstallSignalHandlers();
  SqlcmdRunner sql(options->sqlcmd, options->server);
  // vdibackup doctor's fatal checks, before the device set exists (exit 78 with the fix).
  OsDoctorSystem preflight_system;
  DoctorPlan preflight;
  preflight.buffer_count = options->buffer_count;
  preflight.max_transfer_size = options->max_transfer_size;
  preflight.repo = options->repo;
  preflight.sqlcmd = options->sqlcmd;
  preflight.server = options->server;
  if (Status pre = RunPreflight(preflight, preflight_system, sql); !pre.ok()) {
    return ReportError(pre, options->json);
  }
  BackupJob job(*options, sql, &g_stop);
  Result<BackupReport> report = job.Run();
  if (!report.ok()) return ReportError(ExplainDeviceOpenFailure(report.status()), options->json);
  if (options->json) {
    std::printf("%s\n", FormatReportJson(*report).c_str());
  } else {
    std::printf("%s", FormatReportText(*report).c_str());
  }
  return 0;
}

}  // namespace vdibk::coordinator
