// FrameBuffer: one whole LZ4 frame of a stripe encoded into memory, for fan-out encoders that
// compress a buffer before they know where in the stripe it will go (docs/format.md §6.1).
#ifndef VDIBK_SHARED_STRIPE_FRAME_BUFFER_H_
#define VDIBK_SHARED_STRIPE_FRAME_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "shared/base/result.h"
#include "shared/stripe/frame_encoder.h"

namespace vdibk::stripe {

// Reusable encoder. Move-only, single-threaded.
class FrameBuffer {
 public:
  // Same parameters as FrameEncoder::Create.
  static Result<FrameBuffer> Create(Compression compression, int level, uint32_t block_size);

  // Replaces `out` with the `size` (> 0) bytes at `data` encoded as one complete frame
  // (checksums on), keeping out's allocation; the data is read during the call only.
  // Errors: kFailed (encoder), kUsage (size 0).
  Status Encode(const void* data, size_t size, std::vector<uint8_t>& out);

 private:
  explicit FrameBuffer(FrameEncoder encoder) : encoder_(std::move(encoder)) {}
  FrameEncoder encoder_;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_FRAME_BUFFER_H_
