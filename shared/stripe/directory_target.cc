// POSIX implementation of DirectoryTarget: O_EXCL temp files, writev, early writeback with
// sync_file_range, fdatasync, renameat2.
#include "shared/stripe/directory_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <vector>

#include "shared/base/regular_file.h"

namespace vdibk::stripe {
namespace {

// Writeback of every this many appended bytes is started at once (sync_file_range WRITE, which
// does not wait), so the disk works while we compress and Sync/Commit only wait for the tail.
constexpr uint64_t kWritebackBytes = 8u << 20;

Status IoError(std::string_view what, const std::string& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return Status::FromErrno(ErrorCode::kTargetIo, "target full: " + std::string(what) + " " + path,
                             err);
  }
  return Status::FromErrno(ErrorCode::kTargetIo, std::string(what) + " " + path, err);
}

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// Rename that never replaces unless asked; falls back to a link-free check where renameat2 is
// not supported by the filesystem (EINVAL), e.g. some NFS versions.
int RenameFile(const std::string& from, const std::string& to, bool replace) {
  if (replace) return ::rename(from.c_str(), to.c_str());
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  struct stat st;
  if (::stat(to.c_str(), &st) == 0) {
    errno = EEXIST;
    return -1;
  }
  return ::rename(from.c_str(), to.c_str());
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string dir, std::string name, int fd, bool replace)
      : dir_(std::move(dir)),
        name_(std::move(name)),
        final_path_(dir_ + "/" + name_),
        temp_path_(final_path_ + kPartialSuffix),
        fd_(fd),
        replace_(replace) {}
  ~PosixWritableFile() override { Abort(); }

  using WritableFile::Append;
  Status Append(std::span<const ConstBuffer> pieces) override {
    if (fd_ < 0) return Status::TargetIo("append to closed file " + temp_path_);
    std::vector<iovec> iov;
    iov.reserve(pieces.size());
    for (const auto& p : pieces) {
      if (p.size) iov.push_back({const_cast<void*>(p.data), p.size});
    }
    size_t first = 0;
    while (first < iov.size()) {
      int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
      ssize_t n = ::writev(fd_, &iov[first], count);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("write", temp_path_ + " at offset " + std::to_string(size_), errno);
      }
      size_ += static_cast<uint64_t>(n);
      // Skip fully written pieces, trim a partially written one (short write: retry the rest).
      size_t left = static_cast<size_t>(n);
      while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
      if (left) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
      }
    }
    if (size_ - writeback_ >= kWritebackBytes) {
      // A hint only: durability still comes from fdatasync/fsync, which report any I/O error
      // of these pages (so an error here is not lost by ignoring it).
      (void)::sync_file_range(fd_, static_cast<off_t>(writeback_),
                              static_cast<off_t>(size_ - writeback_), SYNC_FILE_RANGE_WRITE);
      writeback_ = size_;
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::TargetIo("sync of closed file " + temp_path_);
    if (::fdatasync(fd_) != 0) return IoError("fdatasync", temp_path_, errno);
    return Status::Ok();
  }

  Status Commit() override {
    if (fd_ < 0) return Status::TargetIo("commit of closed file " + temp_path_);
    if (::fsync(fd_) != 0) return IoError("fsync", temp_path_, errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return IoError("close", temp_path_, errno);
    if (RenameFile(temp_path_, final_path_, replace_) != 0) {
      return IoError("rename to", final_path_, errno);
    }
    committed_ = true;
    return SyncDirectory(dir_);
  }

  void Abort() override {
    if (committed_) return;
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!removed_) {
      ::unlink(temp_path_.c_str());
      removed_ = true;
    }
  }

  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

  Status AdoptWritten(uint64_t n, const ByteSink& sink) override {
    if (fd_ < 0) return Status::TargetIo("adopt bytes of closed file " + temp_path_);
    std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(n, 1u << 20)));
    uint64_t done = 0;
    while (done < n) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, buf.size()));
      ssize_t got = ::pread(fd_, buf.data(), want, static_cast<off_t>(size_ + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return IoError("read back", temp_path_ + " at offset " + std::to_string(size_ + done),
                       errno);
      }
      if (got == 0) {
        return Status::TargetIo("read back " + temp_path_ + ": " + std::to_string(n - done) +
                                " placed bytes missing at offset " + std::to_string(size_ + done));
      }
      sink(buf.data(), static_cast<size_t>(got));
      done += static_cast<uint64_t>(got);
    }
    size_ += n;
    // Later appends (the trailer) go after the adopted bytes.
    if (::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) {
      return IoError("seek", temp_path_, errno);
    }
    return Status::Ok();
  }

 private:
  std::string dir_, name_, final_path_, temp_path_;
  int fd_;
  bool replace_;
  bool committed_ = false;
  bool removed_ = false;
  uint64_t size_ = 0;
  uint64_t writeback_ = 0;  // writeback was started for bytes [0, writeback_)
};

class PosixPlacementFile final : public PlacementFile {
 public:
  PosixPlacementFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixPlacementFile() override { ::close(fd_); }

  Status WriteAt(uint64_t offset, const void* data, size_t size) override {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pwrite(fd_, static_cast<const char*>(data) + done, size - done,
                           static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path_ + " at offset " + std::to_string(offset + done), errno);
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(std::string path, std::string name, int fd)
      : path_(std::move(path)), name_(std::move(name)), fd_(fd) {}
  ~PosixReadableFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, void* dst, size_t size) override {
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pread(fd_, static_cast<char*>(dst) + done, size - done,
                          static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("read", path_ + " at offset " + std::to_string(offset + done), errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return IoError("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }
  const std::string& name() const override { return name_; }

 private:
  std::string path_, name_;
  int fd_;
};

}  // namespace

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory", dir, err);
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> DirectoryTarget::Create(const std::string& name,
                                                              const CreateOptions& options) {
  if (!ValidName(name)) return Status::Usage("invalid file name '" + name + "'");
  std::string final_path = dir_ + "/" + name;
  struct stat st;
  if (!options.replace && ::stat(final_path.c_str(), &st) == 0) {
    return Status::TargetIo(final_path + " already exists");
  }
  std::string temp = final_path + kPartialSuffix;
  // Read-write: under fan-out the owner reads back what encoders placed (AdoptWritten).
  int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("create", temp, errno);
  return std::unique_ptr<WritableFile>(
      std::make_unique<PosixWritableFile>(dir_, name, fd, options.replace));
}

Result<std::unique_ptr<PlacementFile>> DirectoryTarget::OpenForPlacement(const std::string& name) {
  if (!ValidName(name)) return Status::Usage("invalid file name '" + name + "'");
  std::string temp = dir_ + "/" + name + kPartialSuffix;
  Result<UniqueFd> fd = OpenRegularFile(temp, O_WRONLY);
  if (!fd.ok()) return fd.status().WithContext("open for placement");
  return std::unique_ptr<PlacementFile>(std::make_unique<PosixPlacementFile>(temp, fd->release()));
}

Result<std::unique_ptr<ReadableFile>> DirectoryTarget::Open(const std::string& name) {
  if (!ValidName(name)) return Status::Usage("invalid file name '" + name + "'");
  std::string path = dir_ + "/" + name;
  // A FIFO, device or socket in place of a stripe or manifest is refused (kMissing), never
  // waited on.
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(path, O_RDONLY));
  return std::unique_ptr<ReadableFile>(
      std::make_unique<PosixReadableFile>(path, name, fd.release()));
}

}  // namespace vdibk::stripe
