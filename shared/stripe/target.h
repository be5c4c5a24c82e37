// Target: the seam between stripe/manifest code and where bytes end up (a directory, nothing, a
// fault-injecting wrapper in tests). Files are written under a temporary name and published by
// Commit.
#ifndef VDIBK_SHARED_STRIPE_TARGET_H_
#define VDIBK_SHARED_STRIPE_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "shared/base/result.h"
#include "shared/base/status.h"

namespace vdibk::stripe {

// One piece of a gathered write; the memory belongs to the caller for the duration of the call.
struct ConstBuffer {
  const void* data = nullptr;
  size_t size = 0;
};

// A file being written. Not thread-safe; one owner. Every error is final: after a failed Append,
// Sync or Commit the only valid call is Abort (a failed fsync is never retried: reliability.md
// §1.7).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all pieces in order (gathered), or fails with kTargetIo. Blocking.
  virtual Status Append(std::span<const ConstBuffer> pieces) = 0;
  Status Append(const void* data, size_t size) {
    ConstBuffer b{data, size};
    return Append(std::span<const ConstBuffer>(&b, 1));
  }
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // fsync, close, rename the temporary name to the final name, fsync the directory. Once.
  virtual Status Commit() = 0;
  // Closes and removes the temporary file. Idempotent; no-op after a successful Commit.
  virtual void Abort() = 0;
  virtual uint64_t size() const = 0;  // bytes appended so far
  virtual const std::string& name() const = 0;

  // Fan-out (docs/format.md §6.1): bytes [size(), size() + n) were written by another writer of
  // this file (a PlacementFile). Reads them back in order into `sink` (called with pieces of at
  // most 1 MiB; targets that keep nothing call it for no byte) and counts them as appended.
  // Errors: kTargetIo (also when the bytes are not all there); kConfiguration by default.
  using ByteSink = std::function<void(const uint8_t* data, size_t size)>;
  virtual Status AdoptWritten(uint64_t n, const ByteSink& sink);
};

// Fan-out: a file that another process Create()d, opened for writes at offsets. Not thread-safe.
class PlacementFile {
 public:
  virtual ~PlacementFile() = default;
  // Writes all `size` bytes at `offset` (pwrite). Errors: kTargetIo ("target full" for ENOSPC).
  virtual Status WriteAt(uint64_t offset, const void* data, size_t size) = 0;
};

// A published file, read by offset. Thread-compatible (no shared cursor).
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `size` bytes at `offset`; fewer only at end of file. Errors: kTargetIo.
  virtual Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) = 0;
  virtual Result<uint64_t> Size() = 0;
  virtual const std::string& name() const = 0;
};

struct CreateOptions {
  bool replace = false;  // Commit may replace an existing final file. Default: refuse (kTargetIo).
};

class Target {
 public:
  virtual ~Target() = default;
  // Starts a new file `name` (a plain file name, no '/'). Exists-already is an error unless
  // replace.
  virtual Result<std::unique_ptr<WritableFile>> Create(const std::string& name,
                                                       const CreateOptions& options) = 0;
  Result<std::unique_ptr<WritableFile>> Create(const std::string& name) {
    return Create(name, CreateOptions{});
  }
  // Opens a published file. Not found: kMissing.
  virtual Result<std::unique_ptr<ReadableFile>> Open(const std::string& name) = 0;
  // Fan-out: opens the file that another writer is creating as `name` (its temporary name) for
  // writes at offsets. Errors: kMissing (not being written), kTargetIo; kConfiguration by default.
  virtual Result<std::unique_ptr<PlacementFile>> OpenForPlacement(const std::string& name);
  // For messages, e.g. "dir:/backups/db1/2024..." or "null".
  virtual std::string Describe() const = 0;
};

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_TARGET_H_
