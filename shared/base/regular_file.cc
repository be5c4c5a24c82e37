// OpenRegularFile: an O_PATH look, a non-blocking open, an fstat type check, blocking mode back.
#include "shared/base/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vdibk {
namespace {

Status NotRegular(const std::string& path, mode_t mode) {
  return Status::Missing(path + " is " + FileTypeName(mode) + ", not a regular file; refused");
}

Status OpenFailed(const std::string& path, int err, const RegularFileOptions& options) {
  if (err == ENOENT) return Status::FromErrno(ErrorCode::kMissing, "open " + path, err);
  // O_NOFOLLOW on a symbolic link.
  if (err == ELOOP && !options.follow_symlinks) return NotRegular(path, S_IFLNK);
  // A FIFO opened O_WRONLY|O_NONBLOCK without a reader.
  if (err == ENXIO) return NotRegular(path, S_IFIFO);
  return Status::FromErrno(options.open_error, "open " + path, err);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

const char* FileTypeName(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFLNK:
      return "a symbolic link";
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
  }
  return "of an unknown file type";
}

Result<UniqueFd> OpenRegularFile(const std::string& path, int flags, mode_t mode,
                                 const RegularFileOptions& options) {
  const int nofollow = options.follow_symlinks ? 0 : O_NOFOLLOW;
  struct stat st {};
  // 1. Look before opening: O_PATH opens nothing (no FIFO wait, no device open side effect);
  //    with O_NOFOLLOW it gives the link itself.
  {
    UniqueFd probe(::open(path.c_str(), O_PATH | O_CLOEXEC | nofollow));
    if (!probe.valid()) {
      const int err = errno;
      if (!(err == ENOENT && (flags & O_CREAT))) return OpenFailed(path, err, options);
    } else {
      if (::fstat(probe.get(), &st) != 0) {
        return Status::FromErrno(options.open_error, "stat " + path, errno);
      }
      if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
    }
  }
  // 2. Open non-blocking: whatever is there by now, the open returns at once.
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC | O_NONBLOCK | nofollow, mode));
  if (!fd.valid()) return OpenFailed(path, errno, options);
  if (::fstat(fd.get(), &st) != 0) {
    return Status::FromErrno(options.open_error, "stat " + path, errno);
  }
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
  // 3. A regular file never blocks; later code may still expect blocking semantics.
  const int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) {
    return Status::FromErrno(options.open_error, "fcntl " + path, errno);
  }
  return fd;
}

}  // namespace vdibk
