// BackupSession implementation: rule checks, run planning (full / differential / log /
// metadata-only) and the commit step.
#include "emulator/stream/backup_session.h"

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "emulator/base/sql_error.h"
#include "emulator/db/backup_history.h"
#include "emulator/db/log_file.h"
#include "emulator/db/meta_lock.h"

namespace vdibk::emulator {
namespace {

void AddRuns(std::vector<BackupRun>& runs, uint32_t file_index, uint64_t begin, uint64_t end,
             uint64_t chunk, bool log) {
  for (uint64_t off = begin; off < end; off += chunk) {
    runs.push_back({file_index, off, std::min(chunk, end - off), log});
  }
}

}  // namespace

Result<std::unique_ptr<BackupSession>> BackupSession::Begin(const Catalog& catalog,
                                                            const std::string& database,
                                                            const BackupOptions& options) {
  if (options.devices < 1 || options.devices > 64) {
    return Status::Usage("backup device count must be 1..64");
  }
  if (options.block_size < 512 || options.block_size > 65536 ||
      (options.block_size & (options.block_size - 1)) != 0) {
    return Status::Usage("BLOCKSIZE must be a power of two between 512 and 65536");
  }
  if (options.chunk_size == 0 || options.chunk_size % kExtentSize != 0) {
    return Status::Usage("chunk size must be a positive multiple of 64 KiB");
  }
  if (options.metadata_only && (options.kind != BackupKind::kFull || options.devices != 1)) {
    return Status::Usage("a metadata-only (SNAPSHOT) backup must be a full backup to one device");
  }
  std::unique_ptr<BackupSession> job(new BackupSession());
  job->catalog_ = catalog;
  job->options_ = options;
  VDIBK_ASSIGN_OR_RETURN(Database db, catalog.Open(database));
  VDIBK_RETURN_IF_ERROR(db.CheckOnline());
  const DbMeta& m = db.meta();
  if (options.kind == BackupKind::kLog) {
    if (db.simple_recovery()) {
      return SqlErrorStatus(4208,
                            "The statement BACKUP LOG is not allowed while the recovery model is "
                            "SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER "
                            "DATABASE.");
    }
    if (!m.has_full_backup) {
      return SqlErrorStatus(4214,
                            "BACKUP LOG cannot be performed because there is no current database "
                            "backup.");
    }
  }
  if (options.kind == BackupKind::kDifferential && m.diff_base_guid.IsZero()) {
    return SqlErrorStatus(3035,
                          "Cannot perform a differential backup for database \"" + database +
                              "\", because a current database backup does not exist. Perform a "
                              "full database backup by reissuing BACKUP DATABASE, omitting the "
                              "WITH DIFFERENTIAL option.");
  }
  job->db_.emplace(std::move(db));
  VDIBK_RETURN_IF_ERROR(job->Plan(options));
  return job;
}

Status BackupSession::Plan(const BackupOptions& o) {
  const Database& db = *db_;
  BackupSetInfo& info = source_.info;
  info.database_name = db.name();
  info.kind = o.kind;
  info.copy_only = o.copy_only;
  info.has_checksums = o.checksum;
  info.metadata_only = o.metadata_only;
  info.simple_recovery = db.simple_recovery();
  info.set_guid = o.set_guid ? *o.set_guid : Guid::Random();
  uint32_t fam;
  std::memcpy(&fam, info.set_guid.bytes.data(), 4);
  info.media_family_id = o.media_family_id ? *o.media_family_id : fam;
  info.family_count = o.devices;
  info.block_size = o.block_size;
  info.start_time = o.time ? *o.time
                           : std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  info.finish_time = info.start_time;
  VDIBK_ASSIGN_OR_RETURN(uint64_t next_lsn, db.NextLsn());
  info.first_lsn = info.last_lsn = info.checkpoint_lsn = next_lsn;
  info.database_backup_lsn = db.meta().diff_base_lsn;
  if (o.kind == BackupKind::kDifferential) {
    info.differential_base_lsn = db.meta().diff_base_lsn;
    info.differential_base_guid = db.meta().diff_base_guid;
  }

  std::vector<BackupRun> runs;
  for (const DbFile& f : db.files()) {
    uint32_t index = static_cast<uint32_t>(info.files.size());
    BackupFileInfo bf;
    bf.file_id = f.file_id;
    bf.type = f.type;
    bf.logical_name = f.logical_name;
    bf.physical_name = f.path;
    bf.external = f.external;
    bf.size = f.size;
    info.files.push_back(bf);
    VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(f.full_path, O_RDONLY));
    VDIBK_ASSIGN_OR_RETURN(FileStamp stamp, StampOf(fd.get(), f.full_path));
    stamps_.push_back(stamp);
    if (o.metadata_only) {
      source_.fds.push_back(std::move(fd));
      continue;
    }
    if (o.kind == BackupKind::kFull) {
      AddRuns(runs, index, 0, f.size, o.chunk_size, false);
    } else if (o.kind == BackupKind::kDifferential) {
      // Only the extents the changed-extent map marks; the whole file when it has no map, or
      // its stamp shows a change the map does not account for (a writer other than the emulator).
      const ChangedExtents* c = db.meta().FindChanged(f.file_id);
      const bool whole = c == nullptr || c->all || !(c->stamp == stamp);
      // Contiguous changed extents form one range; AddRuns cuts it into chunks.
      uint64_t run_begin = 0;
      bool open = false;
      const uint64_t extents = (f.size + kExtentSize - 1) / kExtentSize;
      for (uint64_t e = 0; e <= extents; ++e) {
        const bool changed = e < extents && (whole || c->IsChanged(e));
        if (changed && !open) {
          run_begin = e * kExtentSize;
          open = true;
        } else if (!changed && open) {
          AddRuns(runs, index, run_begin, std::min(f.size, e * kExtentSize), o.chunk_size, false);
          open = false;
        }
      }
    } else if (f.type == FileType::kLog) {
      VDIBK_ASSIGN_OR_RETURN(LogHeader h, LogFile::ReadHeader(f.full_path));
      info.first_lsn = h.base_lsn;
      info.last_lsn = h.next_lsn;
      AddRuns(runs, index, kLogHeaderSize, h.end_offset, o.chunk_size, true);
    }
    source_.fds.push_back(std::move(fd));
    if (o.direct_io) {
      // Refused (EINVAL: a filesystem without O_DIRECT): that file goes through the page cache.
      source_.direct_fds.push_back(OpenDirect(f.full_path, O_RDONLY));
    }
  }
  for (const BackupRun& r : runs) {
    info.files[r.file_index].backup_bytes += r.length;
    info.backup_size += r.length;
  }
  if (o.kind == BackupKind::kFull && !o.copy_only) {
    // The new base's stamps must differ from those of any write after this point (WaitPastStamp).
    int64_t newest = 0;
    for (const FileStamp& st : stamps_) newest = std::max(newest, st.mtime_ns);
    WaitPastStamp(newest);
  }
  std::vector<std::vector<BackupRun>> per_device(o.devices);
  for (size_t i = 0; i < runs.size(); ++i) per_device[i % o.devices].push_back(runs[i]);
  for (uint32_t d = 0; d < o.devices; ++d) {
    devices_.push_back(std::make_unique<DeviceStream>(&source_, d, std::move(per_device[d])));
  }
  return Status::Ok();
}

