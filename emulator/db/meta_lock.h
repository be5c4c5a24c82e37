// MetaLock: the exclusive lock every read-modify-write of a database's metadata holds (workload,
// backup commit, restore commit, recovery), so that concurrent writers in one or several processes
// never lose each other's updates.
#ifndef VDIBK_EMULATOR_DB_META_LOCK_H_
#define VDIBK_EMULATOR_DB_META_LOCK_H_

#include <string>

#include "emulator/db/file_io.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// flock(2) LOCK_EX on `<meta path>.lock` (created if missing, never removed: removing a lock file
// others may hold would break the exclusion). Blocks until granted; works between threads (each
// Acquire opens its own descriptor) and processes; released on destruction or process death.
class MetaLock {
 public:
  static Result<MetaLock> Acquire(const std::string& meta_path);
  MetaLock(MetaLock&&) = default;
  MetaLock& operator=(MetaLock&&) = default;

 private:
  explicit MetaLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_META_LOCK_H_
