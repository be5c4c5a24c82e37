// MetaLock implementation.
#include "emulator/db/meta_lock.h"

#include <errno.h>
#include <sys/file.h>

namespace vdibk::emulator {

Result<MetaLock> MetaLock::Acquire(const std::string& meta_path) {
  VDIBK_RETURN_IF_ERROR(MakeDirs(ParentDir(meta_path)));
  const std::string path = meta_path + ".lock";
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDWR | O_CREAT, 0644));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Status::FromErrno(ErrorCode::kFailed, "flock " + path, errno);
  }
  return MetaLock(std::move(fd));
}

}  // namespace vdibk::emulator
