// Prune on other --target roots: a backup over several targets keeps stripes in
// <target>/<database>/<set>/ (StripeEntry.location names the target root); these directories
// go with their set, and nothing outside them is ever touched.
#ifndef VDIBK_COORDINATOR_REPO_PRUNE_TARGETS_H_
#define VDIBK_COORDINATOR_REPO_PRUNE_TARGETS_H_

#include <string>
#include <vector>

#include "proto/manifest.pb.h"
#include "shared/base/status.h"

namespace vdibk::coordinator {

// The set's directory on one target root, from the manifest.
struct TargetSetDir {
  std::string root;     // StripeEntry.location as recorded
  std::string dir;      // <root>/<database>/<set name>
  std::string problem;  // non-empty: the location is unusable and the directory is left alone
};

// One entry per distinct non-empty location of `manifest`'s stripes (in stripe order). A
// location that is not IsSafeLocation (restore_set.h: absolute, no ".." parts) gets a problem.
std::vector<TargetSetDir> ListTargetSetDirs(const proto::Manifest& manifest,
                                            const std::string& database,
                                            const std::string& set_name);

// Removes every usable directory of ListTargetSetDirs, and only those: a directory that is gone
// already is skipped; one that is a symlink, or does not resolve to <resolved root>/<database>/
// <set name>, is left alone; inside, only entries named "stripe-*" that are files (or symlinks,
// never followed) are removed, then the directory itself if that emptied it (else it is kept,
// naming what else it holds), and its parent folder is fsync'd. Appends one "  ..." line per
// directory to `*report` saying what was removed or why not. Errors: kTargetIo (a removal
// failed; a later prune of the same leftover finishes it).
Status RemoveTargetSetDirs(const proto::Manifest& manifest, const std::string& database,
                           const std::string& set_name, std::string* report);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_PRUNE_TARGETS_H_
