// RunWorkload implementation. The whole run holds the database's MetaLock, so the changed-extent
// marks and stamps it records cannot interleave with a backup commit or another workload.
#include "emulator/db/workload.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "emulator/db/file_io.h"
#include "emulator/db/log_file.h"
#include "emulator/db/meta_lock.h"
#include "emulator/db/page_generator.h"

namespace vdibk::emulator {
namespace {

// One file the run writes: its descriptor, its stamp before the first write, the extents written.
struct Touched {
  UniqueFd fd;
  FileStamp before;
  ChangedExtents marks;
};

// Records the run's writes of one file in the metadata's changed-extent map. A file whose stamp
// is not the one the map recorded was changed by something else since: it becomes wholly changed.
void RecordWrites(DbMeta& meta, uint32_t file_id, const FileStamp& before, const FileStamp& after,
                  const ChangedExtents& marks) {
  ChangedExtents* c = meta.FindChanged(file_id);
  if (c == nullptr) return;  // no differential base for this file: a diff takes it whole anyway
  if (!(c->stamp == before)) c->all = true;
  c->Merge(marks);
  c->stamp = after;
}

}  // namespace

Result<WorkloadResult> RunWorkload(Database& db, const WorkloadOptions& options) {
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(db.meta_path()));
  VDIBK_RETURN_IF_ERROR(db.Reload());
  VDIBK_RETURN_IF_ERROR(db.CheckOnline());
  std::vector<const DbFile*> data;
  uint64_t data_bytes = 0;
  for (const DbFile& f : db.files()) {
    if (f.type == FileType::kData && f.size > 0) {
      data.push_back(&f);
      data_bytes += f.size;
    }
  }
  if (data.empty()) return Status::Usage("database " + db.name() + " has no data to change");

  std::optional<LogFile> log;
  FileStamp log_before;
  const DbFile* lf = db.log_file();
  if (lf != nullptr) {
    VDIBK_ASSIGN_OR_RETURN(log_before, StampOfPath(lf->full_path));
    VDIBK_ASSIGN_OR_RETURN(LogFile opened, LogFile::Open(lf->full_path));
    log.emplace(std::move(opened));
  }
  const uint64_t log_end_before = log ? log->header().end_offset : 0;
  VDIBK_ASSIGN_OR_RETURN(uint64_t lsn, db.NextLsn());
  WorkloadResult result;
  result.first_lsn = lsn;
  SplitMix64 r(options.seed * 0x9E3779B97F4A7C15ULL ^ lsn);
  std::vector<uint8_t> page(kPageSize);
  std::map<uint32_t, Touched> touched;
  for (uint64_t i = 0; i < options.changes; ++i) {
    uint64_t pick = r.Below(data_bytes);
    const DbFile* f = data.back();
    for (const DbFile* d : data) {
      if (pick < d->size) {
        f = d;
        break;
      }
      pick -= d->size;
    }
    uint64_t pages = (f->size + kPageSize - 1) / kPageSize;
    uint64_t offset = r.Below(pages) * kPageSize;
    size_t len = static_cast<size_t>(f->size - offset < kPageSize ? f->size - offset : kPageSize);
    auto it = touched.find(f->file_id);
    if (it == touched.end()) {
      Touched t;
      VDIBK_ASSIGN_OR_RETURN(t.fd, OpenFile(f->full_path, O_RDWR));
      VDIBK_ASSIGN_OR_RETURN(t.before, StampOf(t.fd.get(), f->full_path));
      t.marks = ChangedExtents::Fresh(f->file_id, t.before);
      it = touched.emplace(f->file_id, std::move(t)).first;
    }
    const int fd = it->second.fd.get();
    VDIBK_RETURN_IF_ERROR(PreadFull(fd, page.data(), len, offset, f->full_path));
    // Rewrite a few spans: an "update" of some rows' fixed columns with plausible values.
    size_t body = len > kPageHeaderSize + 64 ? kPageHeaderSize : 0;
    for (uint64_t k = 0, n = 1 + r.Below(4); k < n && len > body + 32; ++k) {
      size_t at = body + r.Below(len - body - 32);
      size_t span = 8 + r.Below(24);
      for (size_t j = 0; j < span; ++j) {
        page[at + j] = static_cast<uint8_t>(r.Below(3) == 0 ? 'a' + r.Below(26) : r.Below(10));
      }
    }
    if (len == kPageSize) std::memcpy(page.data() + kPageLsnOffset, &lsn, sizeof(lsn));
    VDIBK_RETURN_IF_ERROR(PwriteFull(fd, page.data(), len, offset, f->full_path));
    it->second.marks.Mark(offset, len);
    if (log) {
      VDIBK_ASSIGN_OR_RETURN(uint64_t got, log->Append(f->file_id, offset, page.data(), len));
      (void)got;
    }
    ++lsn;
    ++result.pages_changed;
  }
  // The changed-extent map: what was written, and each file's stamp after it.
  DbMeta& meta = db.mutable_meta();
  int64_t newest = 0;
  for (auto& [id, t] : touched) {
    VDIBK_ASSIGN_OR_RETURN(FileStamp after, StampOf(t.fd.get(), "database file"));
    RecordWrites(meta, id, t.before, after, t.marks);
    newest = std::max(newest, after.mtime_ns);
  }
  if (log && result.pages_changed > 0) {
    VDIBK_ASSIGN_OR_RETURN(FileStamp after, StampOfPath(lf->full_path));
    ChangedExtents marks = ChangedExtents::Fresh(lf->file_id, log_before);
    marks.Mark(0, kLogHeaderSize);
    marks.Mark(log_end_before, log->header().end_offset - log_end_before);
    RecordWrites(meta, lf->file_id, log_before, after, marks);
    newest = std::max(newest, after.mtime_ns);
  }
  WaitPastStamp(newest);  // a later write by anyone must give a stamp different from these
  if (!log) meta.next_lsn = lsn;
  result.next_lsn = lsn;
  VDIBK_RETURN_IF_ERROR(db.SaveMeta());
  return result;
}

}  // namespace vdibk::emulator
