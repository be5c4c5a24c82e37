// The restore subcommand: options -> set selection/validation -> RestoreJob -> report / exit code.
#include "coordinator/cli/restore_command.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>

#include "coordinator/repo/chain_history.h"
#include "coordinator/cli/cli_progress.h"
#include "coordinator/cli/command_support.h"
#include "coordinator/doctor/doctor_orphans.h"
#include "coordinator/doctor/doctor_runner.h"
#include "coordinator/progress/progress_display.h"
#include "coordinator/repo/restore_chain.h"
#include "coordinator/cli/restore_options.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/sql/server_watch.h"
#include "coordinator/sql/sql_runner.h"
#include "coordinator/sql/tsql_builder.h"
#include "shared/base/json_text.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

// What a restore will do, decided before the server hears of it.
struct RestorePlanning {
  std::vector<RestorePlan> plans;
  std::vector<ChainSet> chain;          // --set latest: the chain
  std::vector<ChainSet> repo_sets;      // --set latest: every complete set of the database
  std::vector<std::string> shortfalls;  // why the chain may stop short of the latest backup
};

// The sets to restore, each verified (manifest and every stripe) before the first one starts:
// --set latest (default) is the restore chain, --set ID that set alone. A chain that may stop
// short (a gap, an unconfirmed or corrupt set after its start) is refused with kMissing unless
// --allow-partial-chain, which keeps the shortfalls for the report.
Result<RestorePlanning> PlanSets(const RestoreSpec& o) {
  RestorePlanning out;
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<RepoStore> store, OpenRepoStore(o.repo));
  if (!store->LocalRoot()) {  // the workers read stripes from local paths
    return Status::Configuration("--repo " + o.repo +
                                 ": restores from an S3 repository are not wired yet");
  }
  std::vector<std::string> sets;
  if (o.set == "latest") {
    std::vector<ChainBlocker> blockers;
    VDIBK_ASSIGN_OR_RETURN(out.repo_sets, ListChainSets(*store, o.database, &blockers));
    std::string gap;
    Result<std::vector<ChainSet>> chain =
        PlanRestoreChain(out.repo_sets, o.until_unix_ms, o.allow_partial_chain ? &gap : nullptr);
    if (!chain.ok()) {
      if (blockers.empty()) return chain.status();
      return chain.status().WithContext("the repository also holds sets that cannot be used: " +
                                        DescribeBlockers(blockers));
    }
    out.chain = std::move(chain).value();
    if (!gap.empty()) out.shortfalls.push_back(gap);
    const std::vector<ChainBlocker> after = BlockersAfter(out.chain, blockers, o.until_unix_ms);
    if (!after.empty()) {
      out.shortfalls.push_back("sets after the chain's start that cannot be used: " +
                               DescribeBlockers(after));
    }
    if (!out.shortfalls.empty() && !o.allow_partial_chain) {
      return Status::Missing(
          "the restore would stop short of the latest backup: " + out.shortfalls.front() +
          "; pass --allow-partial-chain to restore what the repository has");
    }
    std::string names;
    for (const ChainSet& c : out.chain) {
      sets.push_back(c.name);
      names += (names.empty() ? "" : ", ") + c.name;
    }
    log::Info("restore chain of " + std::to_string(out.chain.size()) + " set(s): " + names);
  } else {
    VDIBK_ASSIGN_OR_RETURN(std::string set, FindSet(*store, o.database, o.set));
    sets.push_back(set);
  }
  for (const std::string& set : sets) {
    VDIBK_ASSIGN_OR_RETURN(RestorePlan plan, LoadRestoreSet(*store, o.database, set));
    out.plans.push_back(std::move(plan));
  }
  return out;
}

// --set latest against the server the backups were taken from: the backups its history records
// beyond the chain's end are shortfalls too. Skipped (logged) when the restore goes to another
// server than the chain's sets came from, or the history cannot be read.
void CompareWithServerHistory(const RestoreSpec& o, SqlRunner& sql, RestorePlanning* p) {
  if (p->chain.empty()) return;
  const std::string& source = p->chain.back().manifest.server_name();
  if (source != o.server) {
    log::Info("the chain was backed up through server '" + source + "', the restore goes to '" +
              o.server + "': its backup history is not compared with the repository");
    return;
  }
  HistoryQueryResult q = RunHistoryQuery(sql, BuildBackupHistoryQuery(o.database, 200));
  if (q.verdict != StatementVerdict::kSucceeded) {
    log::Warn("cannot compare the chain with the server's backup history: " + q.detail);
    return;
  }
  const std::vector<BackupHistoryRow> beyond =
      BackupsBeyondChain(p->chain, p->repo_sets, q.rows, o.until_unix_ms);
  if (beyond.empty()) return;
  p->shortfalls.push_back(
      "the server's backup history records backups the repository does not "
      "have past the chain's end: " +
      DescribeHistoryRows(beyond));
}

}  // namespace

std::string FormatRestoreChainText(const std::vector<RestoreReport>& reports) {
  std::string out;
  for (const RestoreReport& r : reports) out += FormatRestoreText(r);
  if (reports.size() > 1) {
    double seconds = 0;
    for (const RestoreReport& r : reports) seconds += r.seconds;
    char line[256];
    std::snprintf(line, sizeof line, "restore chain of %zu sets done in %.2f s\n", reports.size(),
                  seconds);
    out += line;
  }
  return out;
}

