// JobIpcDir: mkdtemp + a renamed-into-place flock'ed owner file; the sweep tries each lock.
#include "shared/transport/job_ipc_dir.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "shared/transport/ipc_dir.h"

namespace vdibk::transport {
namespace {

RegularFileOptions LockFileOptions() {
  RegularFileOptions o;
  o.follow_symlinks = false;
  o.open_error = ErrorCode::kConfiguration;
  return o;
}

// True when a process listens on the unix socket `path` (connect succeeds).
bool SomeoneListens(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return true;  // cannot check: assume so
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) return true;
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return true;
  return !(errno == ECONNREFUSED || errno == ENOENT);
}

// Whether the directory `dir` (ours, checked) is abandoned; `lock` gets the owner lock when it
// was free, held while the caller removes the directory.
bool Abandoned(const std::string& dir, const struct stat& st, std::chrono::seconds min_age,
               UniqueFd* lock) {
  const std::string lock_path = dir + "/" + kJobIpcOwnerLock;
  struct stat lst {};
  if (::lstat(lock_path.c_str(), &lst) != 0) {
    if (errno != ENOENT) return false;
    const time_t age = std::time(nullptr) - st.st_mtim.tv_sec;
    return age >= min_age.count() && !SomeoneListens(dir + "/hub");
  }
  Result<UniqueFd> fd = OpenRegularFile(lock_path, O_RDONLY, 0, LockFileOptions());
  if (!fd.ok()) return false;  // something planted there: left to a person
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) return false;  // its owner lives
  *lock = std::move(fd).value();
  return true;
}

}  // namespace

std::string DefaultJobIpcBase() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp && tmp[0] == '/') {
    std::string base = tmp;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return base;
  }
  return "/tmp";
}

Result<JobIpcDir> JobIpcDir::Create(const std::string& base) {
  std::string tmpl = base + "/" + kJobIpcDirPrefix + std::to_string(::getpid()) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    return Status::FromErrno(ErrorCode::kConfiguration, "mkdtemp " + tmpl, errno);
  }
  JobIpcDir d;
  d.path_ = tmpl;  // from here on the destructor removes it
  VDIBK_RETURN_IF_ERROR(CreatePrivateDir(d.path_));
  const std::string temp = d.path_ + "/." + kJobIpcOwnerLock;
  VDIBK_ASSIGN_OR_RETURN(d.lock_,
                         OpenRegularFile(temp, O_RDWR | O_CREAT | O_EXCL, 0600, LockFileOptions()));
  if (::flock(d.lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::FromErrno(ErrorCode::kConfiguration, "flock " + temp, errno);
  }
  const std::string lock_path = d.path_ + "/" + kJobIpcOwnerLock;
  if (::rename(temp.c_str(), lock_path.c_str()) != 0) {
    return Status::FromErrno(ErrorCode::kConfiguration, "rename " + temp, errno);
  }
  return d;
}

JobIpcDir::JobIpcDir(JobIpcDir&& other) noexcept
    : path_(std::move(other.path_)), lock_(std::move(other.lock_)) {
  other.path_.clear();
}

JobIpcDir& JobIpcDir::operator=(JobIpcDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    lock_ = std::move(other.lock_);
    other.path_.clear();
  }
  return *this;
}

JobIpcDir::~JobIpcDir() { Remove(); }

void JobIpcDir::Remove() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // under our lock
    path_.clear();
  }
  lock_ = UniqueFd();
}

std::vector<std::string> SweepAbandonedIpcDirs(const std::string& base,
                                               std::chrono::seconds min_age) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kJobIpcDirPrefix, 0) != 0) continue;
    const std::string dir = base + "/" + name;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) {
      continue;  // a symlink, a file, or another user's: not ours to judge
    }
    UniqueFd lock;
    if (!Abandoned(dir, st, min_age, &lock)) continue;
    std::error_code rm;
    std::filesystem::remove_all(dir, rm);
    if (!rm) removed.push_back(dir);
  }
  return removed;
}

}  // namespace vdibk::transport
