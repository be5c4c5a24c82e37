// Database implementation: directory scan, file-id assignment, logical names, LSN source.
#include "emulator/db/database.h"

#include <strings.h>
#include <algorithm>
#include <map>
#include <set>

#include "emulator/base/sql_error.h"
#include "emulator/db/file_io.h"
#include "emulator/db/log_file.h"

namespace vdibk::emulator {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return strncasecmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

}  // namespace

std::string DeriveLogicalName(std::string_view rel_path) {
  std::string s(rel_path);
  size_t slash = s.find_last_of('/');
  size_t dot = s.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash + 1)) s.resize(dot);
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

Result<Database> Database::Open(const std::string& data_dir, const std::string& name) {
  Database db;
  db.name_ = name;
  db.dir_ = data_dir + "/" + name;
  db.meta_path_ = data_dir + "/.vdi-emulator/" + name + ".meta";
  if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos ||
      !IsDirectory(db.dir_)) {
    return SqlErrorStatus(
        911,
        "Database '" + name + "' does not exist. Make sure that the name is entered correctly.");
  }
  VDIBK_ASSIGN_OR_RETURN(db.meta_, LoadDbMeta(db.meta_path_));
  VDIBK_RETURN_IF_ERROR(db.Scan());
  return db;
}

Status Database::Scan() {
  VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> rel, ListFilesRecursive(dir_));
  std::vector<std::string> logs;
  for (const std::string& r : rel) {
    if (EndsWith(r, ".ldf")) logs.push_back(r);
  }
  if (logs.size() > 1) {
    return Status::Configuration("database " + name_ + " has more than one log file (*.ldf)");
  }
  // Known identities, by path; externals are kept while their file exists.
  std::map<std::string, FileIdentity> known;
  std::vector<FileIdentity> externals;
  uint32_t max_id = 0;
  for (const FileIdentity& f : meta_.files) {
    if (f.external) {
      if (PathExists(f.path)) externals.push_back(f);
    } else {
      known[f.path] = f;
    }
  }
  std::vector<FileIdentity> ids;
  std::set<uint32_t> used;
  for (const std::string& r : rel) {
    auto it = known.find(r);
    if (it != known.end()) {
      ids.push_back(it->second);
      used.insert(it->second.file_id);
    }
  }
  for (const FileIdentity& f : externals) used.insert(f.file_id);
  for (uint32_t id : used) max_id = std::max(max_id, id);
  // New files: primary, log, then path order.
  std::vector<std::string> fresh;
  for (const std::string& r : rel) {
    if (!known.count(r)) fresh.push_back(r);
  }
  auto take = [&](const std::string& r, uint32_t id) {
    FileIdentity f;
    f.file_id = id;
    f.path = r;
    used.insert(id);
    max_id = std::max(max_id, id);
    ids.push_back(f);
  };
  if (!used.count(kPrimaryFileId)) {
    auto p = std::find_if(fresh.begin(), fresh.end(), [](auto& r) { return EndsWith(r, ".mdf"); });
    if (p == fresh.end()) {
      p = std::find_if(fresh.begin(), fresh.end(), [](auto& r) { return !EndsWith(r, ".ldf"); });
    }
    if (p != fresh.end()) {
      take(*p, kPrimaryFileId);
      fresh.erase(p);
    }
  }
  if (!used.count(kLogFileId)) {
    auto p = std::find_if(fresh.begin(), fresh.end(), [](auto& r) { return EndsWith(r, ".ldf"); });
    if (p != fresh.end()) {
      take(*p, kLogFileId);
      fresh.erase(p);
    }
  }
  for (const std::string& r : fresh) take(r, std::max<uint32_t>(max_id + 1, 3));
  for (FileIdentity& f : externals) ids.push_back(f);

  // Logical names: keep stored ones, derive the rest, make them unique.
  std::set<std::string> names;
  for (const FileIdentity& f : ids) {
    if (!f.logical_name.empty()) names.insert(f.logical_name);
  }
  for (FileIdentity& f : ids) {
    if (!f.logical_name.empty()) continue;
    std::string n = DeriveLogicalName(f.path);
    if (n.empty() || names.count(n)) n = n + "_" + std::to_string(f.file_id);
    names.insert(n);
    f.logical_name = n;
  }
  std::sort(ids.begin(), ids.end(), [](auto& a, auto& b) { return a.file_id < b.file_id; });
  files_.clear();
  for (const FileIdentity& f : ids) {
    DbFile d;
    d.file_id = f.file_id;
    d.logical_name = f.logical_name;
    d.path = f.path;
    d.external = f.external;
    d.full_path = f.external ? f.path : dir_ + "/" + f.path;
    d.type = EndsWith(f.path, ".ldf") ? FileType::kLog : FileType::kData;
    VDIBK_ASSIGN_OR_RETURN(d.size, FileSize(d.full_path));
    files_.push_back(std::move(d));
  }
  meta_.files = std::move(ids);
  return Status::Ok();
}

const DbFile* Database::FindFile(uint32_t file_id) const {
  for (const DbFile& f : files_) {
    if (f.file_id == file_id) return &f;
  }
  return nullptr;
}

const DbFile* Database::FindLogical(std::string_view logical_name) const {
  for (const DbFile& f : files_) {
    if (f.logical_name.size() == logical_name.size() &&
        strncasecmp(f.logical_name.data(), logical_name.data(), logical_name.size()) == 0) {
      return &f;
    }
  }
  return nullptr;
}

const DbFile* Database::log_file() const {
  for (const DbFile& f : files_) {
    if (f.type == FileType::kLog) return &f;
  }
  return nullptr;
}

uint64_t Database::total_size() const {
  uint64_t n = 0;
  for (const DbFile& f : files_) n += f.size;
  return n;
}

Status Database::Reload() {
  VDIBK_ASSIGN_OR_RETURN(meta_, LoadDbMeta(meta_path_));
  return Scan();
}

Status Database::SaveMeta() { return SaveDbMeta(meta_path_, meta_); }

Result<uint64_t> Database::NextLsn() const {
  const DbFile* log = log_file();
  if (log == nullptr) return meta_.next_lsn;
  VDIBK_ASSIGN_OR_RETURN(LogHeader h, LogFile::ReadHeader(log->full_path));
  return h.next_lsn;
}

Status Database::CheckOnline() const {
  if (meta_.state == DbState::kOnline) return Status::Ok();
  return SqlErrorStatus(
      927, "Database '" + name_ + "' cannot be opened. It is in the middle of a restore.",
      ErrorCode::kSqlError, 14);
}

}  // namespace vdibk::emulator
