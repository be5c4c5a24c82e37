// SetDirLock: open + flock(LOCK_EX|LOCK_NB) on the set directory's lock file.
#include "coordinator/repo/set_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "shared/base/regular_file.h"

namespace vdibk::coordinator {
namespace {

std::string LockPath(const std::string& set_dir) { return set_dir + "/" + kSetLockFileName; }

// The lock file, created if missing: a regular file only, never through a symlink (a FIFO,
// device or symlink planted there is kMissing naming it; nothing blocks).
Result<int> OpenLockFile(const std::string& path, int flags) {
  RegularFileOptions options;
  options.follow_symlinks = false;
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(path, flags, 0640, options));
  return fd.release();
}

}  // namespace

Result<SetDirLock> SetDirLock::Acquire(const std::string& set_dir) {
  const std::string path = LockPath(set_dir);
  VDIBK_ASSIGN_OR_RETURN(int fd, OpenLockFile(path, O_RDWR | O_CREAT));
  // Blocking: IsHeld() may hold a shared lock for a moment; nobody else keeps a new set's lock.
  int rc;
  do {
    rc = flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno(ErrorCode::kTargetIo, "flock " + path, err);
  }
  return SetDirLock(fd, path);
}

Result<std::optional<SetDirLock>> SetDirLock::TryAcquire(const std::string& set_dir) {
  const std::string path = LockPath(set_dir);
  VDIBK_ASSIGN_OR_RETURN(int fd, OpenLockFile(path, O_RDWR | O_CREAT));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return std::optional<SetDirLock>();
    return Status::FromErrno(ErrorCode::kTargetIo, "flock " + path, err);
  }
  return std::optional<SetDirLock>(SetDirLock(fd, path));
}

bool SetDirLock::IsHeld(const std::string& set_dir) {
  Result<int> opened = OpenLockFile(LockPath(set_dir), O_RDONLY);
  if (!opened.ok()) return false;  // no lock file (or not one a backup made): no backup holds it
  const int fd = *opened;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);  // also drops the shared lock if we got it
  return held;
}

SetDirLock::SetDirLock(SetDirLock&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), remove_(other.remove_) {
  other.fd_ = -1;
}

SetDirLock& SetDirLock::operator=(SetDirLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    remove_ = other.remove_;
    other.fd_ = -1;
  }
  return *this;
}

SetDirLock::~SetDirLock() { Release(); }

void SetDirLock::Release() {
  if (fd_ < 0) return;
  if (remove_) unlink(path_.c_str());
  close(fd_);
  fd_ = -1;
}

}  // namespace vdibk::coordinator
