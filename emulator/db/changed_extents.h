// ChangedExtents: the emulator's DCM (differential changed map): per data/log file, the 64 KiB
// extents changed since the differential base, plus the file's stamp (size, mtime, inode) after
// the last write the map accounts for, so changes made by anything else are still noticed.
#ifndef VDIBK_EMULATOR_DB_CHANGED_EXTENTS_H_
#define VDIBK_EMULATOR_DB_CHANGED_EXTENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::emulator {

// What stat(2) says about a file. Any write changes mtime_ns (see WaitPastStamp), a replacement
// changes the inode.
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

Result<FileStamp> StampOf(int fd, const std::string& what);
Result<FileStamp> StampOfPath(const std::string& path);

// Returns once the kernel's file-time clock (CLOCK_REALTIME_COARSE) is past `mtime_ns`, so that
// any write after the return gives a file with that stamp a different mtime (a write before it,
// in the same tick, may not). Waits at most one tick (a few ms), only when the file was just
// written. Assumes nanosecond file times (ext4, xfs, btrfs, tmpfs, overlayfs).
void WaitPastStamp(int64_t mtime_ns);

// Changed-extent map of one file. Extents at or beyond `extents` (the file grew after the base)
// count as changed, as does everything when `all` is set.
struct ChangedExtents {
  uint32_t file_id = 0;
  FileStamp stamp;
  bool all = false;
  uint64_t extents = 0;         // extents the map covers (the file size at the base, rounded up)
  std::vector<uint64_t> words;  // bit e % 64 of words[e / 64]: extent e changed

  // An empty map (nothing changed) covering a file of `size` bytes.
  static ChangedExtents Fresh(uint32_t file_id, const FileStamp& stamp);
  // Marks every extent that [offset, offset + len) touches; grows the map as needed.
  void Mark(uint64_t offset, uint64_t len);
  // Adds the marks of `other` (same file).
  void Merge(const ChangedExtents& other);
  bool IsChanged(uint64_t extent) const;
  uint64_t CountMarked() const;  // set bits (ignores `all` and extents beyond the map)

  // Text form (tab-separated, for DbMeta): "file_id size mtime_ns inode all extents ranges...",
  // ranges "A-B" (inclusive) of marked extents.
  std::string Serialize() const;
  static bool Parse(const std::vector<std::string_view>& fields, ChangedExtents* out);
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_CHANGED_EXTENTS_H_
