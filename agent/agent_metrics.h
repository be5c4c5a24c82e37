// AgentMetrics: the agent's Prometheus metrics, fed by every ended job and rendered in the text
// exposition format (HELP and TYPE lines). Thread-safe.
#ifndef VDIBK_AGENT_AGENT_METRICS_H_
#define VDIBK_AGENT_AGENT_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "agent/job_table.h"

namespace vdibk::coordinator {

// The cause label of vdibackup_aborts_total for a failed or cancelled job's exit code:
// 5 "aborted", 3 "integrity", 4 "missing", 6 "target", 7 "sql", 64 "usage", 78 "config",
// >= 128 "signal", others "internal".
std::string AbortCause(int exit_code);

// The cause label of vdibackup_worker_failures_total when a job's error says a worker failed it
// (the messages of coordinator/worker_hub.cc): "exited" (died), "silent" (missed heartbeats),
// "protocol" (violation or malformed message), "aborted" (the worker reported an error, e.g. its
// target), "unreachable", "start" (did not connect or become Ready). nullopt: not a worker's.
std::optional<std::string> WorkerFailureCause(const std::string& error_message);

class AgentMetrics {
 public:
  // Counts one ended job (succeeded, failed or cancelled). A backup's per-device bytes are
  // committed from its summary or its last progress line, whichever is larger, whatever the
  // outcome (those bytes were read), and its live contribution ends.
  void RecordJob(const JobInfo& job);
  // A running backup's progress: its device bytes count in vdibackup_bytes_in_total until
  // RecordJob commits them, so the counter rises while the job runs and never goes back.
  void UpdateLive(const JobInfo& job, const JobProgress& progress);
  // A refused request, by reason: an API refusal (unauthenticated, role, database, option, path,
  // replace, in_place, not_owner) or a transport one (too_many_connections, malformed,
  // too_large, timeout).
  void RecordRefused(const std::string& reason);
  // A failed authentication, by the reason of agent_auth.h's AuthOutcome.
  void RecordAuthFailure(const std::string& reason);
  // The exposition text; `jobs_running` is the current queued + running count.
  std::string Render(size_t jobs_running) const;

 private:
  using Key = std::pair<std::string, std::string>;
  struct Duration {
    double sum = 0;
    uint64_t count = 0;
    std::map<double, uint64_t> buckets;  // upper bound -> cumulative count
  };
  mutable std::mutex mu_;
  std::map<Key, uint64_t> jobs_total_;               // {kind, outcome}
  std::map<std::string, Duration> durations_;        // kind
  std::map<Key, uint64_t> bytes_in_;                 // {database, device}
  std::map<Key, uint64_t> bytes_out_;                // {database, device}
  std::map<std::string, double> ratio_;              // database: last backup's raw/compressed
  std::map<std::string, double> throughput_;         // database: last backup's raw bytes/s
  std::map<std::string, double> last_success_;       // database: unix seconds
  std::map<std::string, uint64_t> aborts_;           // cause
  std::map<std::string, uint64_t> worker_failures_;  // cause
  std::map<std::string, uint64_t> refused_;          // reason
  std::map<std::string, uint64_t> auth_failures_;    // reason
  struct Live {
    std::string database;
    std::map<uint32_t, uint64_t> device_bytes;
  };
  std::map<uint64_t, Live> live_;  // running backups by job id
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_AGENT_METRICS_H_
