// JobLauncher: the seam through which the agent starts one job as a child process (the one-shot
// `vdibackup backup|restore ... --json`). ProcessJobLauncher spawns it for real, with the write
// end of a progress pipe as the child's fd 3 (`--progress-fd 3`); tests inject fakes.
#ifndef VDIBK_AGENT_JOB_LAUNCHER_H_
#define VDIBK_AGENT_JOB_LAUNCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/child_process.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// The descriptor number a launched job finds its progress pipe on.
constexpr int kJobProgressFd = 3;

// The latest line of a job's progress stream (agent.Progress in proto/agent.proto).
struct JobProgress {
  struct Device {
    uint32_t index = 0;
    uint64_t bytes = 0;
    std::string state;  // one letter of coordinator/progress_tracker.h's DeviceState
  };
  std::string state;  // starting | writing | finalizing | done | ended
  double seconds = 0;
  uint64_t bytes = 0;
  double bytes_per_second = 0;
  uint64_t total_bytes = 0;  // 0: unknown
  double eta_seconds = -1;   // -1: unknown
  std::vector<Device> devices;
};

// Parses one progress line; nullopt if it is not one (bad JSON, other type).
std::optional<JobProgress> ParseProgressLine(const std::string& line);

// One running job. Poll/Terminate/Kill from the agent's main loop; Output() and Progress() from
// any thread.
class JobProcess {
 public:
  virtual ~JobProcess() = default;  // kills (SIGKILL) and reaps a job still running
  // The exit once the child ended and its output was collected; nullopt before. Non-blocking.
  virtual std::optional<ExitInfo> Poll() = 0;
  // stdout and stderr so far, interleaved.
  virtual std::string Output() const = 0;
  // The last progress line the job wrote to its progress fd (nullopt: none yet).
  virtual std::optional<JobProgress> Progress() const { return std::nullopt; }
  // SIGTERM: the CLI aborts cleanly and exits 5.
  virtual void Terminate() = 0;
  // SIGKILL (after the grace period).
  virtual void Kill() = 0;
};

class JobLauncher {
 public:
  virtual ~JobLauncher() = default;
  // Starts argv (argv[0] is a path). Errors: kConfiguration (cannot spawn).
  virtual Result<std::unique_ptr<JobProcess>> Launch(const std::vector<std::string>& argv) = 0;
};

// Spawns real children (posix_spawn, default signal dispositions, empty mask): stdout+stderr on
// one pipe, the progress pipe on kJobProgressFd; one reader thread per job drains both.
class ProcessJobLauncher final : public JobLauncher {
 public:
  Result<std::unique_ptr<JobProcess>> Launch(const std::vector<std::string>& argv) override;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_JOB_LAUNCHER_H_
