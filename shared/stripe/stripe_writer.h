// StripeWriter: writes one device's raw stream as a stripe file (docs/format.md): header frame,
// LZ4 frames compressed straight from the caller's buffers, trailer frame; published atomically.
#ifndef VDIBK_SHARED_STRIPE_STRIPE_WRITER_H_
#define VDIBK_SHARED_STRIPE_STRIPE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "shared/base/result.h"
#include "shared/stripe/stripe_format.h"
#include "shared/stripe/target.h"

namespace vdibk::stripe {

struct StripeWriterOptions {
  // A new LZ4 frame (a seek point in the trailer index) starts after this many raw bytes.
  // Default: 32 MiB. Flush() also ends the current frame.
  uint64_t frame_raw_bytes = 32ull << 20;
  CreateOptions create;  // Default: refuse to replace an existing stripe.
};

// What Finalize() reports (goes into the Complete reply and the manifest).
struct StripeSummary {
  uint64_t raw_bytes = 0;
  uint64_t file_bytes = 0;        // whole stripe file
  uint64_t compressed_bytes = 0;  // LZ4 frames only
  // Digest64 (XXH3-64) of the device stream and of the whole file; the names are from format 1.
  uint64_t raw_xxh64 = 0;
  uint64_t file_xxh64 = 0;
  uint32_t frames = 0;
};

// Single-threaded, move-only. Any failure is sticky: later calls return the first error, and the
// only useful call is Abort() (also done by the destructor unless Finalize() succeeded).
// Header fields compression/level/block_size choose the encoding; level is lz4 only.
class StripeWriter {
 public:
  // Creates "<name>.partial" on `target` (which must outlive the writer) and writes the header.
  static Result<StripeWriter> Create(Target& target, const std::string& name,
                                     const StripeHeader& header,
                                     const StripeWriterOptions& options = {});
  StripeWriter(StripeWriter&&) noexcept;
  StripeWriter& operator=(StripeWriter&&) noexcept;
  ~StripeWriter();

  // Appends raw bytes. `data` is only read during the call (compressed in place, never copied).
  Status Append(const void* data, size_t size);
  // Fan-out (docs/format.md §6.1): another writer placed one whole LZ4 frame of `frame_bytes`,
  // encoded from the `raw_size` bytes at `raw`, at `frame_offset` bytes after the header, which
  // must be where the stripe ends now. Ends the current frame, indexes the placed one and reads
  // it back into the file digest. Errors: kFailed (wrong offset, empty), kTargetIo.
  Status Adopt(const void* raw, size_t raw_size, uint64_t frame_offset, uint64_t frame_bytes);
  // Ends the current frame and makes everything appended so far durable (fdatasync). The raw
  // offset is recorded as a flush mark in the trailer.
  Status Flush();
  // Writes the trailer, fsyncs, renames to the final name, fsyncs the directory.
  Result<StripeSummary> Finalize();
  // Removes the temporary file. Idempotent.
  void Abort();

  uint64_t raw_bytes() const;
  uint64_t file_bytes() const;

 private:
  struct State;
  explicit StripeWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_STRIPE_WRITER_H_
