// The restore subcommand: options -> set selection/validation -> RestoreJob -> report / exit code.
#include "coordinator/restore_command.h"

#include <signal.h>

#include <atomic>
#include <cstdio>

#include "coordinator/backup_report.h"
#include "coordinator/restore_options.h"
#include "coordinator/restore_set.h"
#include "coordinator/sql_runner.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnRestoreStopSignal(int) { g_stop.store(true); }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnRestoreStopSignal;
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
  std::fprintf(stderr, "vdibackup: restore failed: %s\n", st.ToString().c_str());
  return ExitCodeFor(st.code());
}

}  // namespace

std::string FormatRestoreText(const RestoreReport& r) {
  char line[512];
  const double mb = static_cast<double>(r.raw_bytes) / (1024.0 * 1024.0);
  std::snprintf(line, sizeof(line),
                "restored %s as %s from %s\n  %u device(s), %u worker(s), %.1f MiB in %.2f s "
                "(%.1f MiB/s)\n",
                r.database.c_str(), r.target.c_str(), r.set_dir.c_str(), r.devices, r.workers, mb,
                r.seconds, r.seconds > 0 ? mb / r.seconds : 0.0);
  return line;
}

std::string FormatRestoreJson(const RestoreReport& r) {
  return "{\"status\":\"ok\",\"database\":" + JsonString(r.database) +
         ",\"target\":" + JsonString(r.target) + ",\"set_dir\":" + JsonString(r.set_dir) +
         ",\"set_name\":" + JsonString(r.set_name) + ",\"devices\":" + std::to_string(r.devices) +
         ",\"workers\":" + std::to_string(r.workers) +
         ",\"raw_bytes\":" + std::to_string(r.raw_bytes) +
         ",\"seconds\":" + std::to_string(r.seconds) + "}";
}

int RunRestoreCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<RestoreOptions> options = ParseRestoreOptions(args, bin_dir);
  if (!options.ok()) {
    std::fprintf(stderr, "vdibackup: %s\n%s\n", options.status().message().c_str(), RestoreUsage());
    return ExitCodeFor(options.status().code());
  }
  // Everything about the set is verified before the server hears of it.
  Result<std::string> dir = FindSetDir(options->repo, options->database, options->set);
  if (!dir.ok()) return ReportError(dir.status(), options->json);
  Result<RestorePlan> plan = LoadRestoreSet(*dir, options->database);
  if (!plan.ok()) return ReportError(plan.status(), options->json);
  log::Info("restoring " + *dir + " (" + std::to_string(plan->stripe_files.size()) +
            " stripes) as " + options->target);
  InstallSignalHandlers();
  SqlcmdRunner sql(options->sqlcmd, options->server);
  RestoreJob job(*options, std::move(plan).value(), sql, &g_stop);
  Result<RestoreReport> report = job.Run();
  if (!report.ok()) return ReportError(report.status(), options->json);
  std::printf(
      "%s",
      (options->json ? FormatRestoreJson(*report) + "\n" : FormatRestoreText(*report)).c_str());
  return 0;
}

}  // namespace vdibk::coordinator
