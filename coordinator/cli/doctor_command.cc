// The doctor subcommand: options -> RunDoctorChecks -> report and exit code.
#include "coordinator/cli/doctor_command.h"

#include "coordinator/cli/backup_options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>

#include "agent/config/agent_config.h"
#include "coordinator/cli/command_support.h"
#include "coordinator/doctor/doctor_orphans.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/command_line.h"
#include "shared/base/json_text.h"
#include "shared/base/log.h"
#include "shared/transport/job_ipc_dir.h"

namespace vdibk::coordinator {
namespace {

// The ipc directories that coordinators killed outright left in $TMPDIR or /tmp: removed (their
// owner lock is free), as the next backup or restore would.
CheckResult SweepIpcDirs() {
  const std::vector<std::string> removed = transport::SweepAbandonedIpcDirs();
  std::string detail = "no abandoned " + transport::DefaultJobIpcBase() + "/" +
                       transport::kJobIpcDirPrefix + "* directories";
  if (!removed.empty()) {
    detail = "removed " + std::to_string(removed.size()) +
             " abandoned ipc directory(ies) of ended vdibackup runs:";
    for (const std::string& d : removed) detail += " " + d;
  }
  return {"ipc-dirs", CheckStatus::kPass, detail, ""};
}

bool AnyFailed(const std::vector<CheckResult>& results) {
  return std::any_of(results.begin(), results.end(),
                     [](const CheckResult& r) { return r.status == CheckStatus::kFail; });
}

}  // namespace

namespace {

// The command line as CommandLine fills it; the config file's values are applied under it.
struct DoctorArgs {
  DoctorOptions o;
  std::string config;
  std::string repo, sqlcmd, server;
  uint32_t devices = 0, buffer_count = 0, max_transfer = 0, sql_uid = 0;
  std::vector<std::string> tapes;
  std::vector<uint32_t> sql_gids;
};

void Define(CommandLine& cl, DoctorArgs& a) {
  cl.Text("--config", &a.config, "FILE",
          "Check what the agent's YAML config sets up: it gives repo, server, sqlcmd, "
          "defaults.devices/buffer_count/max_transfer_size, tapes and the listen address (checked "
          "for being bindable); the other options override it (default: none)");
  cl.Text("--repo", &a.repo, "DIR",
          "Check the repository: writable, fsync, free space (default: not checked)");
  cl.U32("--devices", &a.devices, "N",
         "Devices of the backups to size /dev/shm for, 1..64 (default: min(cores, 4))");
  cl.U32("--buffer-count", &a.buffer_count, "B",
         "Buffers of the backups to size /dev/shm for, >= 1 (default: 4 per device)");
  cl.U32("--max-transfer-size", &a.max_transfer, "BYTES",
         "Largest transfer, a multiple of 65536 up to 4194304 (default: 4194304)");
  AddServerOptions(cl, &a.sqlcmd, &a.server);
  cl.Repeated("--tape", &a.tapes, "DEVICE",
              "A tape device to open for reading; replaces the config's list (default: none)");
  cl.U32("--sql-uid", &a.sql_uid, "UID",
         "The user SQL Server runs as, for the /dev/shm probe (default: the server process's, "
         "else 10001)");
  cl.RepeatedU32("--sql-gid", &a.sql_gids, "GID",
                 "A group of SQL Server's user (default: from the passwd database)");
  AddJsonOption(cl, &a.o.json, "the checks");
  cl.LogFormat();
}

CommandLine DoctorCommandLine() {
  return CommandLine("vdibackup doctor",
                     "Check the environment: /dev/shm, libsqlvdi, sqlcmd, SQL Server's "
                     "namespaces, the repository, tapes; PASS/WARN/FAIL with the fix");
}

}  // namespace

std::string DoctorUsage() {
  DoctorArgs a;
  CommandLine cl = DoctorCommandLine();
  Define(cl, a);
  return cl.Help();
}

Result<DoctorOptions> ParseDoctorOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  DoctorArgs a;
  CommandLine cl = DoctorCommandLine();
  Define(cl, a);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  DoctorOptions& o = a.o;
  uint32_t devices = 0, buffer_count = 0, max_transfer = 0;  // 0: as backup's default
  // The file gives the defaults, the other options override them.
  if (cl.Given("--config")) {
    VDIBK_ASSIGN_OR_RETURN(AgentConfig c, LoadAgentConfig(a.config));
    o.config_path = a.config;
    o.plan.repo = c.repo;
    o.plan.sqlcmd = c.sqlcmd;
    o.plan.server = c.server;
    o.plan.tapes = c.tapes;
    o.plan.listen = std::make_pair(c.listen_host, c.listen_port);
    devices = c.default_devices;
    buffer_count = c.default_buffer_count;
    max_transfer = c.default_max_transfer_size;
  }
  if (cl.Given("--repo")) o.plan.repo = a.repo;
  if (cl.Given("--devices")) {
    if (a.devices == 0) return Status::Usage("--devices must be 1..64, got 0");
    devices = a.devices;
  }
  if (cl.Given("--buffer-count")) {
    if (a.buffer_count == 0) return Status::Usage("--buffer-count must be at least 1, got 0");
    buffer_count = a.buffer_count;
  }
  if (cl.Given("--max-transfer-size")) {
    if (a.max_transfer == 0) {
      return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
    }
    max_transfer = a.max_transfer;
  }
  if (cl.Given("--sqlcmd")) o.plan.sqlcmd = a.sqlcmd;
  if (cl.Given("--server")) o.plan.server = a.server;
  if (cl.Given("--tape")) o.plan.tapes = a.tapes;  // the command line's list replaces the file's
  if (cl.Given("--sql-uid")) o.plan.sql_uid = a.sql_uid;
  o.plan.sql_gids = a.sql_gids;
  if (devices == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    devices = cores == 0 ? 1 : std::min(cores, 4u);
  }
  if (devices > 64) return Status::Usage("--devices must be 1..64");
  if (buffer_count == 0 && max_transfer == 0) {  // backup's defaults (backup_options.h)
    const BufferArea area = DefaultBufferArea(devices, devices);
    buffer_count = area.buffer_count;
    max_transfer = area.max_transfer_size;
  }
  if (max_transfer == 0) max_transfer = 4u << 20;
  if (max_transfer % 65536 != 0 || max_transfer > (4u << 20)) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  o.plan.buffer_count = buffer_count != 0 ? buffer_count : 4ull * devices;
  o.plan.max_transfer_size = max_transfer;
  if (cl.Given("--sqlcmd") && o.plan.sqlcmd.empty()) {
    return Status::Usage("--sqlcmd must not be empty");
  }
  if (cl.Given("--server") && o.plan.server.empty()) {
    return Status::Usage("--server must not be empty");
  }
  // The repository can be opened (an s3:// one needs an S3 configuration: kConfiguration, 78).
  if (!o.plan.repo.empty()) VDIBK_RETURN_IF_ERROR(OpenRepoStore(o.plan.repo).status());
  if (o.plan.sqlcmd.empty()) o.plan.sqlcmd = bin_dir + "/sqlcmd";
  if (o.plan.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.plan.server = (env && *env) ? env : ".";
  }
  return o;
}

