// Repository directories: lstat checks and directory listings that refuse symlinked folders.
#include "coordinator/repo/repo_dirs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "shared/base/regular_file.h"

namespace vdibk::coordinator {
namespace {

Status SymlinkRefused(const std::string& path) {
  return Status::Configuration(
      path +
      " is a symbolic link; vdibackup never follows symlinks inside a repository (database and "
      "set folders must be real directories: move the directory itself there)");
}

}  // namespace

bool IsRepoComponent(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

Status CheckRepoDir(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::FromErrno(ErrorCode::kMissing, "stat " + path, errno);
    }
    return Status::FromErrno(ErrorCode::kConfiguration, "stat " + path, errno);
  }
  if (S_ISLNK(st.st_mode)) return SymlinkRefused(path);
  if (!S_ISDIR(st.st_mode)) {
    return Status::Configuration(path + " is " + FileTypeName(st.st_mode) + ", not a directory");
  }
  return Status::Ok();
}

Result<std::string> DatabaseDir(const std::string& repo, const std::string& database) {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  const std::string dir = repo + "/" + database;
  Status st = CheckRepoDir(dir);
  if (st.code() == ErrorCode::kMissing) {
    return Status::Missing("no backups of database '" + database + "' in " + repo);
  }
  VDIBK_RETURN_IF_ERROR(st);
  return dir;
}

Result<std::vector<std::string>> ListRepoDirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Status::FromErrno(ErrorCode::kMissing, "list " + dir, ec.value());
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code ec2;
    if (it->is_symlink(ec2)) {
      // Only what would pass for a folder is refused: a link to a directory.
      if (std::filesystem::is_directory(it->path(), ec2)) return SymlinkRefused(dir + "/" + name);
      continue;
    }
    if (it->is_directory(ec2)) out.push_back(name);
  }
  if (ec) return Status::FromErrno(ErrorCode::kMissing, "list " + dir, ec.value());
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckSetDirPath(const std::string& set_dir) {
  const std::filesystem::path p(set_dir);
  VDIBK_RETURN_IF_ERROR(CheckRepoDir(p.parent_path().string()));
  return CheckRepoDir(set_dir);
}

}  // namespace vdibk::coordinator
