// JobTable: the agent's jobs (backup/restore child processes) and their state machine
// queued -> running -> succeeded | failed | cancelled (a queued job may go straight to cancelled).
// Thread-safe: the HTTP thread submits, lists and cancels; the main loop calls Tick().
#ifndef VDIBK_AGENT_JOB_TABLE_H_
#define VDIBK_AGENT_JOB_TABLE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/job_launcher.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

class AgentMetrics;

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
const char* JobStateName(JobState s);  // "queued", "running", ...

struct DeviceBytes {
  uint32_t index = 0;
  uint64_t raw_bytes = 0;
  uint64_t compressed_bytes = 0;
};

// What the child's final --json line said (absent when it printed none).
struct JobSummary {
  std::string json;  // the line itself (validated JSON)
  std::string status;
  uint64_t raw_bytes = 0;
  uint64_t compressed_bytes = 0;  // backup only
  double seconds = 0;
  std::vector<DeviceBytes> devices;  // backup only
  std::string error;                 // error shape: the error name and message
  std::string message;
};

// A snapshot of one job.
struct JobInfo {
  uint64_t id = 0;
  std::string kind;  // "backup" | "restore"
  std::string database;
  std::vector<std::string> args;  // the caller's args
  std::string owner;              // who started it (authenticator.h Principal::name)
  std::vector<std::string> argv;  // the full child command line
  JobState state = JobState::kQueued;
  bool cancel_requested = false;
  std::optional<int> exit_code;  // when ended (128 + signal when killed by a signal)
  int64_t created_unix_ms = 0;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  double elapsed_seconds = 0;  // running: so far; ended: start to end
  std::optional<JobSummary> summary;
  std::optional<JobProgress> progress;  // the last line of the child's progress stream (backup)
  std::string output_tail;              // the last lines of the child's stdout+stderr
};

// Why Submit refused a job.
enum class SubmitError { kBadRequest, kConflict, kShuttingDown };
struct SubmitFailure {
  SubmitError error;
  std::string message;
};

// The options the agent owns (from its config); a job's args may not set them. (--repo is the
// request policy's: job_policy.h allows it inside policy.repo_roots.)
bool IsConfigOwnedOption(const std::string& arg);
// Database names the agent accepts: 1..128 of [A-Za-z0-9_.-], not starting with '.' or '-'.
bool IsSafeDatabaseName(const std::string& name);
// Parses the child's last JSON line of `output` for `kind`; nullopt if there is none.
std::optional<JobSummary> ParseJobSummary(const std::string& kind, const std::string& output);

class JobTable {
 public:
  // `vdibackup` is the CLI path; `metrics` (may be null) records every ended job.
  JobTable(AgentConfig config, std::string vdibackup, JobLauncher& launcher, AgentMetrics* metrics);
  ~JobTable();  // kills and reaps jobs still running

  // Validates and queues a job for `owner`; at most one queued/running job per database.
  std::variant<JobInfo, SubmitFailure> Submit(const std::string& kind, const std::string& database,
                                              const std::vector<std::string>& args,
                                              const std::string& owner = "");
  std::vector<JobInfo> List() const;
  std::optional<JobInfo> Get(uint64_t id) const;
  // Cancels a queued job at once, or SIGTERMs a running one (it becomes cancelled when it ends).
  // nullopt: no such job. A job that already ended is returned unchanged.
  std::optional<JobInfo> Cancel(uint64_t id);
  // The main loop: starts queued jobs and reaps ended ones. Non-blocking.
  void Tick();
  // Refuses new jobs from now on and SIGTERMs every running job (queued ones are cancelled).
  void CancelAll();
  // SIGKILLs what is still running (after the grace period).
  void KillAll();
  size_t Running() const;  // queued + running

 private:
  struct Job {
    JobInfo info;
    std::unique_ptr<JobProcess> process;
  };
  std::vector<std::string> BuildArgv(const std::string& kind, const std::string& database,
                                     const std::vector<std::string>& args) const;
  void Finish(Job& job, const ExitInfo& exit);
  JobInfo Snapshot(const Job& job) const;

  const AgentConfig config_;
  const std::string vdibackup_;
  JobLauncher& launcher_;
  AgentMetrics* metrics_;
  mutable std::mutex mu_;
  std::map<uint64_t, Job> jobs_;
  uint64_t next_id_ = 1;
  bool shutting_down_ = false;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_JOB_TABLE_H_
