// Runs the doctor checks in order (shm space, sqlcmd, server pid, shm probe, libsqlvdi,
// namespaces, repository, tapes, the agent's listen address) for `vdibackup doctor`, and the fatal
// subset as the preflight of `vdibackup backup|restore`. Also turns a server's "cannot open the
// virtual device set" error into the configuration error it is.
#ifndef VDIBK_COORDINATOR_DOCTOR_DOCTOR_RUNNER_H_
#define VDIBK_COORDINATOR_DOCTOR_DOCTOR_RUNNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/doctor/doctor_checks.h"
#include "coordinator/doctor/doctor_system.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/status.h"

namespace vdibk::coordinator {

struct DoctorPlan {
  uint64_t buffer_count = 16;             // the statement's BUFFERCOUNT
  uint64_t max_transfer_size = 4u << 20;  // the statement's MAXTRANSFERSIZE
  std::string repo;                       // empty: no repository check
  std::string sqlcmd;                     // the sqlcmd program (a path)
  std::string server;                     // what sqlcmd -S gets (for messages)
  std::vector<std::string> tapes;         // tape devices to open for reading
  std::optional<uint32_t> sql_uid;        // --sql-uid; default: the server process's, else 10001
  std::vector<uint32_t> sql_gids;         // --sql-gid (repeatable); default: passwd
  bool fatal_only = false;  // the preflight: only the checks whose failure stops a job
  // doctor --config: the agent's listen address is checked for being bindable.
  std::optional<std::pair<std::string, uint16_t>> listen;
};

// Every check's result, in order. Never fails as a whole: a failing step is a FAIL result.
// `visible_server_pid` (may be null) gets SQL Server's pid when the namespace check passed (the
// pid is SQL Server's process in our PID namespace: watching it is meaningful).
std::vector<CheckResult> RunDoctorChecks(const DoctorPlan& plan, DoctorSystem& sys, SqlRunner& sql,
                                         std::optional<int>* visible_server_pid = nullptr);

// The identity whose access the shm probe checks (see DoctorPlan::sql_uid).
SqlIdentity ResolveSqlIdentity(const DoctorPlan& plan, DoctorSystem& sys,
                               std::optional<int> server_pid);

// The preflight of backup/restore: RunDoctorChecks with fatal_only; warnings are logged. OK when
// nothing failed, else kConfiguration naming every failed check, what was found and the fix.
// Skipped (OK) when the environment has VDIBACKUP_PREFLIGHT=0.
// `visible_server_pid` as for RunDoctorChecks (left empty when skipped).
Status RunPreflight(DoctorPlan plan, DoctorSystem& sys, SqlRunner& sql,
                    std::optional<int>* visible_server_pid = nullptr);

// `st` unchanged unless it is a SQL error saying the server could not open the virtual device
// set (Msg 3201 "Cannot open backup device ... Operating system error ..."): then kConfiguration
// with the hint that SQL Server and vdibackup must share /dev/shm and the IPC namespace.
Status ExplainDeviceOpenFailure(const Status& st);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_DOCTOR_DOCTOR_RUNNER_H_
