// AgentMetrics: the agent's Prometheus metrics, fed by every ended job and rendered in the text
// exposition format (HELP and TYPE lines). Thread-safe.
#ifndef VDIBK_COORDINATOR_AGENT_METRICS_H_
#define VDIBK_COORDINATOR_AGENT_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "coordinator/agent_jobs.h"

namespace vdibk::coordinator {

// The cause label of vdibackup_aborts_total for a failed or cancelled job's exit code:
// 5 "aborted", 3 "integrity", 4 "missing", 6 "target", 7 "sql", 64 "usage", 78 "config",
// >= 128 "signal", others "internal".
std::string AbortCause(int exit_code);

class AgentMetrics {
 public:
  // Counts one ended job (succeeded, failed or cancelled).
  void RecordJob(const JobInfo& job);
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
  std::map<Key, uint64_t> jobs_total_;          // {kind, outcome}
  std::map<std::string, Duration> durations_;   // kind
  std::map<Key, uint64_t> bytes_in_;            // {database, device}
  std::map<Key, uint64_t> bytes_out_;           // {database, device}
  std::map<std::string, double> ratio_;         // database: last backup's raw/compressed
  std::map<std::string, double> throughput_;    // database: last backup's raw bytes/s
  std::map<std::string, double> last_success_;  // database: unix seconds
  std::map<std::string, uint64_t> aborts_;      // cause
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_METRICS_H_
