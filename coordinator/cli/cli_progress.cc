// CliProgress: a tracker with its terminal line and JSON stream per VDI set.
#include "coordinator/cli/cli_progress.h"

#include "coordinator/progress/progress_display.h"
#include "coordinator/progress/progress_display_json.h"
#include "coordinator/progress/progress_tracker.h"

namespace vdibk::coordinator {
namespace {

class LiveSink final : public ProgressSink {
 public:
  LiveSink(uint32_t devices, const CliProgressOptions& o)
      : tracker_(SteadyClock::Instance(), devices) {
    if (o.total) tracker_.SetTotal(*o.total);
    if (o.terminal) display_ = std::make_unique<ProgressDisplay>(tracker_);
    if (o.fd >= 0) stream_ = std::make_unique<ProgressJsonStream>(tracker_, o.fd);
  }
  ~LiveSink() override { Stop(); }
  void Stop() override {
    if (display_) display_->Stop();
    if (stream_) stream_->Stop();
  }
  void AddBytes(uint32_t device, uint64_t bytes) override { tracker_.AddBytes(device, bytes); }
  void SetState(uint32_t device, DeviceState state) override { tracker_.SetState(device, state); }
  void SetTotal(uint64_t bytes) override { tracker_.SetTotal(bytes); }
  void Failed() override {
    if (display_) display_->Stop();
  }

 private:
  ProgressTracker tracker_;
  std::unique_ptr<ProgressDisplay> display_;
  std::unique_ptr<ProgressJsonStream> stream_;
};

}  // namespace

std::unique_ptr<ProgressSink> CliProgress::Start(uint32_t devices) {
  return std::make_unique<LiveSink>(devices, options_);
}

}  // namespace vdibk::coordinator
