// Restore set selection and validation: finds the backup set to restore among a RepoStore's sets
// of a database, verifies its manifest and every stripe's header before anything is sent to the
// server.
#ifndef VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_
#define VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/repo/repo_store.h"
#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// A verified set, ready to be streamed back.
struct RestorePlan {
  std::string set_dir;                    // RepoStore::SetLocation (REPO/<database>/<set>)
  std::string set_name;                   // the set's name
  proto::Manifest manifest;               // verified, state COMPLETE
  std::vector<std::string> stripe_files;  // by device index, file names in stripe_dirs[i]
  // By device index, where each stripe is: set_dir for a stripe in the set itself, else the set
  // directory on its --target root.
  std::vector<std::string> stripe_dirs;
  uint32_t block_size = 0;         // the backup's VDI block size
  uint32_t max_transfer_size = 0;  // the backup's max transfer size
  uint64_t raw_bytes() const;
};

// The set `set` of `database` in `store`, by name. `set` is a set name or "latest": the newest
// set (by its UTC-stamped name) whose manifest is COMPLETE; sets without a manifest or still
// PENDING are skipped, a corrupt manifest on the way is an error.
// Errors: kMissing (no such database/set, no complete set), kIntegrity, kUsage (bad names),
// kConfiguration (a symlinked database or set folder, repo_dirs.h).
Result<std::string> FindSet(const RepoStore& store, const std::string& database,
                            const std::string& set);
// FindSet in the local repository directory `repo`, as the set's directory.
Result<std::string> FindSetDir(const std::string& repo, const std::string& database,
                               const std::string& set);

// A usable StripeEntry.location: an absolute path without NUL and without ".." parts (so that
// <location>/<database>/<set> cannot lead outside the target). Backups record lexically normal
// ones; restore, verify and prune refuse any other.
bool IsSafeLocation(const std::string& location);

// The directory of a stripe: `set_dir` for an entry without location, else
// <location>/<database>/<set dir name> (the set directory on that --target).
std::string StripeDirOf(const std::string& set_dir, const std::string& database,
                        const proto::StripeEntry& entry);

// Reads and verifies the manifest of set `set` of `database` (checksum, state COMPLETE, database,
// stripe list) and opens every stripe's header and trailer (set id, device index and count,
// format version), wherever the manifest says each stripe is: in the set (through
// RepoStore::OpenSet) or on a --target root (a local directory). Errors: kIntegrity (corrupt
// manifest or stripe, a location that is not IsSafeLocation), kMissing (no manifest, missing,
// foreign or extra stripe in the set or any target dir, other database, set not complete; a
// stripe or manifest that is not a regular file, e.g. a FIFO), each naming the file;
// kConfiguration (the set folder or its database folder is a symlink).
Result<RestorePlan> LoadRestoreSet(const RepoStore& store, const std::string& database,
                                   const std::string& set);
// LoadRestoreSet of the local set directory `set_dir` (REPO/<folder>/<set>: LocalRepoStore at
// REPO), whose manifest must be of `database`.
Result<RestorePlan> LoadRestoreSet(const std::string& set_dir, const std::string& database);

// Opens stripe `i` of `plan` for reading: through `store` when it is in the set itself, else in
// its --target directory. Errors: as RepoStore::OpenSet.
Result<std::unique_ptr<stripe::Target>> OpenStripeTarget(const RepoStore& store,
                                                         const RestorePlan& plan, size_t i);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_
