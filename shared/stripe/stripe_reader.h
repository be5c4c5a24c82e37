// StripeReader: opens a stripe file, validates header and trailer, and serves the raw device
// stream into caller buffers of any size, verifying LZ4 checksums and the stream digest.
#ifndef VDIBK_SHARED_STRIPE_STRIPE_READER_H_
#define VDIBK_SHARED_STRIPE_STRIPE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "shared/base/result.h"
#include "shared/stripe/stripe_format.h"
#include "shared/stripe/target.h"

namespace vdibk::stripe {

// What the caller expects of the stripe; a mismatch is kMissing ("wrong input"), not corruption.
struct StripeExpectation {
  std::optional<SetId> set_id;
  std::optional<uint32_t> device_index;
  std::optional<uint32_t> device_count;
};

// Single-threaded, move-only. Untrusted input: every malformation is a Status (kIntegrity with
// the file offset and cause), never a crash. Errors are sticky.
//
// Verification: every block's checksum before it is decoded (format 3), or each frame's content
// checksum at its end (format 2; both where a frame has both), and the whole-stream digest
// (XXH3-64), byte count and frame index when the end is reached (the Read that returns 0, or the
// last bytes). Damaged data is reported with the file offset where it was detected and its
// frame's start offset. After a Seek the stream digest cannot be checked; block and frame
// checksums still are. Blocks decode straight into `dst` when a whole block fits there.
class StripeReader {
 public:
  // Reads and validates header and trailer (a truncated or unfinalized file fails here).
  // Not found: kMissing. `file` must come from a Target; the reader owns it.
  static Result<StripeReader> Open(std::unique_ptr<ReadableFile> file,
                                   const StripeExpectation& expect = {});
  static Result<StripeReader> Open(Target& target, const std::string& name,
                                   const StripeExpectation& expect = {});
  StripeReader(StripeReader&&) noexcept;
  StripeReader& operator=(StripeReader&&) noexcept;
  ~StripeReader();

  const StripeHeader& header() const;
  const StripeTrailer& trailer() const;

  // Fills up to `size` bytes of `dst`; returns fewer only at the end of the stream, 0 at the end.
  // Reaching the end runs the end-of-stream checks; their failure is returned instead.
  Result<size_t> Read(void* dst, size_t size);
  // Repositions to raw offset `raw` (<= raw size) using the trailer index.
  Status Seek(uint64_t raw);
  uint64_t position() const;  // raw offset of the next Read
  // Whether the content checksums of frames that also carry block checksums (format 3) are
  // checked; default yes. A restore turns them off: the block checksums cover the stored bytes
  // and the stream digest (checked at the end, before the last bytes are returned) the decoded
  // ones. Frames without block checksums and frames read after a Seek are always checked.
  // Applies from the next frame on.
  void set_content_checksums(bool check);
  // Reads the rest of the stream and discards it (full verification).
  Status VerifyRest();

 private:
  struct State;
  explicit StripeReader(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_STRIPE_READER_H_
