// Command-line parsing of vdibackup-worker.
#include "workers/worker_options.h"

#include <charconv>

#include "shared/base/option_once.h"

namespace vdibk::workers {
namespace {

Result<int> ParsePositive(const std::string& flag, const std::string& value) {
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v <= 0) {
    return Status::Usage(flag + " needs a positive integer, got '" + value + "'");
  }
  return v;
}

}  // namespace

const char* WorkerUsage() {
  return "usage: vdibackup-worker --connect ipc://PATH --id ID [--heartbeat-ms MS] "
         "[--liveness N] [--connect-timeout SECONDS]";
}

Result<WorkerOptions> ParseWorkerOptions(const std::vector<std::string>& args) {
  WorkerOptions o;
  OptionOnce once;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    VDIBK_RETURN_IF_ERROR(once.See(a));
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--connect") {
      VDIBK_ASSIGN_OR_RETURN(o.endpoint, value());
    } else if (a == "--id") {
      VDIBK_ASSIGN_OR_RETURN(o.worker_id, value());
    } else if (a == "--heartbeat-ms") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(int ms, ParsePositive(a, v));
      o.liveness.interval = std::chrono::milliseconds(ms);
    } else if (a == "--connect-timeout") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(int secs, ParsePositive(a, v));
      o.connect_timeout = std::chrono::seconds(secs);
    } else if (a == "--liveness") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(o.liveness.liveness, ParsePositive(a, v));
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.endpoint.empty()) return Status::Usage("--connect is required");
  if (o.worker_id.empty()) return Status::Usage("--id is required");
  return o;
}

}  // namespace vdibk::workers
