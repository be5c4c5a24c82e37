// File helpers implementation (POSIX + std::filesystem with error_code overloads, no exceptions).
#include "emulator/db/file_io.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace vdibk::emulator {
namespace fs = std::filesystem;

namespace {
Status FsError(std::string_view what, const std::error_code& ec) {
  return Status::Failed(std::string(what) + ": " + ec.message());
}
}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    Reset();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(ErrorCode::kFailed, "open " + path, errno);
  return UniqueFd(fd);
}

UniqueFd OpenDirect(const std::string& path, int flags) {
  Result<UniqueFd> fd = OpenFile(path, flags | O_DIRECT);
  return fd.ok() ? std::move(fd).value() : UniqueFd();
}

AlignedBuffer::AlignedBuffer(size_t n, size_t alignment) : size(n) {
  void* p = nullptr;
  if (posix_memalign(&p, alignment, n) == 0) data = static_cast<uint8_t*>(p);
}

AlignedBuffer::~AlignedBuffer() { std::free(data); }

Status PreadFull(int fd, void* buf, size_t len, uint64_t offset, std::string_view what) {
  uint8_t* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(ErrorCode::kFailed, "read " + std::string(what), errno);
    }
    if (n == 0) return Status::Integrity("read " + std::string(what) + ": unexpected end of file");
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status PwriteFull(int fd, const void* buf, size_t len, uint64_t offset, std::string_view what) {
  const uint8_t* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(ErrorCode::kTargetIo, "write " + std::string(what), errno);
    }
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(ErrorCode::kFailed, "read " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status FsyncPath(const std::string& path) {
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  if (::fsync(fd.get()) != 0)
    return Status::FromErrno(ErrorCode::kTargetIo, "fsync " + path, errno);
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) { return FsyncPath(dir.empty() ? "." : dir); }

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    Status s = PwriteFull(fd.get(), data.data(), data.size(), 0, tmp);
    if (s.ok() && ::fsync(fd.get()) != 0)
      s = Status::FromErrno(ErrorCode::kTargetIo, "fsync", errno);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::FromErrno(ErrorCode::kTargetIo, "rename " + tmp, err);
  }
  return FsyncDir(ParentDir(path));
}

Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return FsError("list " + dir, ec);
  for (; it != end; it.increment(ec)) {
    if (ec) return FsError("list " + dir, ec);
    const fs::directory_entry& e = *it;
    if (e.is_symlink(ec)) continue;
    if (!e.is_regular_file(ec)) continue;
    out.push_back(fs::relative(e.path(), dir, ec).generic_string());
    if (ec) return FsError("list " + dir, ec);
  }
  if (ec) return FsError("list " + dir, ec);
  std::sort(out.begin(), out.end());
  return out;
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::FromErrno(ErrorCode::kFailed, "stat " + path, errno);
  return static_cast<uint64_t>(st.st_size);
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return FsError("mkdir " + path, ec);
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return FsError("remove " + path, ec);
  return Status::Ok();
}

Status RenamePath(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(ErrorCode::kTargetIo, "rename " + from + " -> " + to, errno);
  }
  return Status::Ok();
}

Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return FsError("copy " + from + " -> " + to, ec);
  return Status::Ok();
}

std::string ParentDir(const std::string& path) {
  size_t p = path.find_last_of('/');
  if (p == std::string::npos) return "";
  if (p == 0) return "/";
  return path.substr(0, p);
}

}  // namespace vdibk::emulator
