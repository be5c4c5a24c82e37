// Repository directories: the one rule for what lies inside a repository (and a --target root):
// database folders and set folders are real directories. A symbolic link in their place is never
// followed; every command (backup, restore, verify, list, prune) refuses it naming the path.
#ifndef VDIBK_COORDINATOR_REPO_REPO_DIRS_H_
#define VDIBK_COORDINATOR_REPO_REPO_DIRS_H_

#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

// True for a name that can be one folder of a repository path: not empty, ".", ".." and without
// '/' or NUL.
bool IsRepoComponent(const std::string& name);

// Checks a database or set directory inside a repository (lstat, never follows): OK for a real
// directory. Errors: kMissing (nothing there), kConfiguration naming the path for a symbolic link
// (to anything) or any other kind of file.
Status CheckRepoDir(const std::string& path);

// REPO/<database>, checked: kUsage (not IsRepoComponent), kMissing ("no backups of database ..."
// when there is no such folder), kConfiguration (CheckRepoDir: a symlink or not a directory).
// The repository root itself may be a symlink.
Result<std::string> DatabaseDir(const std::string& repo, const std::string& database);

// The entries of `dir` (the repository root: database folders; a database folder: set folders)
// that are directories, sorted by name. Hidden entries (".pruning-*", lock and dot files) are
// skipped, and so are plain files, FIFOs, sockets and devices (nothing is opened). A symbolic
// link to a directory is refused, kConfiguration naming it. Errors: kConfiguration, kMissing
// (`dir` cannot be listed).
Result<std::vector<std::string>> ListRepoDirs(const std::string& dir);

// For a set directory REPO/<database>/<set>: CheckRepoDir on the set directory and on its
// database folder (the repository root may be a symlink).
Status CheckSetDirPath(const std::string& set_dir);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_REPO_DIRS_H_
