// FrameEncoder: turns raw bytes into standard LZ4 frames (format 3), either lz4-compressed
// (liblz4, fast or HC; block and content checksums) or "stored" (uncompressed blocks; the content
// checksum only).
#ifndef VDIBK_SHARED_STRIPE_FRAME_ENCODER_H_
#define VDIBK_SHARED_STRIPE_FRAME_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "shared/base/result.h"
#include "shared/stripe/stripe_format.h"
#include "shared/stripe/target.h"

namespace vdibk::stripe {

// Blocks are independent (no cross-block dictionary), so each Update compresses straight from the
// caller's memory: no staging copy. A block ends at the block size or at the end of an Update.
// Not thread-safe; move-only.
class FrameEncoder {
 public:
  // level: lz4 only; <= 2 = LZ4 fast (acceleration 1), 3..12 = LZ4HC. block_size: 64K/256K/1M/4M.
  static Result<FrameEncoder> Create(Compression compression, int level, uint32_t block_size);
  FrameEncoder(FrameEncoder&&) noexcept;
  FrameEncoder& operator=(FrameEncoder&&) noexcept;
  ~FrameEncoder();

  // Frame lifecycle; every call appends its output to `out`. Update needs an open frame.
  Status Begin(WritableFile& out);
  Status Update(WritableFile& out, const uint8_t* data, size_t size);
  Status End(WritableFile& out);
  bool in_frame() const;

 private:
  struct Impl;
  explicit FrameEncoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_FRAME_ENCODER_H_
