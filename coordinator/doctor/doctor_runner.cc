// RunDoctorChecks / RunPreflight / ExplainDeviceOpenFailure.
#include "coordinator/doctor/doctor_runner.h"

#include "shared/base/log.h"

namespace vdibk::coordinator {

SqlIdentity ResolveSqlIdentity(const DoctorPlan& plan, DoctorSystem& sys,
                               std::optional<int> server_pid) {
  SqlIdentity who;
  if (!plan.sql_uid && server_pid) {
    if (std::optional<Credentials> c = ServerProcessCredentials(sys, *server_pid)) {
      who.creds = *c;
      who.groups_known = true;
      who.source = "SQL Server process " + std::to_string(*server_pid);
      return who;
    }
  }
  who.creds.uid = plan.sql_uid.value_or(kDefaultSqlUid);
  who.source = plan.sql_uid ? "--sql-uid" : "SQL Server's default user";
  if (!plan.sql_gids.empty()) {
    who.creds.gids = plan.sql_gids;
    who.groups_known = true;
  } else if (std::optional<Credentials> c = sys.UserCredentials(who.creds.uid)) {
    who.creds = *c;
    who.groups_known = true;
  }
  return who;
}

std::vector<CheckResult> RunDoctorChecks(const DoctorPlan& plan, DoctorSystem& sys, SqlRunner& sql,
                                         std::optional<int>* visible_server_pid) {
  std::vector<CheckResult> out;
  out.push_back(CheckShmSpace(sys, plan.buffer_count, plan.max_transfer_size));
  Result<int> server_pid = 0;  // CheckSqlcmd sets it: the pid, or why it is not known
  out.push_back(CheckSqlcmd(sys, sql, plan.sqlcmd, plan.server, kSqlCheckTimeout, &server_pid));
  std::optional<int> pid;
  std::string why_unknown;
  if (server_pid.ok()) {
    pid = *server_pid;
  } else {
    why_unknown = server_pid.status().message();
  }
  std::optional<VdiLibraryInfo> lib = sys.VdiLibrary();
  out.push_back(
      CheckShmProbe(sys, ResolveSqlIdentity(plan, sys, pid), lib.has_value() && !lib->ours));
  if (!plan.fatal_only) out.push_back(CheckVdiLibrary(sys));
  out.push_back(CheckNamespaces(sys, pid, why_unknown));
  if (visible_server_pid && out.back().status == CheckStatus::kPass) *visible_server_pid = pid;
  if (!plan.repo.empty()) out.push_back(CheckRepoWritable(sys, plan.repo));
  if (!plan.fatal_only) {
    for (const std::string& tape : plan.tapes) out.push_back(CheckTapeReadable(sys, tape));
    if (plan.listen) out.push_back(CheckListen(sys, plan.listen->first, plan.listen->second));
  }
  return out;
}

Status RunPreflight(DoctorPlan plan, DoctorSystem& sys, SqlRunner& sql,
                    std::optional<int>* visible_server_pid) {
  std::optional<std::string> off = sys.GetEnv("VDIBACKUP_PREFLIGHT");
  if (off && *off == "0") {
    log::Warn("preflight checks skipped (VDIBACKUP_PREFLIGHT=0)");
    return Status::Ok();
  }
  plan.fatal_only = true;
  std::string failures;
  for (const CheckResult& r : RunDoctorChecks(plan, sys, sql, visible_server_pid)) {
    if (r.status == CheckStatus::kPass) continue;
    const std::string text = r.name + ": " + r.detail + (r.fix.empty() ? "" : ". Fix: " + r.fix);
    if (r.status == CheckStatus::kWarn) {
      log::Warn("preflight " + text);
      continue;
    }
    if (!failures.empty()) failures += "; ";
    failures += text;
  }
  if (failures.empty()) return Status::Ok();
  return Status::Configuration("preflight failed (vdibackup doctor shows every check): " +
                               failures);
}

Status ExplainDeviceOpenFailure(const Status& st) {
  if (st.code() != ErrorCode::kSqlError) return st;
  const std::string& m = st.message();
  if (m.find("Cannot open backup device") == std::string::npos ||
      m.find("Operating system error") == std::string::npos) {
    return st;
  }
  return Status::Configuration(
      m +
      " -- hint: SQL Server could not open the virtual device set vdibackup created in /dev/shm. "
      "SQL Server and vdibackup must share one /dev/shm and IPC namespace (same pod with a "
      "shared emptyDir at /dev/shm; docker --ipc=container:<sql>; no PrivateIPC=/PrivateDevices= "
      "in systemd units) and SQL Server's user must be able to open the objects (group "
      "read-write, VDIBACKUP_SHM_MODE). Run `vdibackup doctor` to check.");
}

}  // namespace vdibk::coordinator
