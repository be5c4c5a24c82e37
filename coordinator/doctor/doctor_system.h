// DoctorSystem: the narrow seam over the operating-system calls the doctor checks make (statvfs,
// ids, umask, shm objects, files, /proc, the loaded libsqlvdi). OsDoctorSystem calls the OS;
// tests derive from it and override single calls (a full /dev/shm, another uid, a failing fsync).
#ifndef VDIBK_COORDINATOR_DOCTOR_DOCTOR_SYSTEM_H_
#define VDIBK_COORDINATOR_DOCTOR_DOCTOR_SYSTEM_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct FsSpace {
  uint64_t avail_bytes = 0;  // what an unprivileged process may still allocate
  uint64_t total_bytes = 0;
};

struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
};

struct ObjectStat {
  uint32_t mode = 0;  // permission bits only (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// A user as the kernel checks access: uid plus every group (primary first).
struct Credentials {
  uint32_t uid = 0;
  std::vector<uint32_t> gids;
};

struct VdiLibraryInfo {
  std::string path;  // the file the symbol came from
  bool ours = true;  // vdibackup's libsqlvdi (it also exports the server side) or Microsoft's
};

// All calls are synchronous and thread-compatible. Paths are absolute.
class DoctorSystem {
 public:
  virtual ~DoctorSystem() = default;
  virtual Result<FsSpace> StatVfs(const std::string& path) = 0;
  virtual uint32_t EffectiveUid() = 0;
  virtual uint32_t EffectiveGid() = 0;
  virtual uint32_t Umask() = 0;  // the current umask, left unchanged
  virtual std::optional<std::string> GetEnv(const std::string& name) = 0;

  // POSIX shared memory: create exclusively with `mode` applied by fchmod (as libsqlvdi does, so
  // the umask does not matter), open read-write, stat, unlink. Fds are closed with CloseFd.
  virtual Result<int> ShmCreate(const std::string& name, uint32_t mode) = 0;
  virtual Result<int> ShmOpen(const std::string& name) = 0;
  virtual Result<ObjectStat> FdStat(int fd) = 0;
  virtual Status ShmUnlink(const std::string& name) = 0;

  // Files: open(2) flags and mode; write everything; fsync; unlink; close.
  virtual Result<int> OpenFile(const std::string& path, int flags, uint32_t mode) = 0;
  virtual Status WriteAll(int fd, const std::string& data) = 0;
  virtual Status Fsync(int fd) = 0;
  virtual Status Unlink(const std::string& path) = 0;
  virtual void CloseFd(int fd) = 0;
  virtual Result<FileId> Stat(const std::string& path) = 0;
  virtual Result<std::string> ReadLink(const std::string& path) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual bool IsExecutable(const std::string& path) = 0;

  // The passwd/group view of `uid` (nullopt when the uid has no passwd entry).
  virtual std::optional<Credentials> UserCredentials(uint32_t uid) = 0;
  // Which libsqlvdi this process has loaded (nullopt if none is).
  virtual std::optional<VdiLibraryInfo> VdiLibrary() = 0;
  // Binds (and closes) a TCP socket on the IP address `host` and `port`: 0, or the errno of
  // socket/bind (EINVAL for a host that is not an IP address).
  virtual int BindTcp(const std::string& host, uint16_t port) = 0;
};

// The real implementation. Not final: tests override single calls.
class OsDoctorSystem : public DoctorSystem {
 public:
  Result<FsSpace> StatVfs(const std::string& path) override;
  uint32_t EffectiveUid() override;
  uint32_t EffectiveGid() override;
  uint32_t Umask() override;
  std::optional<std::string> GetEnv(const std::string& name) override;
  Result<int> ShmCreate(const std::string& name, uint32_t mode) override;
  Result<int> ShmOpen(const std::string& name) override;
  Result<ObjectStat> FdStat(int fd) override;
  Status ShmUnlink(const std::string& name) override;
  Result<int> OpenFile(const std::string& path, int flags, uint32_t mode) override;
  Status WriteAll(int fd, const std::string& data) override;
  Status Fsync(int fd) override;
  Status Unlink(const std::string& path) override;
  void CloseFd(int fd) override;
  Result<FileId> Stat(const std::string& path) override;
  Result<std::string> ReadLink(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  bool IsExecutable(const std::string& path) override;
  std::optional<Credentials> UserCredentials(uint32_t uid) override;
  std::optional<VdiLibraryInfo> VdiLibrary() override;
  int BindTcp(const std::string& host, uint16_t port) override;
};

// The effective uid and groups of process `pid` from `status_text` (/proc/<pid>/status):
// the "Uid:" and "Gid:" lines' second field and "Groups:". nullopt if they are missing.
std::optional<Credentials> ParseProcStatusCredentials(const std::string& status_text);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_DOCTOR_DOCTOR_SYSTEM_H_
