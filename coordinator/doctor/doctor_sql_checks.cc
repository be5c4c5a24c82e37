// The doctor checks that involve SQL Server: sqlcmd reachability, its process id, and whether its
// process shares our IPC namespace and /dev/shm (the container failure mode).
#include <sys/sysmacros.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "coordinator/doctor/doctor_checks.h"

namespace vdibk::coordinator {
namespace {

struct SqlOutcome {
  bool finished = false;  // false: timed out (the client was cancelled)
  ExitInfo exit;
  std::string output;
};

Result<SqlOutcome> RunStatement(SqlRunner& sql, const std::string& statement,
                                std::chrono::milliseconds timeout) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<SqlExecution> e, sql.Start(statement));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SqlOutcome out;
  // sqlcmd answers a preflight statement in a few ms: poll often at first, then every 10 ms.
  auto pause = std::chrono::microseconds(500);
  for (;;) {
    if (std::optional<ExitInfo> x = e->Poll()) {
      out.finished = true;
      out.exit = *x;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      e->Cancel();
      out.exit = e->Wait();
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
  out.output = e->Output();
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string ProcDir(int pid) { return "/proc/" + std::to_string(pid); }

bool IsSqlServerName(const std::string& comm) {
  return comm == "sqlservr" || comm == "vdi-emulator";
}

const char* kNamespaceFix =
    "run vdibackup in SQL Server's IPC namespace with the same /dev/shm: Kubernetes: a sidecar in "
    "the same pod with one emptyDir (medium: Memory) mounted at /dev/shm in both containers; "
    "Docker: --ipc=container:<sql> (compose ipc: \"service:<sql>\"); systemd: no PrivateIPC=, no "
    "PrivateDevices= in either unit";

constexpr char kServerPidQuery[] = "SELECT SERVERPROPERTY('ProcessID')";

Result<int> ServerPidFromOutput(const std::string& output) {
  std::optional<int> pid = ParseServerPid(output);
  if (!pid) return Status::Missing("SERVERPROPERTY('ProcessID') gave no process id");
  return *pid;
}

}  // namespace

CheckResult CheckSqlcmd(DoctorSystem& sys, SqlRunner& sql, const std::string& program,
                        const std::string& server, std::chrono::milliseconds timeout,
                        Result<int>* server_pid) {
  const std::string name = "sqlcmd";
  if (server_pid) *server_pid = Status::Failed("the sqlcmd check failed");
  if (!sys.IsExecutable(program)) {
    return {name, CheckStatus::kFail, program + " does not exist or is not executable",
            "install sqlcmd (mssql-tools18) or pass --sqlcmd PATH"};
  }
  // One statement proves the connection and names the server's process: each sqlcmd run is a
  // process start and a login, and this check runs before every backup and restore.
  Result<SqlOutcome> r = RunStatement(sql, kServerPidQuery, timeout);
  if (!r.ok()) {
    return {name, CheckStatus::kFail, r.status().message(), "pass a runnable --sqlcmd PATH"};
  }
  const std::string where = program + " -S " + server + ": " + kServerPidQuery;
  if (!r->finished) {
    return {name, CheckStatus::kFail,
            where + " got no answer within " + std::to_string(timeout.count() / 1000) + " s",
            "check --server (or VDI_EMULATOR_ENDPOINT) and that SQL Server is running"};
  }
  if (!r->exit.ok()) {
    return {name, CheckStatus::kFail,
            where + " failed (" + r->exit.ToString() + "): " + SummarizeSqlErrors(r->output),
            "check --server, the login (sqlcmd's SQLCMDUSER/SQLCMDPASSWORD environment) and that "
            "SQL Server is running"};
  }
  if (server_pid) *server_pid = ServerPidFromOutput(r->output);
  return {name, CheckStatus::kPass, where + " ran", ""};
}

std::optional<int> ParseServerPid(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  std::optional<int> pid;
  while (std::getline(in, line)) {
    const std::string t = Trim(line);
    if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    pid = std::stoi(t);
  }
  if (pid && *pid <= 0) return std::nullopt;
  return pid;
}

std::optional<Credentials> ServerProcessCredentials(DoctorSystem& sys, int pid) {
  Result<std::string> comm = sys.ReadFile(ProcDir(pid) + "/comm");
  if (!comm.ok() || !IsSqlServerName(Trim(*comm))) return std::nullopt;
  Result<std::string> status = sys.ReadFile(ProcDir(pid) + "/status");
  if (!status.ok()) return std::nullopt;
  return ParseProcStatusCredentials(*status);
}

CheckResult CheckNamespaces(DoctorSystem& sys, std::optional<int> pid,
                            const std::string& why_unknown) {
  const std::string name = "namespace";
  const std::string verify_fix =
      "make sure vdibackup shares SQL Server's IPC namespace and /dev/shm (Kubernetes: same pod, "
      "shareProcessNamespace: true lets doctor verify it)";
  if (!pid) {
    return {name, CheckStatus::kWarn, "cannot compare namespaces: " + why_unknown, verify_fix};
  }
  const std::string proc = ProcDir(*pid);
  if (!sys.Stat(proc).ok()) {
    return {name, CheckStatus::kWarn,
            "SQL Server's process " + std::to_string(*pid) +
                " is not visible here: it runs in another PID namespace (a container without "
                "shareProcessNamespace) or on another host",
            verify_fix};
  }
  Result<std::string> comm = sys.ReadFile(proc + "/comm");
  if (comm.ok() && !IsSqlServerName(Trim(*comm))) {
    return {name, CheckStatus::kWarn,
            "process " + std::to_string(*pid) + " here is '" + Trim(*comm) +
                "', not SQL Server: SQL Server runs in another PID namespace or on another host",
            verify_fix};
  }
  Result<std::string> their_ipc = sys.ReadLink(proc + "/ns/ipc");
  Result<std::string> our_ipc = sys.ReadLink("/proc/self/ns/ipc");
  Result<FileId> their_shm = sys.Stat(proc + "/root/dev/shm");
  Result<FileId> our_shm = sys.Stat("/dev/shm");
  for (const Status* st :
       {&their_ipc.status(), &our_ipc.status(), &their_shm.status(), &our_shm.status()}) {
    if (!st->ok()) {
      return {name, CheckStatus::kWarn,
              "cannot inspect SQL Server's process " + std::to_string(*pid) + ": " + st->message() +
                  " (doctor needs root or SQL Server's user for /proc/<pid>)",
              verify_fix};
    }
  }
  auto id = [](const FileId& f) {
    const auto dev = static_cast<dev_t>(f.dev);
    return std::to_string(major(dev)) + ":" + std::to_string(minor(dev)) + " inode " +
           std::to_string(f.ino);
  };
  const bool same_ipc = *their_ipc == *our_ipc;
  const bool same_shm = their_shm->dev == our_shm->dev && their_shm->ino == our_shm->ino;
  std::string detail = "SQL Server pid " + std::to_string(*pid) + ": IPC namespace " + *their_ipc +
                       (same_ipc ? " (same as ours)" : " vs ours " + *our_ipc) + "; /dev/shm " +
                       id(*their_shm) + (same_shm ? " (same as ours)" : " vs ours " + id(*our_shm));
  if (!same_ipc || !same_shm) {
    return {name, CheckStatus::kFail, detail + ": SQL Server cannot see our shared memory",
            kNamespaceFix};
  }
  return {name, CheckStatus::kPass, detail, ""};
}

}  // namespace vdibk::coordinator
