// Command-line parsing of vdibackup-worker.
#include "workers/worker_options.h"

#include <climits>

#include "shared/base/command_line.h"

namespace vdibk::workers {
namespace {

struct WorkerArgs {
  WorkerOptions o;
  uint32_t heartbeat_ms = 0, liveness = 0, connect_timeout_s = 0;
};

CommandLine WorkerCommandLine(WorkerArgs& a) {
  CommandLine cl("vdibackup-worker",
                 "A vdibackup worker: compresses (backup) or decompresses (restore) the stripes of "
                 "the devices the coordinator assigns it, straight from VDI shared memory");
  cl.Text("--connect", &a.o.endpoint, "ipc://PATH", "The coordinator's endpoint");
  cl.Require("--connect");
  cl.Text("--id", &a.o.worker_id, "ID", "The worker's routing id (w0, w1, ...)");
  cl.Require("--id");
  cl.U32("--heartbeat-ms", &a.heartbeat_ms, "MS",
         "Heartbeat interval in milliseconds, >= 1 (default: 1000)");
  cl.U32("--liveness", &a.liveness, "N",
         "Heartbeats missed before the coordinator counts as gone, >= 1 (default: 3)");
  cl.U32("--connect-timeout", &a.connect_timeout_s, "SECONDS",
         "How long the Hello waits for the coordinator to accept it, >= 1 (default: 5)");
  cl.LogFormat();
  return cl;
}

// A positive int, or kUsage naming the option.
Result<int> Positive(const std::string& name, uint32_t v) {
  if (v == 0 || v > INT_MAX) {
    return Status::Usage(name + " needs a positive integer, got '" + std::to_string(v) + "'");
  }
  return static_cast<int>(v);
}

}  // namespace

std::string WorkerUsage() {
  WorkerArgs a;
  return WorkerCommandLine(a).Help();
}

Result<WorkerOptions> ParseWorkerOptions(const std::vector<std::string>& args) {
  WorkerArgs a;
  CommandLine cl = WorkerCommandLine(a);
  VDIBK_RETURN_IF_ERROR(
      cl.Parse(std::vector<std::string>(args.begin() + (args.empty() ? 0 : 1), args.end())));
  WorkerOptions& o = a.o;
  if (cl.Given("--heartbeat-ms")) {
    VDIBK_ASSIGN_OR_RETURN(int ms, Positive("--heartbeat-ms", a.heartbeat_ms));
    o.liveness.interval = std::chrono::milliseconds(ms);
  }
  if (cl.Given("--liveness")) {
    VDIBK_ASSIGN_OR_RETURN(o.liveness.liveness, Positive("--liveness", a.liveness));
  }
  if (cl.Given("--connect-timeout")) {
    VDIBK_ASSIGN_OR_RETURN(int secs, Positive("--connect-timeout", a.connect_timeout_s));
    o.connect_timeout = std::chrono::seconds(secs);
  }
  if (o.endpoint.empty()) return Status::Usage("--connect is required");
  if (o.worker_id.empty()) return Status::Usage("--id is required");
  return o;
}

}  // namespace vdibk::workers
