// Restore set selection and validation: finds the backup set to restore under REPO/<database>/,
// verifies its manifest and every stripe's header before anything is sent to the server.
#ifndef VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_
#define VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// A verified set, ready to be streamed back.
struct RestorePlan {
  std::string set_dir;                    // REPO/<database>/<set>
  proto::Manifest manifest;               // verified, state COMPLETE
  std::vector<std::string> stripe_files;  // by device index, file names in stripe_dirs[i]
  std::vector<std::string> stripe_dirs;   // by device index, the directory holding each stripe
  uint32_t block_size = 0;                // the backup's VDI block size
  uint32_t max_transfer_size = 0;         // the backup's max transfer size
  uint64_t raw_bytes() const;
};

// The directory of set `set` of `database` in `repo`. `set` is a set directory name or
// "latest": the newest set (by its UTC-stamped name) whose manifest is COMPLETE; sets without a
// manifest or still PENDING are skipped, a corrupt manifest on the way is an error.
// Errors: kMissing (no such database/set, no complete set), kIntegrity, kUsage (bad names),
// kConfiguration (a symlinked database or set folder, repo_dirs.h).
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

// Reads and verifies the manifest of `set_dir` (checksum, state COMPLETE, database, stripe
// list) and opens every stripe's header and trailer (set id, device index and count, format
// version), wherever the manifest says each stripe is. Errors: kIntegrity (corrupt manifest or
// stripe, a location that is not IsSafeLocation), kMissing (no manifest, missing, foreign or extra
// stripe in the set dir or any target dir, other database, set not complete; a stripe or manifest
// that is not a regular file, e.g. a FIFO), each naming the file; kConfiguration (the set folder
// or its database folder is a symlink).
Result<RestorePlan> LoadRestoreSet(const std::string& set_dir, const std::string& database);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_RESTORE_PLAN_H_
