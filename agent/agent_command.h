// `vdibackup agent --config FILE`: the long-running sidecar (HTTP API, metrics, health).
#ifndef VDIBK_AGENT_AGENT_COMMAND_H_
#define VDIBK_AGENT_AGENT_COMMAND_H_

#include <string>
#include <vector>

namespace vdibk::coordinator {

// Runs the agent until SIGTERM/SIGINT: once every listener is bound, prints one line per listener
// on stdout, in this order: "vdibackup agent: listening on HOST:PORT" (listen),
// "... on https://HOST:PORT" (listen_tls), "... on unix:PATH" (listen_unix), and sends READY=1
// to $NOTIFY_SOCKET; reaps jobs from its main loop (WATCHDOG=1 when $WATCHDOG_USEC is set).
// SIGHUP rereads the token files and the TLS certificate (running jobs and open connections are
// untouched; "agent: SIGHUP: reloaded ..." is logged). On SIGTERM: cancels running jobs, waits up
// to the grace period (then SIGKILLs them) and returns 0. Returns 64 on a bad command line, 78 on
// a bad config (a non-loopback listener without authentication included), unreadable token,
// certificate or audit files, or an unusable listen address. Sets umask |= 0007. `bin_dir` holds
// vdibackup (the jobs' program).
int RunAgentCommand(const std::vector<std::string>& args, const std::string& bin_dir);

// The --help text: every option with what it does and its default.
std::string AgentUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_AGENT_COMMAND_H_
