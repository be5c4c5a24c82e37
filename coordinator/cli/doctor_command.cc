// The doctor subcommand: options -> RunDoctorChecks -> report and exit code.
#include "coordinator/cli/doctor_command.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "agent/config/agent_config.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/json_text.h"
#include "shared/base/log.h"
#include "coordinator/cli/command_support.h"
#include "shared/base/option_once.h"
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

const char* DoctorUsage() {
  return "usage: vdibackup doctor [--config FILE] [--repo DIR] [--devices N] [--buffer-count B]\n"
         "         [--max-transfer-size BYTES] [--sqlcmd PROGRAM] [--server NAME]\n"
         "         [--tape DEVICE ...] [--sql-uid UID] [--sql-gid GID ...] [--json]\n"
         "  --config: the agent's YAML config gives the defaults (repo, server, sqlcmd,\n"
         "  defaults.devices/buffer_count/max_transfer_size, tapes, listen); options override it";
}

Result<DoctorOptions> ParseDoctorOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  DoctorOptions o;
  uint32_t devices = 0, buffer_count = 0, max_transfer = 4u << 20;
  // --config first: the file gives the defaults, the other options override them.
  std::optional<size_t> config_at;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--config") continue;
    if (i + 1 >= args.size()) return Status::Usage("--config needs a value");
    if (config_at) return Status::Usage("--config given twice (each option may be given once)");
    config_at = i++;
  }
  if (config_at) {
    const size_t i = *config_at;
    VDIBK_ASSIGN_OR_RETURN(AgentConfig c, LoadAgentConfig(args[i + 1]));
    o.config_path = args[i + 1];
    o.plan.repo = c.repo;
    o.plan.sqlcmd = c.sqlcmd;
    o.plan.server = c.server;
    o.plan.tapes = c.tapes;
    o.plan.listen = std::make_pair(c.listen_host, c.listen_port);
    devices = c.default_devices;
    buffer_count = c.default_buffer_count;
    if (c.default_max_transfer_size != 0) max_transfer = c.default_max_transfer_size;
  }
  bool tapes_given = false;
  OptionOnce once({"--tape", "--sql-gid"});
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    VDIBK_RETURN_IF_ERROR(once.See(a));
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    auto number = [&]() -> Result<uint32_t> {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      return ParseU32(a, v);
    };
    if (a == "--config") {
      ++i;  // read above
    } else if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.plan.repo, value());
    } else if (a == "--devices") {
      VDIBK_ASSIGN_OR_RETURN(devices, number());
      if (devices == 0) return Status::Usage("--devices must be 1..64, got 0");
    } else if (a == "--buffer-count") {
      VDIBK_ASSIGN_OR_RETURN(buffer_count, number());
      if (buffer_count == 0) return Status::Usage("--buffer-count must be at least 1, got 0");
    } else if (a == "--max-transfer-size") {
      VDIBK_ASSIGN_OR_RETURN(max_transfer, number());
    } else if (a == "--sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(o.plan.sqlcmd, value());
    } else if (a == "--server") {
      VDIBK_ASSIGN_OR_RETURN(o.plan.server, value());
    } else if (a == "--tape") {
      VDIBK_ASSIGN_OR_RETURN(std::string t, value());
      if (!tapes_given) o.plan.tapes.clear();  // the command line's list replaces the file's
      tapes_given = true;
      o.plan.tapes.push_back(t);
    } else if (a == "--sql-uid") {
      VDIBK_ASSIGN_OR_RETURN(uint32_t uid, number());
      o.plan.sql_uid = uid;
    } else if (a == "--sql-gid") {
      VDIBK_ASSIGN_OR_RETURN(uint32_t gid, number());
      o.plan.sql_gids.push_back(gid);
    } else if (a == "--json") {
      o.json = true;
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (devices == 0) {
    unsigned cores = std::thread::hardware_concurrency();
    devices = cores == 0 ? 1 : std::min(cores, 4u);
  }
  if (devices > 64) return Status::Usage("--devices must be 1..64");
  if (max_transfer == 0 || max_transfer % 65536 != 0 || max_transfer > (4u << 20)) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  o.plan.buffer_count = buffer_count != 0 ? buffer_count : 4ull * devices;
  o.plan.max_transfer_size = max_transfer;
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
    const bool usage = options.status().code() == ErrorCode::kUsage;
    std::fprintf(stderr, "vdibackup doctor: %s%s%s\n", options.status().message().c_str(),
                 usage ? "\n" : "", usage ? DoctorUsage() : "");
    return ExitCodeFor(options.status().code());
  }
  OsDoctorSystem sys;
  SqlcmdRunner sql(options->plan.sqlcmd, options->plan.server);
  std::vector<CheckResult> results = RunDoctorChecks(options->plan, sys, sql);
  results.push_back(SweepIpcDirs());
  const bool failed = AnyFailed(results);
  log::Info(std::string("doctor: ") + std::to_string(results.size()) + " checks, " +
            (failed ? "some failed" : "none failed"));
  std::printf("%s", options->json ? (FormatDoctorJson(results) + "\n").c_str()
                                  : FormatDoctorText(results).c_str());
  return ExitCodeFor(failed ? ErrorCode::kConfiguration : ErrorCode::kOk);
}

}  // namespace vdibk::coordinator
