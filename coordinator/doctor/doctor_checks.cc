// The local doctor checks: /dev/shm space and permissions, the loaded libsqlvdi, the repository
// and tape devices. (The SQL Server checks are in doctor_sql_checks.cc.)
#include "coordinator/doctor/doctor_checks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "shared/base/scope_exit.h"

namespace vdibk::coordinator {
namespace {

std::string Octal(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", mode);
  return buf;
}

std::string Bytes(uint64_t n) {
  char buf[64];
  const double mib = static_cast<double>(n) / (1024.0 * 1024.0);
  if (mib >= 1024.0) {
    std::snprintf(buf, sizeof(buf), "%.1f GiB", mib / 1024.0);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", mib);
  }
  return buf;
}

CheckResult Result3(std::string name, CheckStatus s, std::string detail, std::string fix = "") {
  return CheckResult{std::move(name), s, std::move(detail), std::move(fix)};
}

std::string UniqueSuffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

// The largest BUFFERCOUNT SQL Server accepts; larger values are the server's to reject.
constexpr uint64_t kMaxServerBufferCount = 0x7fffffff;

}  // namespace

const char* CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "PASS";
    case CheckStatus::kWarn:
      return "WARN";
    case CheckStatus::kFail:
      return "FAIL";
  }
  return "FAIL";
}

uint32_t EffectiveShmMode(DoctorSystem& sys) {
  std::optional<std::string> env = sys.GetEnv("VDIBACKUP_SHM_MODE");
  if (env && !env->empty()) {
    char* end = nullptr;
    unsigned long v = std::strtoul(env->c_str(), &end, 8);
    if (end && *end == '\0' && v <= 0777) return static_cast<uint32_t>(v);
  }
  return kDefaultShmMode;
}

CheckResult CheckShmSpace(DoctorSystem& sys, uint64_t buffer_count, uint64_t max_transfer_size) {
  const std::string name = "shm-space";
  if (buffer_count > kMaxServerBufferCount) {
    return Result3(name, CheckStatus::kWarn,
                   "BUFFERCOUNT " + std::to_string(buffer_count) +
                       " is beyond what SQL Server accepts; the server will reject the statement",
                   "use --buffer-count 1..2147483647 (default 4 per device)");
  }
  const uint64_t need = buffer_count * max_transfer_size;
  Result<FsSpace> space = sys.StatVfs("/dev/shm");
  if (!space.ok()) {
    return Result3(name, CheckStatus::kFail, space.status().message(),
                   "mount a tmpfs on /dev/shm (Docker --shm-size, Kubernetes emptyDir medium: "
                   "Memory mounted at /dev/shm)");
  }
  const std::string detail = "/dev/shm: " + Bytes(space->avail_bytes) + " free of " +
                             Bytes(space->total_bytes) + ", need " + Bytes(need) + " (" +
                             std::to_string(buffer_count) + " buffers x " +
                             std::to_string(max_transfer_size) + " bytes)";
  if (space->avail_bytes < need) {
    return Result3(name, CheckStatus::kFail, detail,
                   "grow /dev/shm to at least " + Bytes(need) +
                       " plus headroom (Docker --shm-size / compose shm_size, Kubernetes "
                       "emptyDir sizeLimit, mount -o remount,size=...), or lower --buffer-count, "
                       "--max-transfer-size or --devices");
  }
  return Result3(name, CheckStatus::kPass, detail);
}

bool SqlUserHasAccess(const SqlIdentity& who, const ObjectStat& obj, std::string* via) {
  auto rw = [](uint32_t bits) { return (bits & 06) == 06; };
  if (who.creds.uid == 0) {
    *via = "root";
    return true;
  }
  if (who.creds.uid == obj.uid) {
    *via = "owner";
    return rw(obj.mode >> 6);
  }
  const bool in_group =
      std::find(who.creds.gids.begin(), who.creds.gids.end(), obj.gid) != who.creds.gids.end();
  if (in_group) {
    *via = "group";
    return rw(obj.mode >> 3);
  }
  if (!who.groups_known && rw(obj.mode >> 3) && !rw(obj.mode)) {
    *via = "unknown";
    return false;
  }
  *via = "other";
  return rw(obj.mode);
}

