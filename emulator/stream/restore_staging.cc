// RestoreStaging implementation.
#include "emulator/stream/restore_staging.h"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "emulator/base/sql_error.h"
#include "emulator/db/log_file.h"
#include "emulator/db/meta_lock.h"

namespace vdibk::emulator {
namespace {

// O_DIRECT writes gather 1 MiB per device.
constexpr size_t kDirectBufferSize = 1 << 20;
// Buffered writes go to the page cache in pieces of at most this size, whatever the source (a
// VDI buffer or a disk device's read): ext4 sizes a new page-cache folio by the write, and on
// VMs whose host takes freed guest memory back (virtio-balloon free page reporting) large
// folios come from memory the host must fault in again. Measured on our CI's VM, 1 GiB into a
// new file: 0.25-0.34 s in pieces of 64-256 KiB, 1.4-2.0 s in 1 MiB pieces. Both restore paths
// wrote different piece sizes before (1 MiB from VDI buffers, 64-512 KiB from disk reads), so
// the same data cost the VDI restore 2.5-3x the server CPU (docs/performance.md "Restore").
constexpr size_t kBufferedWritePiece = 256u << 10;

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool BadRelative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return true;
  size_t start = 0;
  for (;;) {
    size_t slash = rel.find('/', start);
    std::string part = rel.substr(start, slash == std::string::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == "..") return true;
    if (slash == std::string::npos) return false;
    start = slash + 1;
  }
}

}  // namespace

RestoreStaging::~RestoreStaging() {
  if (!committed_) Discard();
}

void RestoreStaging::Discard() {
  for (StagedFile& f : files_) {
    f.fd.Reset();
    if (f.id.external && !f.temp_path.empty()) ::unlink(f.temp_path.c_str());
  }
  log_bytes_.Reset();
  if (!root_.empty()) (void)RemoveTree(root_);
}

RestoreStaging::StagedFile* RestoreStaging::Find(uint32_t file_id) {
  for (StagedFile& f : files_) {
    if (f.id.file_id == file_id) return &f;
  }
  return nullptr;
}

Result<std::unique_ptr<RestoreStaging>> RestoreStaging::Prepare(const Catalog& catalog,
                                                                const RestoreRequest& options,
                                                                const BackupSetInfo& info) {
  std::unique_ptr<RestoreStaging> s(new RestoreStaging());
  s->catalog_ = catalog;
  s->info_ = info;
  s->target_ = options.target_name.empty() ? info.database_name : options.target_name;
  VDIBK_RETURN_IF_ERROR(Catalog::ValidateName(s->target_));
  bool log_stmt = options.mode == RestoreMode::kLog;
  if (log_stmt != (info.kind == BackupKind::kLog)) {
    return SqlErrorStatus(3135,
                          std::string("The backup set in file 'device0' was created by ") +
                              (info.kind == BackupKind::kLog ? "BACKUP LOG" : "BACKUP DATABASE") +
                              " and cannot be used for this restore operation.");
  }
  if (info.metadata_only) {
    return Status::Usage("the emulator cannot restore a metadata-only (SNAPSHOT) backup");
  }
  if (catalog.Exists(s->target_)) {
    VDIBK_ASSIGN_OR_RETURN(Database cur, catalog.Open(s->target_));
    s->current_.emplace(std::move(cur));
  }
  const std::string& t = s->target_;
  if (info.kind == BackupKind::kFull) {
    if (s->current_ && !options.replace && s->current_->state() == DbState::kOnline) {
      if (info.database_name != t) {
        return SqlErrorStatus(3154,
                              "The backup set holds a backup of a database other than the "
                              "existing '" +
                                  t + "' database.");
      }
      if (!s->current_->simple_recovery()) {
        return SqlErrorStatus(3159,
                              "The tail of the log for the database \"" + t +
                                  "\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to "
                                  "backup the log if it contains work you do not want to lose. "
                                  "Use the WITH REPLACE or the WITH STOPAT clause of the RESTORE "
                                  "statement to just overwrite the contents of the log.");
      }
    }
  } else {
    if (!s->current_ || s->current_->state() != DbState::kRestoring) {
      return SqlErrorStatus(3117,
                            "The log or differential backup cannot be restored because no files "
                            "are ready to rollforward.");
    }
    const DbMeta& m = s->current_->meta();
    if (info.kind == BackupKind::kDifferential &&
        !(m.restore_base_guid == info.differential_base_guid)) {
      return SqlErrorStatus(3136,
                            "This differential backup cannot be restored because the database "
                            "has not been restored to the correct earlier state.");
    }
    if (info.kind == BackupKind::kLog) {
      std::string at = std::to_string(m.restore_lsn);
      if (info.first_lsn > m.restore_lsn) {
        return SqlErrorStatus(
            4305, "The log in this backup set begins at LSN " + std::to_string(info.first_lsn) +
                      ", which is too recent to apply to the database. An earlier log "
                      "backup that includes LSN " +
                      at + " can be restored.");
      }
      if (info.last_lsn < m.restore_lsn ||
          (info.last_lsn == m.restore_lsn && info.first_lsn != info.last_lsn)) {
        return SqlErrorStatus(
            4326, "The log in this backup set terminates at LSN " + std::to_string(info.last_lsn) +
                      ", which is too early to apply to the database. A more recent "
                      "log backup that includes LSN " +
                      at + " can be restored.");
      }
    }
  }
  VDIBK_RETURN_IF_ERROR(s->PlaceFiles(options));
  return s;
}