std::string FormatDoctorText(const std::vector<CheckResult>& results) {
  std::string out;
  int fails = 0, warns = 0;
  for (const CheckResult& r : results) {
    char head[64];
    std::snprintf(head, sizeof(head), "%s  %-10s ", CheckStatusName(r.status), r.name.c_str());
    out += head + r.detail + "\n";
    if (r.status != CheckStatus::kPass && !r.fix.empty()) out += "      fix: " + r.fix + "\n";
    fails += r.status == CheckStatus::kFail;
    warns += r.status == CheckStatus::kWarn;
  }
  out += std::to_string(results.size()) + " checks: " + std::to_string(fails) + " failed, " +
         std::to_string(warns) + " warning(s)\n";
  return out;
}

std::string FormatDoctorJson(const std::vector<CheckResult>& results) {
  std::string out =
      std::string("{\"status\":") + (AnyFailed(results) ? "\"fail\"" : "\"ok\"") + ",\"checks\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    const CheckResult& r = results[i];
    std::string status = CheckStatusName(r.status);
    std::transform(status.begin(), status.end(), status.begin(), ::tolower);
    out += std::string(i ? "," : "") + "{\"name\":" + JsonString(r.name) +
           ",\"status\":" + JsonString(status) + ",\"detail\":" + JsonString(r.detail) +
           ",\"fix\":" + JsonString(r.fix) + "}";
  }
  return out + "]}";
}

int RunDoctorCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<DoctorOptions> options = ParseDoctorOptions(args, bin_dir);
  if (!options.ok()) {
    if (options.status().code() == ErrorCode::kUsage) {
      return ReportUsageError("doctor", options.status());
    }
    std::fprintf(stderr, "vdibackup doctor: %s\n", options.status().message().c_str());
    return ExitCodeFor(options.status().code());
  }
  OsDoctorSystem sys;
  SqlcmdRunner sql(options->plan.sqlcmd, options->plan.server);
  // Orphaned sets go first: their buffer segments count against the shm-space check.
  CheckResult orphans = CheckOrphanedSets();
  std::vector<CheckResult> results = RunDoctorChecks(options->plan, sys, sql);
  results.push_back(SweepIpcDirs());
  results.push_back(std::move(orphans));
  const bool failed = AnyFailed(results);
  log::Info(std::string("doctor: ") + std::to_string(results.size()) + " checks, " +
            (failed ? "some failed" : "none failed"));
  std::printf("%s", options->json ? (FormatDoctorJson(results) + "\n").c_str()
                                  : FormatDoctorText(results).c_str());
  return ExitCodeFor(failed ? ErrorCode::kConfiguration : ErrorCode::kOk);
}

}  // namespace vdibk::coordinator
