// The doctor checks: each inspects one precondition of a backup or restore through DoctorSystem
// (and SqlRunner) and returns a CheckResult with a PASS/WARN/FAIL status and, on failure, the fix.
// Checks never throw and never leave anything behind (probe objects and files are removed).
#ifndef VDIBK_COORDINATOR_DOCTOR_DOCTOR_CHECKS_H_
#define VDIBK_COORDINATOR_DOCTOR_DOCTOR_CHECKS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/doctor/doctor_system.h"
#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator {

enum class CheckStatus { kPass, kWarn, kFail };

struct CheckResult {
  std::string name;  // stable, e.g. "shm-space"
  CheckStatus status = CheckStatus::kPass;
  std::string detail;  // what was found
  std::string fix;     // for WARN/FAIL: what to change
};

const char* CheckStatusName(CheckStatus s);  // "PASS", "WARN", "FAIL"

// The uid SQL Server runs as in Microsoft's images (mssql).
constexpr uint32_t kDefaultSqlUid = 10001;
// The mode libsqlvdi gives its shared-memory objects unless VDIBACKUP_SHM_MODE (octal) says else.
constexpr uint32_t kDefaultShmMode = 0660;
// How long one doctor statement may take.
constexpr std::chrono::milliseconds kSqlCheckTimeout{15000};

// The mode libsqlvdi will use: VDIBACKUP_SHM_MODE when it is a valid octal mode, else 0660.
uint32_t EffectiveShmMode(DoctorSystem& sys);

// /dev/shm must hold buffer_count x max_transfer_size bytes (the server's buffer area; the control
// block is small). FAIL when statvfs says less is available.
CheckResult CheckShmSpace(DoctorSystem& sys, uint64_t buffer_count, uint64_t max_transfer_size);

// Who must be able to open our objects: SQL Server's user.
struct SqlIdentity {
  Credentials creds;          // uid and groups
  bool groups_known = false;  // false: only the uid is known (no passwd entry, no --sql-gid)
  std::string source;         // e.g. "--sql-uid", "SQL Server process 42", "default uid 10001"
};

// Whether `who` may read and write an object with `obj`'s owner, group and mode; sets `via` to
// "root", "owner", "group", "other" or "unknown" (groups unknown and only the group bits allow).
bool SqlUserHasAccess(const SqlIdentity& who, const ObjectStat& obj, std::string* via);

// Creates a probe object in /dev/shm with the mode libsqlvdi uses, reopens it, checks its actual
// mode/owner/group against `who`, removes it. `microsoft_library`: the umask matters too.
CheckResult CheckShmProbe(DoctorSystem& sys, const SqlIdentity& who, bool microsoft_library);

// Which libsqlvdi is loaded, by path; WARN for Microsoft's (it talks only to SQL Server).
CheckResult CheckVdiLibrary(DoctorSystem& sys);

// The sqlcmd program exists and `SELECT SERVERPROPERTY('ProcessID')` succeeds through it.
// `server_pid` (optional) gets the process id it printed, or why there is none (the check
// failed; kMissing: no numeric value), so the doctor needs no second sqlcmd run for it.
CheckResult CheckSqlcmd(DoctorSystem& sys, SqlRunner& sql, const std::string& program,
                        const std::string& server,
                        std::chrono::milliseconds timeout = kSqlCheckTimeout,
                        Result<int>* server_pid = nullptr);

// The process id in sqlcmd output: the last line that is only digits (blanks trimmed).
std::optional<int> ParseServerPid(const std::string& output);

// SQL Server's process `pid` shares our IPC namespace and /dev/shm: compares /proc/<pid>/ns/ipc
// and /proc/<pid>/root/dev/shm with ours. `pid` nullopt: WARN with `why_unknown`. A pid that is
// not visible here (another PID namespace or host) or not a SQL Server process: WARN.
CheckResult CheckNamespaces(DoctorSystem& sys, std::optional<int> pid,
                            const std::string& why_unknown);

// The credentials of process `pid` when it is visible and is SQL Server (sqlservr/vdi-emulator).
std::optional<Credentials> ServerProcessCredentials(DoctorSystem& sys, int pid);

// `repo` is a directory where a file can be created, written, fsynced (file and directory) and
// removed.
CheckResult CheckRepoWritable(DoctorSystem& sys, const std::string& repo);

// The tape device opens for reading.
CheckResult CheckTapeReadable(DoctorSystem& sys, const std::string& device);

// The agent's listen address can be bound: PASS; already in use (a running agent, most likely):
// WARN; anything else (not an address of this host, a privileged port): FAIL.
CheckResult CheckListen(DoctorSystem& sys, const std::string& host, uint16_t port);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_DOCTOR_DOCTOR_CHECKS_H_