Status RestoreStaging::PlaceFiles(const RestoreRequest& options) {
  if (options.direct_io) direct_.resize(options.device_count);
  for (const RestoreMove& mv : options.moves) {
    bool found = false;
    for (const BackupFileInfo& f : info_.files)
      found = found || SameName(f.logical_name, mv.logical_name);
    if (!found) {
      return SqlErrorStatus(3234,
                            "Logical file '" + mv.logical_name + "' is not part of database '" +
                                info_.database_name +
                                "'. Use RESTORE FILELISTONLY to list the logical file names.");
    }
  }
  std::string db_dir = catalog_.DatabaseDir(target_);
  root_ = catalog_.NewWorkPath("restore");
  VDIBK_RETURN_IF_ERROR(MakeDirs(root_ + "/db"));
  std::set<std::string> finals;
  for (const BackupFileInfo& bf : info_.files) {
    StagedFile sf;
    sf.id.file_id = bf.file_id;
    sf.id.logical_name = bf.logical_name;
    sf.type = bf.type;
    sf.size = bf.size;
    const DbFile* existing = nullptr;
    if (info_.kind != BackupKind::kFull && current_) existing = current_->FindFile(bf.file_id);
    if (existing) {
      sf.id.path = existing->path;
      sf.id.external = existing->external;
    } else {
      sf.id.path = bf.physical_name;
      sf.id.external = bf.external;
      for (const RestoreMove& mv : options.moves) {
        if (!SameName(mv.logical_name, bf.logical_name)) continue;
        if (!mv.path.empty() && mv.path[0] == '/') {
          bool inside = mv.path.compare(0, db_dir.size() + 1, db_dir + "/") == 0;
          sf.id.external = !inside;
          sf.id.path = inside ? mv.path.substr(db_dir.size() + 1) : mv.path;
        } else {
          sf.id.external = false;
          sf.id.path = mv.path;
        }
      }
    }
    if (!sf.id.external && BadRelative(sf.id.path)) {
      return Status::Usage("invalid file path '" + sf.id.path + "' for logical file '" +
                           bf.logical_name + "'");
    }
    sf.final_path = sf.id.external ? sf.id.path : db_dir + "/" + sf.id.path;
    if (!finals.insert(sf.final_path).second) {
      return SqlErrorStatus(
          3176, "File '" + sf.final_path +
                    "' is claimed by more than one file of the "
                    "backup set. Use WITH MOVE to identify a valid location for each file.");
    }
    if (sf.id.external && !existing) {
      // A file of another database is never overwritten; other existing files need REPLACE.
      VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> dbs, catalog_.List());
      for (const std::string& name : dbs) {
        if (name == target_) continue;
        Result<Database> other = catalog_.Open(name);
        if (!other.ok()) continue;
        for (const DbFile& of : other->files()) {
          if (of.full_path == sf.final_path) {
            return SqlErrorStatus(1834, "The file '" + sf.final_path +
                                            "' cannot be overwritten.  It is "
                                            "being used by database '" +
                                            name + "'.");
          }
        }
      }
      bool ours = current_ && current_->FindFile(bf.file_id) &&
                  current_->FindFile(bf.file_id)->full_path == sf.final_path;
      if (PathExists(sf.final_path) && !options.replace && !ours) {
        return SqlErrorStatus(
            3142, "File \"" + bf.logical_name +
                      "\" cannot be restored over the "
                      "existing \"" +
                      sf.final_path +
                      "\". Reissue the RESTORE statement "
                      "using WITH REPLACE to overwrite pre-existing files, or WITH MOVE "
                      "to identify an alternate location.");
      }
    }
    sf.temp_path = sf.id.external ? sf.final_path + ".vdi-restoring-" + std::to_string(::getpid())
                                  : root_ + "/db/" + sf.id.path;
    VDIBK_RETURN_IF_ERROR(MakeDirs(ParentDir(sf.temp_path)));
    if (existing) VDIBK_RETURN_IF_ERROR(CopyFile(existing->full_path, sf.temp_path));
    VDIBK_ASSIGN_OR_RETURN(sf.fd, OpenFile(sf.temp_path, O_RDWR | O_CREAT, 0660));
    if (::ftruncate(sf.fd.get(), static_cast<off_t>(sf.size)) != 0) {
      return Status::FromErrno(ErrorCode::kTargetIo, "truncate " + sf.temp_path, errno);
    }
    if (options.direct_io && sf.type != FileType::kLog) {
      // Allocated up front, as SQL Server initializes its files: direct writes then fill
      // allocated (unwritten) extents instead of holes. Refused O_DIRECT: buffered writes.
      (void)::fallocate(sf.fd.get(), FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(sf.size));
      sf.direct_fd = OpenDirect(sf.temp_path, O_WRONLY);
    }
    files_.push_back(std::move(sf));
  }
  if (info_.kind == BackupKind::kLog) {
    VDIBK_ASSIGN_OR_RETURN(log_bytes_, OpenFile(root_ + "/log.bin", O_RDWR | O_CREAT | O_TRUNC));
  }
  return Status::Ok();
}

