// S3Target: stripe::Target over one S3 prefix (s3://BUCKET/PREFIX/): files are written as
// multipart uploads (or one PUT when small) and read with ranged GETs, optionally read ahead.
#ifndef VDIBK_SHARED_S3_S3_TARGET_H_
#define VDIBK_SHARED_S3_S3_TARGET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "shared/base/result.h"
#include "shared/s3/s3_client.h"
#include "shared/s3/s3_location.h"
#include "shared/stripe/target.h"

namespace vdibk::s3 {

// Makes one S3Client (each with its own transport, so one connection) for one thread. Called from
// the thread that will use the client, possibly from several threads at once: thread-safe.
using S3ClientFactory = std::function<Result<std::unique_ptr<S3Client>>()>;
// S3Client::Create(config) per call (one CurlTransport each).
S3ClientFactory CurlClientFactory(S3Config config);

struct S3TargetOptions {
  // Size of the first parts of a multipart upload; parts double every 1000 parts (PartSizeFor).
  // Raised to min_part_size. Default 8 MiB: 10,000 parts hold ~8 TiB.
  uint64_t part_size = 8ull << 20;
  // Part buffers per file being written, the one being filled included: memory per file is
  // about parts_in_flight x part_size (at least two parts once parts have grown past it), and up
  // to parts_in_flight - 1 parts upload at once (one thread and connection each). Append blocks
  // while the buffers are all taken. Default 8 (64 MiB with the default part size).
  int parts_in_flight = 8;
  // S3's smallest part but the last (5 MiB). Tests against fakes lower it.
  uint64_t min_part_size = 5ull << 20;
  // Read-ahead of a file read in order (ReadAt at rising offsets): up to reads_in_flight ranged
  // GETs of read_chunk bytes each in flight (one thread and connection each). 0: every ReadAt is
  // one ranged GET of what it asks for. Memory per file read: reads_in_flight x read_chunk.
  int reads_in_flight = 4;
  uint64_t read_chunk = 8ull << 20;
};

// Thread-safe (each file makes its own clients). Files are named like DirectoryTarget's (a plain
// name, no '/') and become the objects PREFIX/name. Nothing is visible under the final name before
// Commit; an aborted or failed file leaves no object and no open multipart upload (as far as
// AbortMultipartUpload succeeds: S3PrefixCleanup removes leftovers).
class S3Target final : public stripe::Target {
 public:
  S3Target(S3Location location, S3ClientFactory clients, S3TargetOptions options = {});

  // Checks (HeadObject) that `name` does not exist unless options.replace; the upload itself
  // starts with the first full part.
  Result<std::unique_ptr<stripe::WritableFile>> Create(
      const std::string& name, const stripe::CreateOptions& options) override;
  using Target::Create;
  // HeadObject (kMissing when there is no such object); the size is kept for the file's life.
  Result<std::unique_ptr<stripe::ReadableFile>> Open(const std::string& name) override;
  // kConfiguration: fan-out is not supported on S3.
  Result<std::unique_ptr<stripe::PlacementFile>> OpenForPlacement(const std::string& name) override;
  std::string Describe() const override;  // "s3://bucket/prefix/"

  const S3Location& location() const { return location_; }
  const S3TargetOptions& options() const { return options_; }

 private:
  S3Location location_;
  S3ClientFactory clients_;
  S3TargetOptions options_;
};

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_S3_TARGET_H_
