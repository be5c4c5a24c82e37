// DeviceStripes: the stripes of one worker's assigned devices: one StripeWriter per device, the
// per-device request order check, and cleanup of every unfinished stripe.
#ifndef VDIBK_WORKERS_DEVICE_STRIPES_H_
#define VDIBK_WORKERS_DEVICE_STRIPES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/stripe/frame_buffer.h"
#include "shared/stripe/stripe_writer.h"
#include "shared/stripe/target.h"
#include "workers/target_set.h"

namespace vdibk::workers {

struct StripeAssignment {
  uint32_t device_index = 0;
  std::string device_name;  // VDI device name (informational here)
  std::string stripe_file;  // final file name on the target
  std::string target_dir;   // directory of the stripe (several --target dirs); "" = the default
  bool owner = true;        // false: fan-out encoder only (the stripe is another worker's)
};

// Everything the worker needs to open its stripes (converted from the Assign message at the edge).
struct StripeSetSpec {
  stripe::SetId set_id{};
  std::string database;
  stripe::BackupType backup_type = stripe::BackupType::kFull;
  stripe::Compression compression = stripe::Compression::kLz4;
  int level = 1;
  uint32_t device_count = 1;
  uint64_t max_transfer_size = 4u << 20;
  std::vector<StripeAssignment> devices;
};

// Single-threaded, move-only. Owns the targets; every writer not finalized is aborted (its
// ".partial" file removed) by AbortAll() or the destructor.
class DeviceStripes {
 public:
  // Creates "<stripe_file>.partial" for every owned device on the target of its target_dir.
  // On failure nothing is left on any target. Errors: kTargetIo, kConfiguration (unusable
  // target), kFailed (duplicate device, index out of range).
  static Result<DeviceStripes> Open(const StripeSetSpec& spec, TargetSet targets);
  // Every device on `target`.
  static Result<DeviceStripes> Open(const StripeSetSpec& spec,
                                    std::unique_ptr<stripe::Target> target) {
    return Open(spec, TargetSet::Single(std::move(target)));
  }
  DeviceStripes(DeviceStripes&&) noexcept = default;
  DeviceStripes& operator=(DeviceStripes&&) noexcept = default;
  ~DeviceStripes();

  // Checks that `device` is assigned and `command_seq` is exactly the next one of that device
  // (proto/README.md §8); consumes the sequence number. Errors: kFailed (protocol violation).
  Status Accept(uint32_t device, uint64_t command_seq);
  // Appends raw bytes (read during the call only). Errors: kTargetIo, kFailed (finalized).
  Status Append(uint32_t device, const void* data, size_t size);
  // Makes the device's stripe durable so far (fdatasync).
  Status Flush(uint32_t device);
  // Trailer, fsync, rename, directory fsync.
  Result<stripe::StripeSummary> Finalize(uint32_t device);
  // Removes every unfinished ".partial" stripe. Idempotent.
  void AbortAll();

  // Fan-out (docs/format.md §6.1), for owned and encoder devices alike. Encode keeps `size` bytes
  // as one whole LZ4 frame under {device, command_seq} (seqs strictly increase per device) and
  // returns its size; Place writes that frame into the owner's ".partial" at `frame_offset`
  // after the header and forgets it. Errors: kFailed (protocol: unassigned device, seq order,
  // nothing held), kTargetIo, kMissing (the owner's stripe is not there).
  Result<uint64_t> Encode(uint32_t device, uint64_t command_seq, const void* data, size_t size);
  Status Place(uint32_t device, uint64_t command_seq, uint64_t frame_offset);
  // Owner: takes the frame placed at `frame_offset` into the stripe (StripeWriter::Adopt); the
  // caller has Accept()ed command_seq. `raw` is the mapped buffer the frame was encoded from.
  Status Adopt(uint32_t device, const void* raw, size_t size, uint64_t frame_offset,
               uint64_t frame_bytes);
  // Frames encoded and not yet placed (all devices).
  size_t held_frames() const;

  bool AllFinalized() const;
  std::vector<uint32_t> device_indexes() const;
  uint64_t max_transfer_size() const { return max_transfer_size_; }

 private:
  struct Device {
    bool owner = true;
    std::unique_ptr<stripe::StripeWriter> writer;  // owner: null once finalized or aborted
    uint64_t last_seq = 0;
    uint64_t bytes_in = 0;
    bool finalized = false;
    // Fan-out.
    std::string stripe_file;
    stripe::Target* target = nullptr;
    uint64_t header_bytes = 0;  // where frame offset 0 is in the file
    uint64_t last_encode_seq = 0;
    std::unique_ptr<stripe::PlacementFile> placement;  // opened on the first Place
    std::map<uint64_t, std::vector<uint8_t>> held;     // command_seq -> encoded frame
  };
  DeviceStripes() = default;
  // An owned device whose stripe is open.
  Result<Device*> Find(uint32_t device);
  // Any assigned device (owned or encoder).
  Result<Device*> FindAny(uint32_t device);

  TargetSet targets_{nullptr};  // declared first: outlives the writers
  std::map<uint32_t, Device> devices_;
  uint64_t max_transfer_size_ = 0;
  std::optional<stripe::FrameBuffer> frames_;  // fan-out encoder, made on the first Encode
  stripe::Compression compression_ = stripe::Compression::kLz4;
  int level_ = 1;
  uint32_t block_size_ = 0;
  std::vector<std::vector<uint8_t>> spare_;  // placed frames' buffers, reused
};

}  // namespace vdibk::workers

#endif  // VDIBK_WORKERS_DEVICE_STRIPES_H_