Status RestoreStaging::WriteRun(uint32_t device, const RunHeader& run, bool log,
                                uint64_t offset_in_run, const uint8_t* data, size_t len) {
  StagedFile* f = Find(run.file_id);
  if (f == nullptr || run.file_offset + run.length > f->size ||
      log != (info_.kind == BackupKind::kLog) || (log && f->type != FileType::kLog) ||
      (log && run.file_offset < kLogHeaderSize)) {
    return SqlErrorStatus(3241,
                          "The media family on device 'device' is incorrectly formed. SQL Server "
                          "cannot process this media family.",
                          ErrorCode::kIntegrity)
        .WithContext("run of file " + std::to_string(run.file_id) + " does not fit the file list");
  }
  if (!log && f->direct_fd.get() >= 0) {
    return WriteDirect(device, f, data, len, run.file_offset + offset_in_run,
                       offset_in_run + len == run.length);
  }
  if (log) {
    std::lock_guard<std::mutex> lock(log_write_mu_);
    return PwriteFull(log_bytes_.get(), data, len, run.file_offset - kLogHeaderSize + offset_in_run,
                      "staged log");
  }
  return WriteBuffered(f, data, len, run.file_offset + offset_in_run);
}

Status RestoreStaging::WriteBuffered(StagedFile* f, const uint8_t* data, size_t len,
                                     uint64_t offset) {
  std::lock_guard<std::mutex> lock(*f->write_mu);
  for (size_t done = 0; done < len;) {
    const size_t n = std::min(len - done, kBufferedWritePiece);
    VDIBK_RETURN_IF_ERROR(PwriteFull(f->fd.get(), data + done, n, offset + done, f->temp_path));
    done += n;
  }
  return Status::Ok();
}

