// `vdibackup agent --config FILE`: the long-running sidecar (HTTP API, metrics, health).
#ifndef VDIBK_COORDINATOR_AGENT_COMMAND_H_
#define VDIBK_COORDINATOR_AGENT_COMMAND_H_

#include <string>
#include <vector>

namespace vdibk::coordinator {

// Runs the agent until SIGTERM/SIGINT: prints "vdibackup agent: listening on HOST:PORT" on stdout
// once the socket listens (and sends READY=1 to $NOTIFY_SOCKET), reaps jobs from its main loop
// (WATCHDOG=1 when $WATCHDOG_USEC is set). On SIGTERM: cancels running jobs, waits up to the
// grace period (then SIGKILLs them) and returns 0. Returns 64 on a bad command line, 78 on a
// bad config or an unusable listen address. `bin_dir` holds vdibackup (the jobs' program).
int RunAgentCommand(const std::vector<std::string>& args, const std::string& bin_dir);

const char* AgentUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_AGENT_COMMAND_H_
