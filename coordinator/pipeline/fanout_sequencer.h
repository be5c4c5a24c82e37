// FanoutSequencer: orders the stages of fan-out data commands (proto/README.md §9). A device's
// buffers are encoded by several workers at once; a frame is placed once the sizes of all earlier
// frames of its device are known (its offset is their sum), and adopted by the device's owner
// in command order once placed.
#ifndef VDIBK_COORDINATOR_PIPELINE_FANOUT_SEQUENCER_H_
#define VDIBK_COORDINATOR_PIPELINE_FANOUT_SEQUENCER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// One data command handed to an encoder.
struct FanoutCommand {
  uint64_t seq = 0;     // the device's command_seq
  std::string encoder;  // worker that encodes (and later places) it
  uint32_t handle = 0;
  uint32_t size = 0;
  void* command = nullptr;  // opaque VDC_Command*, completed after the Adopt reply
};

// A request the caller must issue now, in the order returned.
struct FanoutStep {
  enum class Kind { kPlace, kAdopt };
  Kind kind = Kind::kPlace;
  uint32_t device = 0;
  FanoutCommand command;
  uint64_t frame_offset = 0;  // bytes after the stripe header
  uint64_t frame_bytes = 0;
};

// Thread-safe: device threads Begin and WaitDrained, the hub thread reports replies.
class FanoutSequencer {
 public:
  explicit FanoutSequencer(uint32_t devices) : devices_(devices) {}

  // Registers a command before its Encode is issued; seqs of a device must increase.
  Status Begin(uint32_t device, const FanoutCommand& command);
  // The Encode of {device, seq} produced `frame_bytes`: the Place steps that became possible.
  Result<std::vector<FanoutStep>> Encoded(uint32_t device, uint64_t seq, uint64_t frame_bytes);
  // The Place of {device, seq} is done: the Adopt steps that became possible.
  Result<std::vector<FanoutStep>> Placed(uint32_t device, uint64_t seq);
  // The owner adopted {device, seq}: the command is finished; returns it.
  Result<FanoutCommand> Adopted(uint32_t device, uint64_t seq);
  // Blocks until every command begun on `device` was adopted (true) or Cancel() (false).
  bool WaitDrained(uint32_t device);
  // Wakes every waiter for good (the job failed).
  void Cancel();
  size_t in_flight(uint32_t device) const;

 private:
  struct Entry {
    FanoutCommand command;
    std::optional<uint64_t> frame_bytes;
    uint64_t frame_offset = 0;  // set when the Place is issued
    bool place_issued = false;
    bool placed = false;
    bool adopt_issued = false;
  };
  struct Device {
    std::map<uint64_t, Entry> entries;  // by seq: not yet adopted
    uint64_t cursor = 0;                // offset of the next frame to place
    uint64_t last_seq = 0;
  };
  Result<Entry*> Find(uint32_t device, uint64_t seq);

  const uint32_t devices_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint32_t, Device> by_device_;
  bool cancelled_ = false;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_FANOUT_SEQUENCER_H_
