// ProgressSink: where a job reports its live figures (bytes and state per device), and
// ProgressOutput, what a job gets from its caller to open one sink per VDI set. Jobs know only
// these interfaces; the cli decides what is shown (terminal line, JSON lines for the agent).
#ifndef VDIBK_COORDINATOR_PROGRESS_PROGRESS_SINK_H_
#define VDIBK_COORDINATOR_PROGRESS_PROGRESS_SINK_H_

#include <cstdint>
#include <memory>

namespace vdibk::coordinator {

// One letter per device in the display.
enum class DeviceState : char {
  kWaiting = '.',     // not open yet
  kOpen = 'o',        // open, no data yet
  kWriting = 'W',     // data flowing
  kFinalizing = 'F',  // Complete sent, stripe being finalized
  kDone = 'D',        // stripe finalized
};

// Thread-safe: device threads and the worker hub report concurrently. Out-of-range devices are
// ignored.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;  // the live output of this set ends
  virtual void AddBytes(uint32_t device, uint64_t bytes) = 0;
  virtual void SetState(uint32_t device, DeviceState state) = 0;
  // The raw bytes this set is expected to move (the ETA), when the job knows them better than
  // the caller (a restore: the set's raw size). Called before the devices report.
  virtual void SetTotal(uint64_t /*bytes*/) {}
  // The job failed: a live display stops drawing (the error lines follow).
  virtual void Failed() {}
  // The set's live output ends (a JSON stream writes its last line); later reports change
  // nothing visible. Also done by the destructor.
  virtual void Stop() {}
};

class ProgressOutput {
 public:
  virtual ~ProgressOutput() = default;
  // The sink of one VDI set of `devices` devices (a restore chain opens one per set); it ends
  // when destroyed.
  virtual std::unique_ptr<ProgressSink> Start(uint32_t devices) = 0;
};

// Reports nothing (no caller output).
class NullProgressSink final : public ProgressSink {
 public:
  void AddBytes(uint32_t, uint64_t) override {}
  void SetState(uint32_t, DeviceState) override {}
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PROGRESS_PROGRESS_SINK_H_
