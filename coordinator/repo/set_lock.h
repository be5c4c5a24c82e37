// SetDirLock: an flock on REPO/<database>/<set>/.vdibackup.lock, held by `vdibackup backup` for
// the whole run so that `vdibackup prune` never removes the directory of a running backup.
#ifndef VDIBK_COORDINATOR_REPO_SET_LOCK_H_
#define VDIBK_COORDINATOR_REPO_SET_LOCK_H_

#include <optional>
#include <string>

#include "shared/base/result.h"

namespace vdibk::coordinator {

inline constexpr const char* kSetLockFileName = ".vdibackup.lock";

// Move-only RAII: the destructor removes the lock file, then releases the lock (a reader that
// opened the file just before sees the lock free only once the owner is done). The lock dies
// with the process, so a crashed backup never leaves a set locked. The lock file is opened only
// if it is a regular file and never through a symlink (OpenRegularFile): anything else planted
// there is kMissing naming it, at once, and IsHeld says false.
class SetDirLock {
 public:
  // Creates the lock file in `set_dir` and takes the lock, waiting while someone holds it (only
  // IsHeld's brief probe does for a new set). Errors: kTargetIo, kMissing (not a regular file).
  static Result<SetDirLock> Acquire(const std::string& set_dir);
  // Takes the lock of `set_dir` if nobody holds it (creating the file if needed); nullopt when a
  // live process holds it. Errors: kTargetIo, kMissing (not a regular file).
  static Result<std::optional<SetDirLock>> TryAcquire(const std::string& set_dir);
  // True when a live process holds the lock of `set_dir` (never creates anything).
  static bool IsHeld(const std::string& set_dir);

  SetDirLock(SetDirLock&& other) noexcept;
  SetDirLock& operator=(SetDirLock&& other) noexcept;
  SetDirLock(const SetDirLock&) = delete;
  SetDirLock& operator=(const SetDirLock&) = delete;
  ~SetDirLock();

  // Keeps the file when the lock is released (for a directory about to be removed anyway).
  void KeepFile() { remove_ = false; }

 private:
  SetDirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void Release();
  int fd_ = -1;
  std::string path_;
  bool remove_ = true;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_SET_LOCK_H_