CheckResult CheckShmProbe(DoctorSystem& sys, const SqlIdentity& who, bool microsoft_library) {
  const std::string name = "shm-probe";
  const uint32_t mode = EffectiveShmMode(sys);
  const uint32_t mask = sys.Umask();
  const bool env_set = sys.GetEnv("VDIBACKUP_SHM_MODE").has_value();
  std::string detail = "euid " + std::to_string(sys.EffectiveUid()) + ", egid " +
                       std::to_string(sys.EffectiveGid()) + ", umask " + Octal(mask) +
                       ", object mode " + Octal(mode) +
                       (env_set ? " (VDIBACKUP_SHM_MODE)" : " (libsqlvdi default)");
  const std::string probe = "/vdibackup.doctor-probe." + UniqueSuffix();
  Result<int> fd = sys.ShmCreate(probe, mode);
  if (!fd.ok()) {
    return Result3(name, CheckStatus::kFail,
                   detail + "; cannot create " + probe + ": " + fd.status().message(),
                   "make /dev/shm a writable tmpfs (mode 1777) in this process's mount namespace "
                   "(no PrivateDevices=, a writable /dev/shm volume in containers)");
  }
  ScopeExit cleanup([&] {
    sys.CloseFd(*fd);
    (void)sys.ShmUnlink(probe);
  });
  Result<ObjectStat> st = sys.FdStat(*fd);
  if (!st.ok()) return Result3(name, CheckStatus::kFail, detail + "; " + st.status().message());
  Result<int> again = sys.ShmOpen(probe);
  if (!again.ok()) {
    return Result3(
        name, CheckStatus::kFail,
        detail + "; created " + probe + " but cannot reopen it: " + again.status().message(),
        "check the mode of /dev/shm (1777) and security modules (SELinux/AppArmor)");
  }
  sys.CloseFd(*again);
  detail += "; probe owner " + std::to_string(st->uid) + ":" + std::to_string(st->gid) + " mode " +
            Octal(st->mode);
  std::string via;
  const bool ok = SqlUserHasAccess(who, *st, &via);
  detail += "; " + who.source + " (uid " + std::to_string(who.creds.uid) + ")";
  const std::string group = std::to_string(st->gid);
  if (via == "unknown") {
    return Result3(
        name, CheckStatus::kWarn,
        detail + " can open it only if it is in group " + group + " (its groups are unknown here)",
        "make sure SQL Server's user is in group " + group +
            " (usermod -aG), or pass --sql-gid to let doctor check");
  }
  if (!ok) {
    return Result3(
        name, CheckStatus::kFail, detail + " has no read-write access (by " + via + " bits)",
        "run vdibackup as SQL Server's user, or with a group SQL Server's user is in (e.g. "
        "User=vdibackup, Group=mssql; Kubernetes runAsGroup/fsGroup 10001), keep the object "
        "mode group read-write (VDIBACKUP_SHM_MODE=0660, the default)" +
            std::string(mode == kDefaultShmMode ? "" : "; VDIBACKUP_SHM_MODE is " + Octal(mode)));
  }
  if (microsoft_library && (mask & 0060) != 0 && via != "root" && via != "owner") {
    return Result3(name, CheckStatus::kWarn,
                   detail + " has access by " + via +
                       " bits, but Microsoft's libsqlvdi applies "
                       "the umask " +
                       Octal(mask),
                   "set the umask to 0007 (systemd UMask=0007) so group read-write survives");
  }
  return Result3(name, CheckStatus::kPass, detail + " has read-write access (" + via + ")");
}

