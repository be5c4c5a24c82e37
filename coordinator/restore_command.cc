// The restore subcommand: options -> set selection/validation -> RestoreJob -> report / exit code.
#include "coordinator/restore_command.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "coordinator/backup_report.h"
#include "coordinator/command_support.h"
#include "coordinator/doctor_runner.h"
#include "coordinator/restore_chain.h"
#include "coordinator/restore_options.h"
#include "coordinator/restore_set.h"
#include "coordinator/sql_runner.h"
#include "shared/base/log.h"

namespace vdibk::coordinator {
namespace {

// The sets to restore, each verified (manifest and every stripe) before the first one starts:
// --set latest (default) is the restore chain, --set ID that set alone.
Result<std::vector<RestorePlan>> PlanSets(const RestoreOptions& o) {
  std::vector<std::string> dirs;
  if (o.set == "latest") {
    VDIBK_ASSIGN_OR_RETURN(std::vector<ChainSet> sets, ListChainSets(o.repo, o.database));
    VDIBK_ASSIGN_OR_RETURN(std::vector<ChainSet> chain,
                           PlanRestoreChain(std::move(sets), o.until_unix_ms));
    std::string names;
    for (const ChainSet& c : chain) {
      dirs.push_back(c.dir);
      names += (names.empty() ? "" : ", ") + c.name;
    }
    log::Info("restore chain of " + std::to_string(chain.size()) + " set(s): " + names);
  } else {
    VDIBK_ASSIGN_OR_RETURN(std::string dir, FindSetDir(o.repo, o.database, o.set));
    dirs.push_back(dir);
  }
  std::vector<RestorePlan> plans;
  for (const std::string& dir : dirs) {
    VDIBK_ASSIGN_OR_RETURN(RestorePlan plan, LoadRestoreSet(dir, o.database));
    plans.push_back(std::move(plan));
  }
  return plans;
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

std::string FormatRestoreChainJson(const std::vector<RestoreReport>& reports) {
  if (reports.empty()) return "{\"status\":\"ok\",\"chain\":[]}";
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
  return one + ",\"chain\":[" + chain + "]}";
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
  Result<RestoreOptions> options = ParseRestoreOptions(args, bin_dir);
  if (!options.ok()) {
    std::fprintf(stderr, "vdibackup: %s\n%s\n", options.status().message().c_str(), RestoreUsage());
    return ExitCodeFor(options.status().code());
  }
  // Everything about every set is verified before the server hears of any.
  Result<std::vector<RestorePlan>> plans = PlanSets(*options);
  if (!plans.ok()) return ReportCommandFailure("restore", plans.status(), options->json);
  size_t max_stripes = 0;
  uint32_t max_transfer = 0;
  for (const RestorePlan& p : *plans) {
    log::Info("restoring " + p.set_dir + " (" + std::to_string(p.stripe_files.size()) +
              " stripes) as " + options->target);
    max_stripes = std::max(max_stripes, p.stripe_files.size());
    max_transfer = std::max(max_transfer, p.max_transfer_size);
  }
  InstallStopSignalHandlers();
  SqlcmdRunner sql(options->sqlcmd, options->server);
  // vdibackup doctor's fatal checks, before the device set exists (exit 78 with the fix). The
  // server's default BUFFERCOUNT is 4 per device (one per stripe).
  OsDoctorSystem preflight_system;
  DoctorPlan preflight;
  preflight.buffer_count = 4ull * max_stripes;
  preflight.max_transfer_size =
      options->max_transfer_size != 0 ? options->max_transfer_size : max_transfer;
  preflight.sqlcmd = options->sqlcmd;
  preflight.server = options->server;
  if (Status pre = RunPreflight(preflight, preflight_system, sql); !pre.ok()) {
    return ReportCommandFailure("restore", pre, options->json);
  }
  Result<std::vector<RestoreReport>> reports =
      RunRestoreChain(*options, std::move(plans).value(), sql, StopFlag());
  if (!reports.ok())
    return ReportCommandFailure("restore", ExplainDeviceOpenFailure(reports.status()),
                                options->json);
  std::printf("%s", (options->json ? FormatRestoreChainJson(*reports) + "\n"
                                   : FormatRestoreChainText(*reports))
                        .c_str());
  return 0;
}

}  // namespace vdibk::coordinator
