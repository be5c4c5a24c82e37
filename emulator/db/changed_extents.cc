// ChangedExtents implementation: stamps from fstat(2), the clock-tick wait, bit operations and
// the range text form.
#include "emulator/db/changed_extents.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include <bit>
#include <cstdlib>

#include "emulator/db/database.h"

namespace vdibk::emulator {
namespace {

FileStamp FromStat(const struct stat& st) {
  FileStamp s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

int64_t CoarseNowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool ParseNum(std::string_view s, uint64_t* v) {
  if (s.empty()) return false;
  std::string t(s);
  char* end = nullptr;
  errno = 0;
  *v = std::strtoull(t.c_str(), &end, 10);
  return errno == 0 && end && *end == '\0' && t[0] != '-';
}

bool ParseSigned(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  std::string t(s);
  char* end = nullptr;
  errno = 0;
  *v = std::strtoll(t.c_str(), &end, 10);
  return errno == 0 && end && *end == '\0';
}

}  // namespace

Result<FileStamp> StampOf(int fd, const std::string& what) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(ErrorCode::kFailed, "fstat " + what, errno);
  return FromStat(st);
}

Result<FileStamp> StampOfPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno(ErrorCode::kFailed, "stat " + path, errno);
  }
  return FromStat(st);
}

void WaitPastStamp(int64_t mtime_ns) {
  constexpr int64_t kMaxWaitNs = 100 * 1000000;  // a stamp further ahead is not this tick's
  struct timespec res;
  ::clock_getres(CLOCK_REALTIME_COARSE, &res);
  for (int64_t now = CoarseNowNs(); now <= mtime_ns && mtime_ns - now < kMaxWaitNs;
       now = CoarseNowNs()) {
    ::nanosleep(&res, nullptr);
  }
}

ChangedExtents ChangedExtents::Fresh(uint32_t file_id, const FileStamp& stamp) {
  ChangedExtents c;
  c.file_id = file_id;
  c.stamp = stamp;
  c.extents = (stamp.size + kExtentSize - 1) / kExtentSize;
  c.words.assign((c.extents + 63) / 64, 0);
  return c;
}

void ChangedExtents::Mark(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  const uint64_t first = offset / kExtentSize, last = (offset + len - 1) / kExtentSize;
  if (last >= extents) {
    extents = last + 1;
    words.resize((extents + 63) / 64, 0);
  }
  for (uint64_t e = first; e <= last; ++e) words[e / 64] |= uint64_t{1} << (e % 64);
}

void ChangedExtents::Merge(const ChangedExtents& other) {
  if (other.extents > extents) {
    extents = other.extents;
    words.resize((extents + 63) / 64, 0);
  }
  for (size_t i = 0; i < other.words.size(); ++i) words[i] |= other.words[i];
  all = all || other.all;
}

bool ChangedExtents::IsChanged(uint64_t extent) const {
  if (all || extent >= extents) return true;
  return (words[extent / 64] >> (extent % 64) & 1) != 0;
}

uint64_t ChangedExtents::CountMarked() const {
  uint64_t n = 0;
  for (uint64_t w : words) n += static_cast<uint64_t>(std::popcount(w));
  return n;
}

std::string ChangedExtents::Serialize() const {
  std::string o = std::to_string(file_id) + "\t" + std::to_string(stamp.size) + "\t" +
                  std::to_string(stamp.mtime_ns) + "\t" + std::to_string(stamp.inode) + "\t" +
                  (all ? "1" : "0") + "\t" + std::to_string(extents);
  for (uint64_t e = 0; e < extents;) {
    if ((words[e / 64] >> (e % 64) & 1) == 0) {
      ++e;
      continue;
    }
    uint64_t end = e;
    while (end + 1 < extents && (words[(end + 1) / 64] >> ((end + 1) % 64) & 1) != 0) ++end;
    o += "\t" + std::to_string(e) + "-" + std::to_string(end);
    e = end + 1;
  }
  return o;
}

bool ChangedExtents::Parse(const std::vector<std::string_view>& f, ChangedExtents* out) {
  if (f.size() < 6) return false;
  ChangedExtents c;
  uint64_t id = 0, all = 0;
  if (!ParseNum(f[0], &id) || id > UINT32_MAX || !ParseNum(f[1], &c.stamp.size) ||
      !ParseSigned(f[2], &c.stamp.mtime_ns) || !ParseNum(f[3], &c.stamp.inode) ||
      !ParseNum(f[4], &all) || all > 1 || !ParseNum(f[5], &c.extents) ||
      c.extents > (uint64_t{1} << 40)) {
    return false;
  }
  c.file_id = static_cast<uint32_t>(id);
  c.all = all != 0;
  c.words.assign((c.extents + 63) / 64, 0);
  for (size_t i = 6; i < f.size(); ++i) {
    size_t dash = f[i].find('-');
    uint64_t a = 0, b = 0;
    if (dash == std::string_view::npos || !ParseNum(f[i].substr(0, dash), &a) ||
        !ParseNum(f[i].substr(dash + 1), &b) || a > b || b >= c.extents) {
      return false;
    }
    for (uint64_t e = a; e <= b; ++e) c.words[e / 64] |= uint64_t{1} << (e % 64);
  }
  *out = std::move(c);
  return true;
}

}  // namespace vdibk::emulator