CheckResult CheckVdiLibrary(DoctorSystem& sys) {
  std::optional<VdiLibraryInfo> lib = sys.VdiLibrary();
  if (!lib) {
    return Result3("libsqlvdi", CheckStatus::kFail, "no libsqlvdi is loaded",
                   "install libsqlvdi.so next to vdibackup or in the library path");
  }
  if (!lib->ours) {
    return Result3("libsqlvdi", CheckStatus::kWarn, "Microsoft's libsqlvdi: " + lib->path,
                   "fine for SQL Server; vdi-emulator needs vdibackup's libsqlvdi.so");
  }
  return Result3("libsqlvdi", CheckStatus::kPass, "vdibackup's libsqlvdi: " + lib->path);
}

CheckResult CheckRepoWritable(DoctorSystem& sys, const std::string& repo) {
  const std::string name = "repo";
  const std::string fix_perm =
      "create the directory and give vdibackup's user write access "
      "(systemd: ReadWritePaths=" +
      repo + ")";
  Result<int> dir = sys.OpenFile(repo, O_RDONLY | O_DIRECTORY, 0);
  if (!dir.ok()) return Result3(name, CheckStatus::kFail, dir.status().message(), fix_perm);
  ScopeExit close_dir([&] { sys.CloseFd(*dir); });
  const std::string probe = repo + "/.vdibackup-doctor-" + UniqueSuffix();
  Result<int> fd = sys.OpenFile(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd.ok()) return Result3(name, CheckStatus::kFail, fd.status().message(), fix_perm);
  bool created = true;
  ScopeExit cleanup([&] {
    sys.CloseFd(*fd);
    if (created) (void)sys.Unlink(probe);
  });
  const std::string fix_io = "put the repository on a local filesystem with working fsync";
  Status st = sys.WriteAll(*fd, std::string(4096, 'v'));
  if (!st.ok()) return Result3(name, CheckStatus::kFail, repo + ": " + st.message(), fix_io);
  st = sys.Fsync(*fd);
  if (!st.ok()) return Result3(name, CheckStatus::kFail, repo + ": file " + st.message(), fix_io);
  st = sys.Fsync(*dir);
  if (!st.ok()) {
    return Result3(name, CheckStatus::kFail, repo + ": directory " + st.message(), fix_io);
  }
  st = sys.Unlink(probe);
  if (!st.ok()) return Result3(name, CheckStatus::kFail, st.message(), fix_perm);
  created = false;
  st = sys.Fsync(*dir);
  if (!st.ok()) {
    return Result3(name, CheckStatus::kFail, repo + ": directory " + st.message(), fix_io);
  }
  return Result3(name, CheckStatus::kPass,
                 repo + ": create, write, fsync (file and directory), remove work");
}

CheckResult CheckTapeReadable(DoctorSystem& sys, const std::string& device) {
  const std::string name = "tape " + device;
  Result<int> fd = sys.OpenFile(device, O_RDONLY | O_NONBLOCK, 0);
  if (!fd.ok()) {
    return Result3(name, CheckStatus::kFail, fd.status().message(),
                   "add vdibackup's user to the device's group (usually tape) and keep the device "
                   "visible (no PrivateDevices=; DeviceAllow=" +
                       device + " r)");
  }
  sys.CloseFd(*fd);
  return Result3(name, CheckStatus::kPass, device + " opens for reading");
}

CheckResult CheckListen(DoctorSystem& sys, const std::string& host, uint16_t port) {
  const std::string addr =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const int err = sys.BindTcp(host, port);
  if (err == 0) return Result3("listen", CheckStatus::kPass, addr + " can be bound");
  const std::string why = addr + ": " + std::strerror(err);
  if (err == EADDRINUSE) {
    return Result3("listen", CheckStatus::kWarn, why + " (a running agent holds it?)",
                   "fine if that is this agent; else stop what listens there or change listen:");
  }
  return Result3("listen", CheckStatus::kFail, why,
                 "listen: needs an address of this host (0.0.0.0 for all, 127.0.0.1 for local "
                 "only) and a port of 1024 or more unless the agent has CAP_NET_BIND_SERVICE");
}

}  // namespace vdibk::coordinator
