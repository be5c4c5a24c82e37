// The real JobLauncher: a ChildProcess whose output a ProcessSqlExecution drains (it is a generic
// "child + reader thread" helper despite its name).
#include "coordinator/agent_job_process.h"

#include <signal.h>

#include "coordinator/sql_runner.h"

namespace vdibk::coordinator {
namespace {

class RealJobProcess final : public JobProcess {
 public:
  RealJobProcess(pid_t pid, ChildProcess child)
      : pid_(pid), exec_(std::make_unique<ProcessSqlExecution>(std::move(child))) {}
  std::optional<ExitInfo> Poll() override { return exec_->Poll(); }
  std::string Output() const override { return exec_->Output(); }
  void Terminate() override { exec_->Cancel(); }
  void Kill() override {
    if (!exec_->Poll()) ::kill(pid_, SIGKILL);
  }

 private:
  pid_t pid_;
  std::unique_ptr<ProcessSqlExecution> exec_;
};

}  // namespace

Result<std::unique_ptr<JobProcess>> ProcessJobLauncher::Launch(
    const std::vector<std::string>& argv) {
  VDIBK_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(argv, /*capture_output=*/true));
  const pid_t pid = child.pid();
  return std::unique_ptr<JobProcess>(new RealJobProcess(pid, std::move(child)));
}

}  // namespace vdibk::coordinator
