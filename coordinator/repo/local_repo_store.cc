// LocalRepoStore: the repository as directories (repo_dirs.h, repo_layout.h, set_lock.h).
#include "coordinator/repo/local_repo_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "coordinator/repo/repo_dirs.h"
#include "coordinator/repo/repo_layout.h"
#include "coordinator/repo/set_lock.h"
#include "shared/stripe/directory_target.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Status CheckNames(const std::string& database, const std::string& set) {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  if (!IsRepoComponent(set)) return Status::Usage("'" + set + "' is not a set name");
  return Status::Ok();
}

class LocalSetLease final : public SetLease {
 public:
  explicit LocalSetLease(SetDirLock lock) : lock_(std::move(lock)) {}
  void KeepOnRelease() override { lock_.KeepFile(); }

 private:
  SetDirLock lock_;
};

}  // namespace

std::string LocalRepoStore::SetLocation(const std::string& database, const std::string& set) const {
  return root_ + "/" + database + "/" + set;
}

std::string LocalRepoStore::HiddenSetLocation(const std::string& database,
                                              const std::string& set) const {
  return root_ + "/" + database + "/" + kHiddenSetPrefix + set;
}

Status LocalRepoStore::CheckRoot() const {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) {
    return Status::Configuration("repository '" + root_ + "' is not a directory");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> LocalRepoStore::ListDatabases() const {
  return ListRepoDirs(root_);
}

Result<std::vector<std::string>> LocalRepoStore::ListSets(const std::string& database) const {
  VDIBK_ASSIGN_OR_RETURN(const std::string db_dir, DatabaseDir(root_, database));
  return ListRepoDirs(db_dir);
}

Status LocalRepoStore::CheckSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(DatabaseDir(root_, database).status());
  if (!IsRepoComponent(set)) return Status::Usage("'" + set + "' is not a set name");
  const std::string dir = SetLocation(database, set);
  Status st = CheckRepoDir(dir);
  if (st.code() == ErrorCode::kMissing) return Status::Missing("backup set " + dir + " not found");
  return st;
}

Result<SetListing> LocalRepoStore::ListSetFiles(const std::string& database,
                                                const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  const std::string dir = SetLocation(database, set);
  SetListing out;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::FromErrno(ErrorCode::kMissing, "stat " + dir, errno);
  }
  out.newest_mtime_ms = MtimeMs(st);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (::lstat(e.path().c_str(), &st) != 0) continue;  // gone meanwhile
    SetFileInfo f;
    f.name = e.path().filename().string();
    f.size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
    f.mtime_ms = MtimeMs(st);
    out.newest_mtime_ms = std::max(out.newest_mtime_ms, f.mtime_ms);
    out.files.push_back(std::move(f));
  }
  if (ec) return Status::FromErrno(ErrorCode::kMissing, "list " + dir, ec.value());
  std::sort(out.files.begin(), out.files.end(),
            [](const SetFileInfo& a, const SetFileInfo& b) { return a.name < b.name; });
  return out;
}

Result<std::unique_ptr<stripe::Target>> LocalRepoStore::OpenSet(const std::string& database,
                                                                const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  return std::unique_ptr<stripe::Target>(
      std::make_unique<stripe::DirectoryTarget>(SetLocation(database, set)));
}

Result<bool> LocalRepoStore::TryCreateSet(const std::string& database,
                                          const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  VDIBK_ASSIGN_OR_RETURN(std::optional<std::string> dir, TryCreateSetDir(root_, database, set));
  return dir.has_value();
}

void LocalRepoStore::DiscardSet(const std::string& database, const std::string& set) const {
  if (!CheckNames(database, set).ok()) return;
  RemoveSetDir(SetLocation(database, set));
}

Status LocalRepoStore::HideSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  const std::string db_dir = root_ + "/" + database;
  const std::string dir = SetLocation(database, set);
  const std::string hidden = HiddenSetLocation(database, set);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(hidden, ec))) {
    VDIBK_RETURN_IF_ERROR(DeleteHiddenSet(database, set));
  }
  if (std::rename(dir.c_str(), hidden.c_str()) != 0) {
    return Status::FromErrno(ErrorCode::kTargetIo, "rename " + dir + " to " + hidden, errno);
  }
  return stripe::SyncDirectory(db_dir);
}

Result<std::vector<std::string>> LocalRepoStore::ListHiddenSets(const std::string& database) const {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  const std::string db_dir = root_ + "/" + database;
  const std::string prefix = kHiddenSetPrefix;
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(db_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) continue;
    VDIBK_RETURN_IF_ERROR(CheckRepoDir(db_dir + "/" + name));  // never through a symlink
    out.push_back(name.substr(prefix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::unique_ptr<stripe::Target>> LocalRepoStore::OpenHiddenSet(
    const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  return std::unique_ptr<stripe::Target>(
      std::make_unique<stripe::DirectoryTarget>(HiddenSetLocation(database, set)));
}

Status LocalRepoStore::DeleteHiddenSet(const std::string& database, const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  const std::string hidden = HiddenSetLocation(database, set);
  std::error_code ec;
  fs::remove_all(hidden, ec);
  if (ec) {
    return Status::FromErrno(ErrorCode::kTargetIo,
                             "remove " + hidden + " (a later prune finishes it)", ec.value());
  }
  return stripe::SyncDirectory(root_ + "/" + database);
}

Result<std::unique_ptr<SetLease>> LocalRepoStore::AcquireLease(const std::string& database,
                                                               const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  VDIBK_ASSIGN_OR_RETURN(SetDirLock lock, SetDirLock::Acquire(SetLocation(database, set)));
  return std::unique_ptr<SetLease>(std::make_unique<LocalSetLease>(std::move(lock)));
}

Result<std::unique_ptr<SetLease>> LocalRepoStore::TryAcquireLease(const std::string& database,
                                                                  const std::string& set) const {
  VDIBK_RETURN_IF_ERROR(CheckNames(database, set));
  VDIBK_ASSIGN_OR_RETURN(std::optional<SetDirLock> lock,
                         SetDirLock::TryAcquire(SetLocation(database, set)));
  if (!lock) return std::unique_ptr<SetLease>();
  return std::unique_ptr<SetLease>(std::make_unique<LocalSetLease>(std::move(*lock)));
}

bool LocalRepoStore::IsInUse(const std::string& database, const std::string& set) const {
  return CheckNames(database, set).ok() && SetDirLock::IsHeld(SetLocation(database, set));
}

}  // namespace vdibk::coordinator
