// Test helper: a DoctorSystem that is the real one except for the calls a test overrides (free
// /dev/shm space, environment, umask, stat results, failing file operations, /proc contents).
#ifndef VDIBK_TESTS_UNIT_COORDINATOR_DOCTOR_DOCTOR_FAKE_SYSTEM_H_
#define VDIBK_TESTS_UNIT_COORDINATOR_DOCTOR_DOCTOR_FAKE_SYSTEM_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "coordinator/doctor/doctor_system.h"
#include "tests/harness/test_dirs.h"

namespace vdibk::coordinator {

inline constexpr uint64_t kMiB = 1024 * 1024;

// True when `what` occurs in `text` (a check's detail or fix).
inline bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

class FakeDoctorSystem : public OsDoctorSystem {
 public:
  std::optional<FsSpace> space;                           // StatVfs result
  std::map<std::string, std::optional<std::string>> env;  // overrides GetEnv per name
  std::optional<uint32_t> umask;                          // Umask result
  std::optional<ObjectStat> object_stat;                  // FdStat result
  std::map<std::string, std::string> files;               // ReadFile results by path
  std::map<std::string, std::string> links;               // ReadLink results by path
  std::set<std::string> missing;                          // Stat fails with ENOENT
  std::function<std::optional<Status>(const std::string& path, int flags)> open_hook;
  std::optional<Status> fsync_error;
  std::optional<Credentials> user;  // UserCredentials result (any uid)
  bool user_set = false;

  Result<FsSpace> StatVfs(const std::string& path) override {
    if (space) return *space;
    return OsDoctorSystem::StatVfs(path);
  }
  std::optional<std::string> GetEnv(const std::string& name) override {
    auto it = env.find(name);
    if (it != env.end()) return it->second;
    return OsDoctorSystem::GetEnv(name);
  }
  uint32_t Umask() override { return umask ? *umask : OsDoctorSystem::Umask(); }
  Result<ObjectStat> FdStat(int fd) override {
    if (object_stat) return *object_stat;
    return OsDoctorSystem::FdStat(fd);
  }
  Result<std::string> ReadFile(const std::string& path) override {
    auto it = files.find(path);
    if (it != files.end()) return it->second;
    return OsDoctorSystem::ReadFile(path);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    auto it = links.find(path);
    if (it != links.end()) return it->second;
    return OsDoctorSystem::ReadLink(path);
  }
  Result<FileId> Stat(const std::string& path) override {
    if (missing.count(path)) {
      return Status::FromErrno(ErrorCode::kConfiguration, "stat " + path, ENOENT);
    }
    return OsDoctorSystem::Stat(path);
  }
  Result<int> OpenFile(const std::string& path, int flags, uint32_t mode) override {
    if (open_hook) {
      if (std::optional<Status> st = open_hook(path, flags)) return *st;
    }
    return OsDoctorSystem::OpenFile(path, flags, mode);
  }
  Status Fsync(int fd) override {
    if (fsync_error) return *fsync_error;
    return OsDoctorSystem::Fsync(fd);
  }
  std::optional<Credentials> UserCredentials(uint32_t uid) override {
    if (user_set) return user;
    return OsDoctorSystem::UserCredentials(uid);
  }
};

// A fake sqlcmd: a shell script in `dir` with `body`.
inline std::string WriteFakeSqlcmd(const vdibk::testing::TempDir& dir, const std::string& body) {
  const std::string path = dir.Join("fake-sqlcmd");
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0700);
  return path;
}

}  // namespace vdibk::coordinator

#endif  // VDIBK_TESTS_UNIT_COORDINATOR_DOCTOR_DOCTOR_FAKE_SYSTEM_H_
