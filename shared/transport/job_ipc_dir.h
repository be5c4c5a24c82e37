// JobIpcDir: a coordinator's private directory for its ipc:// hub socket that never outlives its
// owner for long, even after SIGKILL: the owner holds an flock on a file inside for its whole
// life, and the next coordinator (and `vdibackup doctor`) removes every such directory whose lock
// is free. SweepAbandonedIpcDirs is that sweep.
#ifndef VDIBK_SHARED_TRANSPORT_JOB_IPC_DIR_H_
#define VDIBK_SHARED_TRANSPORT_JOB_IPC_DIR_H_

#include <chrono>
#include <string>
#include <vector>

#include "shared/base/regular_file.h"
#include "shared/base/result.h"

namespace vdibk::transport {

// Where coordinators make their directories: $TMPDIR when it is an absolute path, else "/tmp".
std::string DefaultJobIpcBase();
// "<base>/vdibackup-ipc-<owner pid>-XXXXXX": the pid is for people; the lock decides.
inline constexpr char kJobIpcDirPrefix[] = "vdibackup-ipc-";
// The owner's lock file in the directory: flock'ed (exclusive) while the owner lives.
inline constexpr char kJobIpcOwnerLock[] = "owner.lock";

// Move-only RAII: the destructor removes the directory (and what is in it), then drops the lock.
// Not thread-safe.
class JobIpcDir {
 public:
  // Makes a fresh 0700 directory in `base` (mkdtemp) with its owner lock taken. The lock file is
  // created under a temporary name, locked, then renamed into place, so a sweep never sees an
  // unlocked owner.lock of a live owner. The descriptor is close-on-exec: children never hold
  // the lock. Errors: kConfiguration (naming the path).
  static Result<JobIpcDir> Create(const std::string& base = DefaultJobIpcBase());
  JobIpcDir(JobIpcDir&& other) noexcept;
  JobIpcDir& operator=(JobIpcDir&& other) noexcept;
  JobIpcDir(const JobIpcDir&) = delete;
  JobIpcDir& operator=(const JobIpcDir&) = delete;
  ~JobIpcDir();

  const std::string& path() const { return path_; }

 private:
  JobIpcDir() = default;
  void Remove();
  std::string path_;
  UniqueFd lock_;
};

// Removes the abandoned job directories in `base`: entries named kJobIpcDirPrefix*, real
// directories (never a symlink) owned by this uid, whose owner lock nobody holds. One without an
// owner lock (made by an older vdibackup, or its owner killed between mkdir and lock) goes only
// when it is older than `min_age` and nothing listens on its "hub" socket. Everything else,
// and anything that cannot be checked, is left alone. Returns the paths removed. Never blocks.
std::vector<std::string> SweepAbandonedIpcDirs(
    const std::string& base = DefaultJobIpcBase(),
    std::chrono::seconds min_age = std::chrono::seconds(60));

}  // namespace vdibk::transport

#endif  // VDIBK_SHARED_TRANSPORT_JOB_IPC_DIR_H_
