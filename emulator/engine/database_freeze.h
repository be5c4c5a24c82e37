// DatabaseFreeze: the emulator's "I/O is frozen on database" state of BACKUP ... WITH SNAPSHOT,
// and the write guard every writer of a database takes so that it waits while the database is
// frozen (and a freeze waits for writes in progress to finish).
#ifndef VDIBK_EMULATOR_ENGINE_DATABASE_FREEZE_H_
#define VDIBK_EMULATOR_ENGINE_DATABASE_FREEZE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "emulator/db/catalog.h"
#include "emulator/db/file_io.h"
#include "emulator/db/workload.h"
#include "shared/base/result.h"

namespace vdibk::emulator {

// Mechanism: one lock file per database, DIR/.vdi-emulator/<name>.freeze, locked with flock(2):
// a freeze holds it exclusively, writers hold it shared. It works across processes (the
// `vdi-emulator workload` command and `vdi-emulator serve` share nothing else) and a dead
// process's lock goes away with it. Inside one process a registry also answers IsFrozen()
// without touching the lock (the executor refuses DROP/RESTORE/BACKUP of a frozen database).
class DatabaseFreeze {
 public:
  // Freezes `database`: waits up to wait_ms for writers in progress (error 3023-style SqlError
  // on timeout) and for an earlier freeze of the same database to end.
  static Result<std::unique_ptr<DatabaseFreeze>> Freeze(const Catalog& catalog,
                                                        const std::string& database,
                                                        uint32_t wait_ms);
  ~DatabaseFreeze();  // thaws
  DatabaseFreeze(const DatabaseFreeze&) = delete;
  DatabaseFreeze& operator=(const DatabaseFreeze&) = delete;

  // Thaws now (idempotent); returns how long the database was frozen.
  double Thaw();
  double frozen_seconds() const;
  const std::string& database() const { return database_; }

 private:
  DatabaseFreeze(std::string key, std::string database, UniqueFd fd);
  std::string key_;
  std::string database_;
  UniqueFd fd_;
  std::chrono::steady_clock::time_point since_;
  double seconds_ = -1;  // set by Thaw()
};

// Shared hold of a database's freeze lock for the duration of a write. Acquire waits up to
// wait_ms while the database is frozen; on timeout a SqlError 3023-style "frozen" error.
class DatabaseWriteGuard {
 public:
  static Result<std::unique_ptr<DatabaseWriteGuard>> Acquire(const Catalog& catalog,
                                                             const std::string& database,
                                                             uint32_t wait_ms);
  explicit DatabaseWriteGuard(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // closing it releases the shared lock
};

// True while this process holds a freeze of `database` in `catalog`.
bool IsFrozen(const Catalog& catalog, const std::string& database);

// RunWorkload under a DatabaseWriteGuard: what every caller outside tests of emulator/db uses.
Result<WorkloadResult> RunWorkloadRespectingFreeze(const Catalog& catalog,
                                                   const std::string& database,
                                                   const WorkloadOptions& options,
                                                   uint32_t wait_ms);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_DATABASE_FREEZE_H_
