// ExternalWorkers: parsing of --worker-endpoint / --worker-wait.
#include "coordinator/pipeline/external_workers.h"

#include <charconv>

namespace vdibk::coordinator {

Result<bool> ParseExternalWorkersFlag(const std::string& flag,
                                      const std::function<Result<std::string>()>& value,
                                      ExternalWorkers& out) {
  if (flag == "--worker-endpoint") {
    VDIBK_ASSIGN_OR_RETURN(out.endpoint, value());
    if (out.endpoint.rfind("ipc:///", 0) != 0) {
      return Status::Usage("--worker-endpoint must be ipc:///DIR/NAME, got '" + out.endpoint + "'");
    }
    return true;
  }
  if (flag == "--worker-wait") {
    VDIBK_ASSIGN_OR_RETURN(std::string v, value());
    uint32_t secs = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (ec != std::errc() || p != v.data() + v.size() || secs == 0 || secs > 3600) {
      return Status::Usage("--worker-wait must be 1..3600 seconds, got '" + v + "'");
    }
    out.wait_ms = secs * 1000;
    return true;
  }
  return false;
}

}  // namespace vdibk::coordinator
