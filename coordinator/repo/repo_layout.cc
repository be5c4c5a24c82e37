// Repository naming and set-directory creation.
#include "coordinator/repo/repo_layout.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "coordinator/repo/repo_dirs.h"
#include "shared/stripe/directory_target.h"

namespace vdibk::coordinator {

std::string UtcStamp(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string SetDirName(std::chrono::system_clock::time_point t, const std::string& type) {
  return UtcStamp(t) + "_" + type;
}

std::string StripeFileName(uint32_t index, uint32_t count) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "stripe-%02u-of-%02u.lz4", index + 1, count);
  return buf;
}

std::string DeviceName(const std::string& set_name, uint32_t index) {
  return index == 0 ? set_name : set_name + "_" + std::to_string(index);
}

std::array<uint8_t, 16> NewSetId() {
  std::array<uint8_t, 16> id{};
  size_t got = 0;
  while (got < id.size()) {
    ssize_t n = getrandom(id.data() + got, id.size() - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  return id;
}

std::string NewSetName() {
  std::array<uint8_t, 16> r = NewSetId();
  std::string hex;
  char buf[3];
  for (size_t i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", r[i]);
    hex += buf;
  }
  return "vdibackup_" + std::to_string(getpid()) + "_" + hex;
}

std::string SetDirCandidate(const std::string& base, uint32_t attempt) {
  if (attempt == 0) return base;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "-%02u", attempt + 1);
  return base + suffix;
}

Result<std::optional<std::string>> TryCreateSetDir(const std::string& repo,
                                                   const std::string& database,
                                                   const std::string& dir_name) {
  if (!IsRepoComponent(database)) {
    return Status::Usage("database name '" + database + "' cannot be a repository folder");
  }
  struct stat st {};
  if (stat(repo.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Configuration("repository '" + repo + "' is not a directory");
  }
  const std::string db_dir = repo + "/" + database;
  if (mkdir(db_dir.c_str(), 0750) != 0) {
    if (errno != EEXIST) return Status::FromErrno(ErrorCode::kTargetIo, "mkdir " + db_dir, errno);
    VDIBK_RETURN_IF_ERROR(CheckRepoDir(db_dir));  // never into a symlinked database folder
  }
  const std::string set_dir = db_dir + "/" + dir_name;
  if (mkdir(set_dir.c_str(), 0750) != 0) {
    if (errno == EEXIST) return std::optional<std::string>();
    return Status::FromErrno(ErrorCode::kTargetIo, "mkdir " + set_dir, errno);
  }
  if (Status synced = stripe::SyncDirectory(db_dir); !synced.ok()) {
    rmdir(set_dir.c_str());
    return synced;
  }
  return std::optional<std::string>(set_dir);
}

Result<std::string> CreateSetDir(const std::string& repo, const std::string& database,
                                 const std::string& dir_name) {
  VDIBK_ASSIGN_OR_RETURN(std::optional<std::string> dir, TryCreateSetDir(repo, database, dir_name));
  if (!dir)
    return Status::TargetIo("set directory " + repo + "/" + database + "/" + dir_name +
                            " exists already");
  return *dir;
}

void RemoveSetDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  (void)stripe::SyncDirectory(parent.string());
}

}  // namespace vdibk::coordinator
