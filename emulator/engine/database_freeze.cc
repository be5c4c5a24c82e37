// DatabaseFreeze / DatabaseWriteGuard: flock(2) on DIR/.vdi-emulator/<name>.freeze plus an
// in-process registry of frozen databases.
#include "emulator/engine/database_freeze.h"

#include <fcntl.h>
#include <sys/file.h>

#include <mutex>
#include <set>
#include <thread>

#include "emulator/base/sql_error.h"

namespace vdibk::emulator {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& Registry() {
  static std::set<std::string> frozen;
  return frozen;
}

std::string Key(const Catalog& catalog, const std::string& database) {
  return catalog.data_dir() + "\n" + database;
}

std::string LockPath(const Catalog& catalog, const std::string& database) {
  return catalog.WorkDir() + "/" + database + ".freeze";
}

Status LockTimeout(const std::string& database, uint32_t wait_ms, bool freeze) {
  return SqlErrorStatus(
      1222, "Lock request time out period exceeded. (" +
                std::string(freeze ? "freezing" : "writing to") + " database '" + database +
                "': " + (freeze ? "writes still in progress" : "database I/O is frozen") +
                " after " + std::to_string(wait_ms) + " ms)");
}

// Opens the lock file and takes `op` (LOCK_EX / LOCK_SH), polling until wait_ms has passed.
Result<UniqueFd> TakeLock(const Catalog& catalog, const std::string& database, int op,
                          uint32_t wait_ms) {
  VDIBK_RETURN_IF_ERROR(Catalog::ValidateName(database));
  VDIBK_RETURN_IF_ERROR(catalog.Init());
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(LockPath(catalog, database), O_RDWR | O_CREAT));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    if (::flock(fd.get(), op | LOCK_NB) == 0) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::FromErrno(ErrorCode::kFailed, "flock " + LockPath(catalog, database), errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return LockTimeout(database, wait_ms, op == LOCK_EX);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

DatabaseFreeze::DatabaseFreeze(std::string key, std::string database, UniqueFd fd)
    : key_(std::move(key)),
      database_(std::move(database)),
      fd_(std::move(fd)),
      since_(std::chrono::steady_clock::now()) {}

Result<std::unique_ptr<DatabaseFreeze>> DatabaseFreeze::Freeze(const Catalog& catalog,
                                                               const std::string& database,
                                                               uint32_t wait_ms) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, TakeLock(catalog, database, LOCK_EX, wait_ms));
  std::string key = Key(catalog, database);
  {
    std::lock_guard lock(RegistryMutex());
    Registry().insert(key);
  }
  return std::unique_ptr<DatabaseFreeze>(new DatabaseFreeze(key, database, std::move(fd)));
}

DatabaseFreeze::~DatabaseFreeze() { Thaw(); }

double DatabaseFreeze::Thaw() {
  if (seconds_ >= 0) return seconds_;
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
  {
    std::lock_guard lock(RegistryMutex());
    Registry().erase(key_);
  }
  fd_.Reset();  // releases the exclusive lock: waiting writers go on
  return seconds_;
}

double DatabaseFreeze::frozen_seconds() const {
  if (seconds_ >= 0) return seconds_;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
}

Result<std::unique_ptr<DatabaseWriteGuard>> DatabaseWriteGuard::Acquire(const Catalog& catalog,
                                                                        const std::string& database,
                                                                        uint32_t wait_ms) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, TakeLock(catalog, database, LOCK_SH, wait_ms));
  return std::make_unique<DatabaseWriteGuard>(std::move(fd));
}

bool IsFrozen(const Catalog& catalog, const std::string& database) {
  std::lock_guard lock(RegistryMutex());
  return Registry().count(Key(catalog, database)) != 0;
}

Result<WorkloadResult> RunWorkloadRespectingFreeze(const Catalog& catalog,
                                                   const std::string& database,
                                                   const WorkloadOptions& options,
                                                   uint32_t wait_ms) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<DatabaseWriteGuard> guard,
                         DatabaseWriteGuard::Acquire(catalog, database, wait_ms));
  VDIBK_ASSIGN_OR_RETURN(Database db, catalog.Open(database));
  return RunWorkload(db, options);
}

}  // namespace vdibk::emulator
