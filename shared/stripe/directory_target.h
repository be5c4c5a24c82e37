// DirectoryTarget: stripes and manifests as files in one local (or NFS) directory, written as
// "<name>.partial" and published with the durable rename recipe of reliability.md §1.7.
#ifndef VDIBK_SHARED_STRIPE_DIRECTORY_TARGET_H_
#define VDIBK_SHARED_STRIPE_DIRECTORY_TARGET_H_

#include <string>

#include "shared/stripe/target.h"

namespace vdibk::stripe {

inline constexpr const char* kPartialSuffix = ".partial";

class DirectoryTarget final : public Target {
 public:
  // `dir` must exist; it is not created. Files are created with mode 0640 (minus umask).
  explicit DirectoryTarget(std::string dir) : dir_(std::move(dir)) {}

  Result<std::unique_ptr<WritableFile>> Create(const std::string& name,
                                               const CreateOptions& options) override;
  using Target::Create;
  // Only a regular file is opened (OpenRegularFile): a FIFO, device or socket of that name is
  // kMissing naming it, at once; it never blocks. Symlinks to regular files are followed.
  Result<std::unique_ptr<ReadableFile>> Open(const std::string& name) override;
  // Opens "<name>.partial" (being written by a StripeWriter elsewhere) for pwrite; a regular
  // file only, as Open.
  Result<std::unique_ptr<PlacementFile>> OpenForPlacement(const std::string& name) override;
  std::string Describe() const override { return "dir:" + dir_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// fsync of a directory (persists renames/creations in it). kTargetIo on failure.
Status SyncDirectory(const std::string& dir);

}  // namespace vdibk::stripe

#endif  // VDIBK_SHARED_STRIPE_DIRECTORY_TARGET_H_
