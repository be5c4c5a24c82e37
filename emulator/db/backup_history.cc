// BackupHistory implementation: the row text form and the locked, fdatasync'd append.
#include "emulator/db/backup_history.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "emulator/db/file_io.h"
#include "emulator/db/meta_lock.h"

namespace vdibk::emulator {
namespace {

constexpr std::string_view kHistoryMagic = "vdi-emulator-backupset 1";
constexpr size_t kFields = 15;

bool Num(std::string_view s, uint64_t* v) {
  if (s.empty() || s[0] == '-') return false;
  std::string t(s);
  char* end = nullptr;
  *v = std::strtoull(t.c_str(), &end, 10);
  return end && *end == '\0';
}

bool SignedNum(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  std::string t(s);
  char* end = nullptr;
  *v = std::strtoll(t.c_str(), &end, 10);
  return end && *end == '\0';
}

bool ParseRow(const std::vector<std::string_view>& f, BackupHistoryEntry* h) {
  uint64_t kind = 0, copy = 0;
  if (f.size() != kFields || !Num(f[0], &h->backup_set_id) ||
      !MetaUnescape(f[1], &h->database_name) || !Num(f[2], &kind) || kind < 1 || kind > 3 ||
      !Num(f[4], &h->first_lsn) || !Num(f[5], &h->last_lsn) || !SignedNum(f[6], &h->time) ||
      !Num(f[7], &copy) || !Num(f[8], &h->checkpoint_lsn) || !Num(f[9], &h->database_backup_lsn) ||
      !Num(f[10], &h->differential_base_lsn) || !SignedNum(f[12], &h->finish_time) ||
      !MetaUnescape(f[13], &h->name) || f[14] != "end") {
    return false;
  }
  Result<Guid> g = Guid::Parse(f[3]);
  Result<Guid> dg = Guid::Parse(f[11]);
  if (!g.ok() || !dg.ok()) return false;
  h->kind = static_cast<BackupKind>(kind);
  h->copy_only = copy != 0;
  h->set_guid = g.value();
  h->differential_base_guid = dg.value();
  return true;
}

}  // namespace

std::string SerializeBackupHistory(const std::vector<BackupHistoryEntry>& rows) {
  std::ostringstream o;
  o << kHistoryMagic << "\n";
  for (const BackupHistoryEntry& h : rows) {
    o << h.backup_set_id << "\t" << MetaEscape(h.database_name) << "\t" << static_cast<int>(h.kind)
      << "\t" << h.set_guid.ToString() << "\t" << h.first_lsn << "\t" << h.last_lsn << "\t"
      << h.time << "\t" << (h.copy_only ? 1 : 0) << "\t" << h.checkpoint_lsn << "\t"
      << h.database_backup_lsn << "\t" << h.differential_base_lsn << "\t"
      << h.differential_base_guid.ToString() << "\t" << h.finish_time << "\t" << MetaEscape(h.name)
      << "\tend\n";
  }
  return o.str();
}

Result<std::vector<BackupHistoryEntry>> ParseBackupHistory(std::string_view text,
                                                           size_t* good_len) {
  std::vector<BackupHistoryEntry> rows;
  size_t pos = 0;
  bool first = true;
  if (good_len) *good_len = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // torn last append: not a row
    std::string_view line = text.substr(pos, nl - pos);
    auto bad = [&] {
      return Status::Integrity("corrupt backup history line: " + std::string(line.substr(0, 80)));
    };
    pos = nl + 1;
    if (first) {
      if (line != kHistoryMagic) return bad();
      first = false;
    } else {
      BackupHistoryEntry h;
      if (!ParseRow(MetaSplit(line), &h)) return bad();
      rows.push_back(std::move(h));
    }
    if (good_len) *good_len = pos;
  }
  return rows;
}

BackupHistory::BackupHistory(const std::string& data_dir)
    : path_(data_dir + "/.vdi-emulator/backupset") {}

Result<std::vector<BackupHistoryEntry>> BackupHistory::Load() const {
  if (!PathExists(path_)) return std::vector<BackupHistoryEntry>{};
  VDIBK_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path_));
  Result<std::vector<BackupHistoryEntry>> rows = ParseBackupHistory(text);
  if (!rows.ok()) return rows.status().WithContext(path_);
  return rows;
}

Result<std::vector<BackupHistoryEntry>> BackupHistory::ForDatabase(
    const std::string& database) const {
  VDIBK_ASSIGN_OR_RETURN(std::vector<BackupHistoryEntry> all, Load());
  std::vector<BackupHistoryEntry> out;
  for (BackupHistoryEntry& h : all) {
    if (h.database_name == database) out.push_back(std::move(h));
  }
  return out;
}

Result<uint64_t> BackupHistory::Append(BackupHistoryEntry entry) const {
  VDIBK_ASSIGN_OR_RETURN(MetaLock lock, MetaLock::Acquire(path_));
  const bool created = !PathExists(path_);
  VDIBK_ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path_, O_RDWR | O_CREAT, 0644));
  std::string text;
  if (!created) {
    VDIBK_ASSIGN_OR_RETURN(text, ReadWholeFile(path_));
  }
  size_t good = 0;
  Result<std::vector<BackupHistoryEntry>> rows = ParseBackupHistory(text, &good);
  if (!rows.ok()) return rows.status().WithContext(path_);
  uint64_t id = 0;
  for (const BackupHistoryEntry& h : *rows) id = std::max(id, h.backup_set_id);
  entry.backup_set_id = id + 1;
  // Everything from `good` on is a torn append (or nothing): replaced by this row.
  std::string line = SerializeBackupHistory({entry});
  if (good > 0) line.erase(0, kHistoryMagic.size() + 1);  // the header is there already
  if (good < text.size() && ::ftruncate(fd.get(), static_cast<off_t>(good)) != 0) {
    return Status::FromErrno(ErrorCode::kFailed, "truncate " + path_, errno);
  }
  VDIBK_RETURN_IF_ERROR(PwriteFull(fd.get(), line.data(), line.size(), good, path_));
  if (::fdatasync(fd.get()) != 0) {
    return Status::FromErrno(ErrorCode::kTargetIo, "fdatasync " + path_, errno);
  }
  if (created) VDIBK_RETURN_IF_ERROR(FsyncDir(ParentDir(path_)));
  return id + 1;
}

}  // namespace vdibk::emulator
