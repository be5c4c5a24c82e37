// `vdibackup doctor`: parses its arguments, runs every doctor check and prints each with
// PASS/WARN/FAIL and the fix (text or --json). Exit 0 when nothing failed (warnings allowed), 78
// when a check failed, 64 for a bad command line.
#ifndef VDIBK_COORDINATOR_CLI_DOCTOR_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_DOCTOR_COMMAND_H_

#include <string>
#include <vector>

#include "coordinator/doctor/doctor_checks.h"
#include "coordinator/doctor/doctor_runner.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

struct DoctorOptions {
  DoctorPlan plan;
  bool json = false;
  std::string config_path;  // --config FILE (the agent's YAML config), "" without
};

// Parses the arguments after "doctor". Defaults as for backup: devices min(cores, 4), buffers
// DefaultBufferArea (backup_options.h: 4 per device of 4 MiB within 64 MiB), sqlcmd "<bin dir>/sqlcmd", server $VDI_EMULATOR_ENDPOINT or
// ".". With --config FILE the agent's config (agent/config/agent_config.h) gives repo, server, sqlcmd,
// devices, buffer count, max transfer size, tapes and the listen address (checked for being
// bindable); the other options override it. Every option but --tape and --sql-gid at most once;
// --devices and --buffer-count at least 1. Errors: kUsage; kConfiguration for a bad FILE.
Result<DoctorOptions> ParseDoctorOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir);

// The --help text: every option with what it does and its default.
std::string DoctorUsage();

// The report: one line per check ("PASS  name  detail", then "      fix: ..." for WARN/FAIL) and
// a summary line; or one JSON object {"status","checks":[{name,status,detail,fix}]}.
std::string FormatDoctorText(const std::vector<CheckResult>& results);
std::string FormatDoctorJson(const std::vector<CheckResult>& results);

int RunDoctorCommand(const std::vector<std::string>& args, const std::string& bin_dir);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_DOCTOR_COMMAND_H_
