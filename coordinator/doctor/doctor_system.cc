// OsDoctorSystem: the doctor's system calls against the real operating system.
#include "coordinator/doctor/doctor_system.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "vdi.h"

namespace vdibk::coordinator {
namespace {

// ClientVirtualDeviceSet::Create(char*, VDConfig*): exported by every libsqlvdi (same ABI).
constexpr const char* kClientSymbol = "_ZN22ClientVirtualDeviceSet6CreateEPcP8VDConfig";
// vdibk::vdi::ServerVirtualDeviceSet::ServerVirtualDeviceSet(): only vdibackup's library has it.
constexpr const char* kServerSymbol = "_ZN5vdibk3vdi22ServerVirtualDeviceSetC1Ev";

Status Errno(std::string_view what, int err) {
  return Status::FromErrno(ErrorCode::kConfiguration, what, err);
}

}  // namespace

Result<FsSpace> OsDoctorSystem::StatVfs(const std::string& path) {
  struct statvfs v {};
  if (statvfs(path.c_str(), &v) != 0) return Errno("statvfs " + path, errno);
  FsSpace s;
  s.avail_bytes = static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
  s.total_bytes = static_cast<uint64_t>(v.f_blocks) * v.f_frsize;
  return s;
}

uint32_t OsDoctorSystem::EffectiveUid() { return geteuid(); }
uint32_t OsDoctorSystem::EffectiveGid() { return getegid(); }

uint32_t OsDoctorSystem::Umask() {
  // umask(2) cannot be read without setting it; /proc/self/status has it since Linux 4.7.
  Result<std::string> status = ReadFile("/proc/self/status");
  if (status.ok()) {
    std::istringstream in(*status);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Umask:", 0) == 0) {
        return static_cast<uint32_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
      }
    }
  }
  mode_t old = umask(0022);
  umask(old);
  return old;
}

std::optional<std::string> OsDoctorSystem::GetEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<int> OsDoctorSystem::ShmCreate(const std::string& name, uint32_t mode) {
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Errno("shm_open(O_CREAT) " + name, errno);
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(name.c_str());
    return Errno("fchmod " + name, err);
  }
  return fd;
}

Result<int> OsDoctorSystem::ShmOpen(const std::string& name) {
  int fd = shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) return Errno("shm_open " + name, errno);
  return fd;
}

Result<ObjectStat> OsDoctorSystem::FdStat(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return Errno("fstat", errno);
  return ObjectStat{static_cast<uint32_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

Status OsDoctorSystem::ShmUnlink(const std::string& name) {
  if (shm_unlink(name.c_str()) != 0) return Errno("shm_unlink " + name, errno);
  return Status::Ok();
}

Result<int> OsDoctorSystem::OpenFile(const std::string& path, int flags, uint32_t mode) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Errno("open " + path, errno);
  return fd;
}

Status OsDoctorSystem::WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status OsDoctorSystem::Fsync(int fd) {
  if (fsync(fd) != 0) return Errno("fsync", errno);
  return Status::Ok();
}

Status OsDoctorSystem::Unlink(const std::string& path) {
  if (unlink(path.c_str()) != 0) return Errno("unlink " + path, errno);
  return Status::Ok();
}

void OsDoctorSystem::CloseFd(int fd) {
  if (fd >= 0) close(fd);
}

Result<FileId> OsDoctorSystem::Stat(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Errno("stat " + path, errno);
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

Result<std::string> OsDoctorSystem::ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n < 0) return Errno("readlink " + path, errno);
  return std::string(buf, static_cast<size_t>(n));
}

Result<std::string> OsDoctorSystem::ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Errno("read " + path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

bool OsDoctorSystem::IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::optional<Credentials> OsDoctorSystem::UserCredentials(uint32_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  Credentials c;
  c.uid = uid;
  int n = 64;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<size_t>(n));
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) n = 0;
  }
  c.gids.push_back(pw.pw_gid);
  for (int i = 0; i < n; ++i) {
    if (groups[static_cast<size_t>(i)] != pw.pw_gid)
      c.gids.push_back(groups[static_cast<size_t>(i)]);
  }
  return c;
}

std::optional<VdiLibraryInfo> OsDoctorSystem::VdiLibrary() {
  // Uses the library for real, so that the linker keeps it even with --as-needed (the lookups
  // below go by name, which the linker does not see). Constructing a set allocates nothing shared.
  { ClientVirtualDeviceSet unused; }
  void* sym = dlsym(RTLD_DEFAULT, kClientSymbol);
  if (sym == nullptr) return std::nullopt;
  Dl_info info{};
  if (dladdr(sym, &info) == 0 || info.dli_fname == nullptr) return std::nullopt;
  VdiLibraryInfo lib;
  lib.path = info.dli_fname;
  char resolved[4096];
  if (realpath(info.dli_fname, resolved) != nullptr) lib.path = resolved;
  // The server side lives in the same object only in vdibackup's library.
  void* server = dlsym(RTLD_DEFAULT, kServerSymbol);
  Dl_info server_info{};
  lib.ours = server != nullptr && dladdr(server, &server_info) != 0 &&
             server_info.dli_fbase == info.dli_fbase;
  return lib;
}

std::optional<Credentials> ParseProcStatusCredentials(const std::string& status_text) {
  std::istringstream in(status_text);
  std::string line;
  std::optional<uint32_t> uid, gid;
  std::vector<uint32_t> groups;
  auto field = [](const std::string& l, int index) -> std::optional<uint32_t> {
    std::istringstream f(l.substr(l.find(':') + 1));
    uint64_t v = 0;
    for (int i = 0; i <= index; ++i) {
      if (!(f >> v)) return std::nullopt;
    }
    return static_cast<uint32_t>(v);
  };
  while (std::getline(in, line)) {
    if (line.rfind("Uid:", 0) == 0) uid = field(line, 1);  // real, effective, saved, fs
    if (line.rfind("Gid:", 0) == 0) gid = field(line, 1);
    if (line.rfind("Groups:", 0) == 0) {
      std::istringstream f(line.substr(7));
      uint64_t g = 0;
      while (f >> g) groups.push_back(static_cast<uint32_t>(g));
    }
  }
  if (!uid || !gid) return std::nullopt;
  Credentials c;
  c.uid = *uid;
  c.gids.push_back(*gid);
  for (uint32_t g : groups) {
    if (g != *gid) c.gids.push_back(g);
  }
  return c;
}

int OsDoctorSystem::BindTcp(const std::string& host, uint16_t port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    return EINVAL;
  }
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int one = 1;  // as the agent binds: a TIME_WAIT leftover is no obstacle
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const int err = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

}  // namespace vdibk::coordinator
