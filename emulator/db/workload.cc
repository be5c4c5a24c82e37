// RunWorkload implementation.
#include "emulator/db/workload.h"

#include <cstring>
#include <optional>
#include <vector>

#include "emulator/db/file_io.h"
#include "emulator/db/log_file.h"
#include "emulator/db/page_generator.h"

namespace vdibk::emulator {

Result<WorkloadResult> RunWorkload(Database& db, const WorkloadOptions& options) {
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
  if (const DbFile* lf = db.log_file()) {
    VDIBK_ASSIGN_OR_RETURN(LogFile opened, LogFile::Open(lf->full_path));
    log.emplace(std::move(opened));
  }
  VDIBK_ASSIGN_OR_RETURN(uint64_t lsn, db.NextLsn());
  WorkloadResult result;
  result.first_lsn = lsn;
  SplitMix64 r(options.seed * 0x9E3779B97F4A7C15ULL ^ lsn);
  std::vector<uint8_t> page(kPageSize);
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
    VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(f->full_path, O_RDWR));
    VDIBK_RETURN_IF_ERROR(PreadFull(fd.get(), page.data(), len, offset, f->full_path));
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
    VDIBK_RETURN_IF_ERROR(PwriteFull(fd.get(), page.data(), len, offset, f->full_path));
    if (log) {
      VDIBK_ASSIGN_OR_RETURN(uint64_t got, log->Append(f->file_id, offset, page.data(), len));
      (void)got;
    }
    ++lsn;
    ++result.pages_changed;
  }
  if (!log) db.mutable_meta().next_lsn = lsn;
  result.next_lsn = lsn;
  VDIBK_RETURN_IF_ERROR(db.SaveMeta());
  return result;
}

}  // namespace vdibk::emulator
