// OpenRegularFile: open(2) for files in directories that others can write to (a backup
// repository, a lock directory): a FIFO, device, socket or directory found there is refused at
// once, naming it, instead of blocking the open or a later read forever. Also UniqueFd.
#ifndef VDIBK_SHARED_BASE_REGULAR_FILE_H_
#define VDIBK_SHARED_BASE_REGULAR_FILE_H_

#include <sys/types.h>

#include <string>
#include <utility>

#include "shared/base/result.h"

namespace vdibk {

// Owns one file descriptor and closes it; move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }  // the caller closes it
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct RegularFileOptions {
  // false: a symbolic link at `path` is refused, never followed (O_NOFOLLOW).
  bool follow_symlinks = true;
  // The code of open(2) failures other than ENOENT (which is always kMissing).
  ErrorCode open_error = ErrorCode::kTargetIo;
};

// Opens `path` with open(2) `flags` (O_RDONLY/O_WRONLY/O_RDWR, optionally O_CREAT with `mode`;
// O_CLOEXEC is added) if, and only if, it is a regular file. An existing entry is looked at
// first without being opened (O_PATH: no side effect on a device, never blocks); the open itself
// is non-blocking, and the descriptor's own type is checked again, so an entry swapped for a
// FIFO in between cannot block either. The descriptor returned is in blocking mode.
// Errors: kMissing naming the path and what it is ("is a FIFO, not a regular file", "is a
// symbolic link", ...) or ENOENT; options.open_error for any other open(2) failure.
Result<UniqueFd> OpenRegularFile(const std::string& path, int flags, mode_t mode = 0,
                                 const RegularFileOptions& options = {});

// "a FIFO", "a socket", "a character device", "a block device", "a directory", "a symbolic
// link", "a regular file" for a stat(2) st_mode.
const char* FileTypeName(mode_t mode);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_REGULAR_FILE_H_
