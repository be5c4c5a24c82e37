// File helpers for the emulator: an RAII file descriptor, full pread/pwrite, atomic whole-file
// writes (temp + fsync + rename + fsync dir), recursive listings and tree removal. POSIX only.
#ifndef VDIBK_EMULATOR_DB_FILE_IO_H_
#define VDIBK_EMULATOR_DB_FILE_IO_H_

#include <fcntl.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::emulator {

// Owns one open file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added. `mode` is used with O_CREAT.
Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode = 0644);

// O_DIRECT transfers (serve --direct-io): file offsets, lengths and memory aligned to 4 KiB.
constexpr size_t kDirectIoAlignment = 4096;
// OpenFile(path, flags | O_DIRECT); an invalid fd where that is refused (a filesystem without
// O_DIRECT): the caller then uses its buffered descriptor.
UniqueFd OpenDirect(const std::string& path, int flags);

// `size` bytes of heap memory aligned to `alignment` (a power of two, at least sizeof(void*));
// `data` is nullptr if the allocation failed.
struct AlignedBuffer {
  AlignedBuffer(size_t size, size_t alignment);
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  uint8_t* data = nullptr;
  size_t size;
};

// Reads exactly `len` bytes at `offset`; a short file is an error (kIntegrity).
Status PreadFull(int fd, void* buf, size_t len, uint64_t offset, std::string_view what);
// Writes exactly `len` bytes at `offset` (retrying short writes).
Status PwriteFull(int fd, const void* buf, size_t len, uint64_t offset, std::string_view what);

Result<std::string> ReadWholeFile(const std::string& path);
// Replaces `path` atomically: writes `path.tmp-<pid>`, fsyncs, renames, fsyncs the directory.
Status WriteFileAtomic(const std::string& path, std::string_view data);
Status FsyncDir(const std::string& dir);
Status FsyncPath(const std::string& path);

// Regular files under `dir`, recursively, as sorted relative paths ("base/1/1259").
// Symlinks and other non-regular entries are skipped.
Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir);
// Size of a regular file.
Result<uint64_t> FileSize(const std::string& path);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
Status MakeDirs(const std::string& path);
Status RemoveTree(const std::string& path);  // missing path is OK
Status RenamePath(const std::string& from, const std::string& to);
Status CopyFile(const std::string& from, const std::string& to);
std::string ParentDir(const std::string& path);  // "" for a bare name

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_FILE_IO_H_