Status RestoreStaging::FlushDirect(DirectBuffer& b) {
  const size_t aligned = b.len / kDirectIoAlignment * kDirectIoAlignment;
  for (size_t done = 0; done < aligned;) {
    ssize_t n = ::pwrite(b.file->direct_fd.get(), b.mem.data + done, aligned - done,
                         static_cast<off_t>(b.start + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || n % kDirectIoAlignment != 0) {
      b.len = 0;
      return Status::FromErrno(ErrorCode::kTargetIo, "write " + b.file->temp_path,
                               n < 0 ? errno : ENOSPC);
    }
    done += static_cast<size_t>(n);
  }
  direct_bytes_ += aligned;
  Status st = Status::Ok();
  if (aligned < b.len) {
    st = WriteBuffered(b.file, b.mem.data + aligned, b.len - aligned, b.start + aligned);
  }
  b.start += b.len;
  b.len = 0;
  return st;
}

Status RestoreStaging::WriteDirect(uint32_t device, StagedFile* f, const uint8_t* data, size_t len,
                                   uint64_t offset, bool run_end) {
  if (device >= direct_.size()) return WriteBuffered(f, data, len, offset);
  std::unique_ptr<DirectBuffer>& slot = direct_[device];
  if (!slot) {
    slot = std::make_unique<DirectBuffer>(kDirectBufferSize);
    if (!slot->mem.data) return Status::Failed("out of memory (restore write buffer)");
  }
  DirectBuffer& b = *slot;
  if (b.len > 0 && (b.file != f || b.start + b.len != offset)) {
    VDIBK_RETURN_IF_ERROR(FlushDirect(b));
  }
  if (b.len == 0) {
    if (offset % kDirectIoAlignment != 0) return WriteBuffered(f, data, len, offset);
    b.file = f;
    b.start = offset;
  }
  while (len > 0) {
    const size_t take = std::min(len, b.mem.size - b.len);
    std::memcpy(b.mem.data + b.len, data, take);
    b.len += take;
    data += take;
    len -= take;
    if (b.len == b.mem.size) VDIBK_RETURN_IF_ERROR(FlushDirect(b));
  }
  if (run_end && b.len > 0) VDIBK_RETURN_IF_ERROR(FlushDirect(b));
  return Status::Ok();
}

Status RestoreStaging::ApplyLog() {
  uint64_t total = 0;
  for (const BackupFileInfo& bf : info_.files) {
    if (bf.type == FileType::kLog) total = bf.backup_bytes;
  }
  std::vector<uint8_t> bytes(total);
  VDIBK_RETURN_IF_ERROR(PreadFull(log_bytes_.get(), bytes.data(), total, 0, "staged log"));
  Result<std::vector<LogRecord>> records = ParseLogRecords(bytes.data(), total, info_.first_lsn);
  if (!records.ok()) {
    return SqlErrorStatus(3241,
                          "The media family on device 'device' is incorrectly formed. SQL Server "
                          "cannot process this media family.",
                          ErrorCode::kIntegrity)
        .WithContext(records.status().message());
  }
  uint64_t end = records->empty() ? info_.first_lsn : records->back().lsn + 1;
  if (end != info_.last_lsn) return Status::Integrity("log backup records end before its LastLSN");
  uint64_t from = current_->meta().restore_lsn;
  StagedFile* log_file = nullptr;
  for (const LogRecord& r : records.value()) {
    if (r.lsn < from) continue;
    StagedFile* f = Find(r.file_id);
    if (f == nullptr || f->type != FileType::kData) {
      return Status::Integrity("log record " + std::to_string(r.lsn) + " names unknown file " +
                               std::to_string(r.file_id));
    }
    VDIBK_RETURN_IF_ERROR(
        PwriteFull(f->fd.get(), r.image.data(), r.image.size(), r.page_offset, f->temp_path));
  }
  for (StagedFile& f : files_) {
    if (f.type == FileType::kLog) log_file = &f;
  }
  if (log_file == nullptr) return Status::Integrity("log backup without a log file");
  VDIBK_ASSIGN_OR_RETURN(LogFile lf, LogFile::Open(log_file->temp_path));
  VDIBK_RETURN_IF_ERROR(lf.TruncateBefore(info_.last_lsn));
  // TruncateBefore replaced the file: reopen our descriptor for the fsync below.
  VDIBK_ASSIGN_OR_RETURN(log_file->fd, OpenFile(log_file->temp_path, O_RDWR));
  return Status::Ok();
}

Status RestoreStaging::Commit(bool recovery) {
  for (std::unique_ptr<DirectBuffer>& b : direct_) {
    if (b && b->len > 0) VDIBK_RETURN_IF_ERROR(FlushDirect(*b));
  }
  if (info_.kind == BackupKind::kLog) VDIBK_RETURN_IF_ERROR(ApplyLog());
  for (StagedFile& f : files_) {
    if (::fsync(f.fd.get()) != 0) {
      return Status::FromErrno(ErrorCode::kTargetIo, "fsync " + f.temp_path, errno);
    }
  }
  // A restore leaves no differential base (a differential needs a new full backup first, 3035),
  // so there are no changed-extent maps to keep: the restored files' writes need no marks.
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(catalog_.MetaPath(target_)));
  DbMeta m;
  if (info_.kind != BackupKind::kFull) m = current_->meta();
  m.diff_base_guid = Guid{};
  m.diff_base_lsn = 0;
  m.changed.clear();
  if (info_.kind == BackupKind::kFull) m.restore_base_guid = info_.set_guid;
  m.state = recovery ? DbState::kOnline : DbState::kRestoring;
  m.restore_lsn = info_.last_lsn;
  m.next_lsn = info_.last_lsn;
  m.files.clear();
  for (const StagedFile& f : files_) m.files.push_back(f.id);

  // Swap in: externals first, then the directory (old one moved aside), then the metadata.
  for (StagedFile& f : files_) {
    f.fd.Reset();
    if (f.id.external) VDIBK_RETURN_IF_ERROR(RenamePath(f.temp_path, f.final_path));
  }
  std::string db_dir = catalog_.DatabaseDir(target_);
  bool had_old = PathExists(db_dir);
  if (had_old) VDIBK_RETURN_IF_ERROR(RenamePath(db_dir, root_ + "/old"));
  Status s = RenamePath(root_ + "/db", db_dir);
  if (!s.ok()) {
    if (had_old) (void)RenamePath(root_ + "/old", db_dir);
    return s;
  }
  committed_ = true;
  VDIBK_RETURN_IF_ERROR(SaveDbMeta(catalog_.MetaPath(target_), m));
  VDIBK_RETURN_IF_ERROR(FsyncDir(catalog_.data_dir()));
  log_bytes_.Reset();
  return RemoveTree(root_);
}

}  // namespace vdibk::emulator