bool BackupSession::all_done() const {
  for (const auto& d : devices_) {
    if (!d->done()) return false;
  }
  return true;
}

size_t BackupSession::direct_files() const {
  size_t n = 0;
  for (const UniqueFd& fd : source_.direct_fds) n += fd.get() >= 0 ? 1 : 0;
  return n;
}

Status BackupSession::Commit() {
  if (committed_) return Status::Ok();
  if (!all_done()) return Status::Failed("backup job committed before every device finished");
  const BackupSetInfo& info = source_.info;
  // The history row first: a backup whose base was recorded must never lack its row.
  BackupHistoryEntry h;
  h.kind = info.kind;
  h.set_guid = info.set_guid;
  h.first_lsn = info.first_lsn;
  h.last_lsn = info.last_lsn;
  h.time = info.start_time;
  h.copy_only = info.copy_only;
  h.checkpoint_lsn = info.checkpoint_lsn;
  h.database_backup_lsn = info.database_backup_lsn;
  h.differential_base_lsn = info.differential_base_lsn;
  h.differential_base_guid = info.differential_base_guid;
  h.finish_time = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  h.name = options_.name;
  h.database_name = db_->name();
  VDIBK_ASSIGN_OR_RETURN(uint64_t id, BackupHistory(catalog_.data_dir()).Append(std::move(h)));
  (void)id;
  // Re-read the metadata under its lock: a workload may have run since Begin().
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(db_->meta_path()));
  VDIBK_ASSIGN_OR_RETURN(Database db, catalog_.Open(db_->name()));
  DbMeta& m = db.mutable_meta();
  if (info.kind == BackupKind::kFull && !info.copy_only) {
    // The new base: every map empty, with the stamps the files had when the backup began (a
    // write since then shows as a stamp mismatch: that file goes whole into the next diff).
    // A metadata-only (snapshot) backup read no pages: its files count as wholly changed.
    m.has_full_backup = true;
    m.diff_base_guid = info.set_guid;
    m.diff_base_lsn = info.checkpoint_lsn;
    m.changed.clear();
    for (size_t i = 0; i < info.files.size(); ++i) {
      ChangedExtents c = ChangedExtents::Fresh(info.files[i].file_id, stamps_[i]);
      c.all = info.metadata_only;
      m.changed.push_back(std::move(c));
    }
  }
  if (info.kind == BackupKind::kFull && info.copy_only) m.has_full_backup = true;
  if (info.kind == BackupKind::kLog && !info.copy_only) {
    const DbFile* lf = db.log_file();
    if (lf == nullptr) return Status::Failed("log file vanished before the log backup commit");
    VDIBK_ASSIGN_OR_RETURN(LogFile log, LogFile::Open(lf->full_path));
    VDIBK_RETURN_IF_ERROR(log.TruncateBefore(info.last_lsn));
    m.last_log_backup_lsn = info.last_lsn;
    // Truncation rewrote the log file: all of it differs from the base.
    if (ChangedExtents* c = m.FindChanged(lf->file_id)) {
      VDIBK_ASSIGN_OR_RETURN(c->stamp, StampOfPath(lf->full_path));
      c->all = true;
    }
  }
  VDIBK_RETURN_IF_ERROR(db.SaveMeta());
  committed_ = true;
  return Status::Ok();
}

}  // namespace vdibk::emulator
