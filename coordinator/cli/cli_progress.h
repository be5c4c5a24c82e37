// CliProgress: the ProgressOutput the backup and restore subcommands give their jobs: per VDI set
// a ProgressTracker feeding the terminal line (ProgressDisplay) and the --progress-fd JSON lines.
#ifndef VDIBK_COORDINATOR_CLI_CLI_PROGRESS_H_
#define VDIBK_COORDINATOR_CLI_CLI_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "coordinator/progress/progress_sink.h"

namespace vdibk::coordinator {

struct CliProgressOptions {
  bool terminal = false;          // draw the live line on stderr (a terminal, not --json)
  int fd = -1;                    // --progress-fd: JSON lines there (-1: none)
  std::optional<uint64_t> total;  // expected raw bytes (the database size): the ETA
};

class CliProgress final : public ProgressOutput {
 public:
  explicit CliProgress(CliProgressOptions options) : options_(options) {}
  // Each sink draws until it is destroyed (the JSON stream then writes its last line).
  std::unique_ptr<ProgressSink> Start(uint32_t devices) override;

 private:
  CliProgressOptions options_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_CLI_PROGRESS_H_