std::string FormatRestoreChainJson(const std::vector<RestoreReport>& reports,
                                   const std::vector<std::string>& warnings) {
  std::string extra;
  if (!warnings.empty()) {
    extra = ",\"warnings\":[";
    for (size_t i = 0; i < warnings.size(); ++i) extra += (i ? "," : "") + JsonString(warnings[i]);
    extra += "]";
  }
  if (reports.empty()) return "{\"status\":\"ok\",\"chain\":[]" + extra + "}";
  // The last set's fields at the top (as for one set), totals, then every set.
  RestoreReport total = reports.back();
  total.raw_bytes = 0;
  total.seconds = 0;
  std::string chain;
  for (const RestoreReport& r : reports) {
    total.raw_bytes += r.raw_bytes;
    total.seconds += r.seconds;
    chain += std::string(chain.empty() ? "" : ",") + "{\"set_dir\":" + JsonString(r.set_dir) +
             ",\"type\":" + JsonString(r.backup_type) +
             ",\"devices\":" + std::to_string(r.devices) +
             ",\"raw_bytes\":" + std::to_string(r.raw_bytes) +
             ",\"seconds\":" + std::to_string(r.seconds) + "}";
  }
  std::string one = FormatRestoreJson(total);
  one.pop_back();  // the closing brace
  if (!warnings.empty()) one.replace(one.find("\"status\":\"ok\""), 13, "\"status\":\"warning\"");
  return one + ",\"chain\":[" + chain + "]" + extra + "}";
}

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
  Result<RestoreSpec> options = ParseRestoreOptions(args, bin_dir);
  if (!options.ok()) {
    return ReportUsageError("restore", options.status());
  }
  // Everything about every set is verified before the server hears of any.
  Result<RestorePlanning> planning = PlanSets(*options);
  if (!planning.ok()) return ReportCommandFailure("restore", planning.status(), options->json);
  size_t max_stripes = 0;
  uint32_t max_transfer = 0;
  for (const RestorePlan& p : planning->plans) {
    log::Info("restoring " + p.set_dir + " (" + std::to_string(p.stripe_files.size()) +
              " stripes) as " + options->target);
    max_stripes = std::max(max_stripes, p.stripe_files.size());
    max_transfer = std::max(max_transfer, p.max_transfer_size);
  }
  InstallStopSignalHandlers();
  SqlcmdRunner sql(options->sqlcmd, options->server);
  SweepOrphanedSetsAtStart();  // sets of killed runs: before the preflight sizes /dev/shm
  // vdibackup doctor's fatal checks, before the device set exists (exit 78 with the fix). The
  // server's default BUFFERCOUNT is 4 per device (one per stripe).
  OsDoctorSystem preflight_system;
  DoctorPlan preflight;
  preflight.buffer_count = 4ull * max_stripes;
  preflight.max_transfer_size =
      options->max_transfer_size != 0 ? options->max_transfer_size : max_transfer;
  preflight.sqlcmd = options->sqlcmd;
  preflight.server = options->server;
  std::optional<int> server_pid;
  if (Status pre = RunPreflight(preflight, preflight_system, sql, &server_pid); !pre.ok()) {
    return ReportCommandFailure("restore", pre, options->json);
  }
  CompareWithServerHistory(*options, sql, &*planning);
  if (!planning->shortfalls.empty() && !options->allow_partial_chain) {
    return ReportCommandFailure(
        "restore",
        Status::Missing(
            "the restore would stop short of the latest backup: " + planning->shortfalls.back() +
            "; pass --allow-partial-chain to restore what the repository has"),
        options->json);
  }
  for (const std::string& s : planning->shortfalls) {
    log::Warn("PARTIAL RESTORE (--allow-partial-chain): " + s);
  }
  // The live figures, one set at a time: a terminal line (unless --json or --no-progress),
  // --progress-fd JSON lines for the agent; each set's ETA from its raw size (the job's).
  CliProgressOptions live;
  live.terminal = options->progress && !options->json && ProgressDisplay::StderrIsTerminal();
  live.fd = options->progress_fd;
  CliProgress progress(live);
  Result<std::vector<RestoreReport>> reports =
      RunRestoreChain(*options, std::move(planning->plans), sql, StopFlag(),
                      server_pid ? ServerWatch::ForPid(*server_pid) : ServerWatch(),
                      live.terminal || live.fd >= 0 ? &progress : nullptr);
  if (!reports.ok())
    return ReportCommandFailure("restore", ExplainDeviceOpenFailure(reports.status()),
                                options->json);
  std::printf("%s", (options->json ? FormatRestoreChainJson(*reports, planning->shortfalls) + "\n"
                                   : FormatRestoreChainText(*reports))
                        .c_str());
  for (const std::string& s : planning->shortfalls) {
    if (!options->json) std::printf("warning: partial restore: %s\n", s.c_str());
  }
  return planning->shortfalls.empty() ? 0 : ExitCodeFor(ErrorCode::kWarning);
}

}  // namespace vdibk::coordinator
