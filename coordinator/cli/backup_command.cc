// The backup subcommand: options -> BackupJob -> report / error and exit code.
#include "coordinator/cli/backup_command.h"

#include <atomic>
#include <cstdio>
#include <optional>

#include "coordinator/pipeline/backup_job.h"
#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/progress/progress_display.h"
#include "coordinator/sql/database_size.h"
#include "coordinator/cli/cli_progress.h"
#include "coordinator/cli/backup_options.h"
#include "coordinator/pipeline/backup_report.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/cli/command_support.h"
#include "coordinator/doctor/doctor_orphans.h"
#include "coordinator/doctor/doctor_runner.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {

int RunBackupCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<BackupSpec> options = ParseBackupOptions(args, bin_dir);
  if (!options.ok()) {
    return ReportUsageError("backup", options.status());
  }
  // The repository's kind before anything runs (backups to an s3:// repository: not wired yet).
  if (!options->null_target) {
    if (Status st = CheckBackupRepo(options->repo); !st.ok()) {
      return ReportCommandFailure("backup", st, options->json);
    }
  }
  InstallStopSignalHandlers();
  SqlcmdRunner sql(options->sqlcmd, options->server);
  SweepOrphanedSetsAtStart();  // sets of killed runs: before the preflight sizes /dev/shm
  // vdibackup doctor's fatal checks, before the device set exists (exit 78 with the fix).
  OsDoctorSystem preflight_system;
  DoctorPlan preflight;
  preflight.buffer_count = options->buffer_count;
  preflight.max_transfer_size = options->max_transfer_size;
  preflight.repo = options->repo;
  preflight.sqlcmd = options->sqlcmd;
  preflight.server = options->server;
  std::optional<int> server_pid;
  if (Status pre = RunPreflight(preflight, preflight_system, sql, &server_pid); !pre.ok()) {
    return ReportCommandFailure("backup", pre, options->json);
  }
  // The live figures: a terminal line (unless --json or --no-progress), --progress-fd JSON lines;
  // the ETA needs the database size (without it: no ETA).
  CliProgressOptions live;
  live.terminal = options->progress && !options->json && ProgressDisplay::StderrIsTerminal();
  live.fd = options->progress_fd;
  if (live.terminal || live.fd >= 0) live.total = QueryDatabaseSize(sql, options->database);
  CliProgress progress(live);
  BackupJob job(*options, sql, StopFlag(), &progress);
  if (server_pid) job.WatchServer(ServerWatch::ForPid(*server_pid));
  Result<BackupReport> report = job.Run();
  if (!report.ok())
    return ReportCommandFailure("backup", ExplainDeviceOpenFailure(report.status()), options->json);
  if (options->json) {
    std::printf("%s\n", FormatReportJson(*report).c_str());
  } else {
    std::printf("%s", FormatReportText(*report).c_str());
  }
  for (const std::string& w : report->warnings) log::Warn(w);
  // Exit 1: the backup is good, but something on the way deserves a look (e.g. it was confirmed
  // from the server's history after the connection was lost).
  return report->warnings.empty() ? 0 : ExitCodeFor(ErrorCode::kWarning);
}

}  // namespace vdibk::coordinator
