// JobLauncher: the seam through which the agent starts one job as a child process (the one-shot
// `vdibackup backup|restore ... --json`). ProcessJobLauncher spawns it for real; tests inject
// fakes.
#ifndef VDIBK_COORDINATOR_AGENT_JOB_PROCESS_H_
#define VDIBK_COORDINATOR_AGENT_JOB_PROCESS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/child_process.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// One running job. Poll/Terminate/Kill from the agent's main loop; Output() from any thread.
class JobProcess {
 public:
  virtual ~JobProcess() = default;  // kills (SIGKILL) and reaps a job still running
  // The exit once the child ended and its output was collected; nullopt before. Non-blocking.
  virtual std::optional<ExitInfo> Poll() = 0;
  // stdout and stderr so far, interleaved.
  virtual std::string Output() const = 0;
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

// Spawns real children with ChildProcess and drains their output on a reader thread.
class ProcessJobLauncher final : public JobLauncher {
 public:
  Result<std::unique_ptr<JobProcess>> Launch(const std::vector<std::string>& argv) override;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_JOB_PROCESS_H_
