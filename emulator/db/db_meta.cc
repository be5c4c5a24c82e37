// DbMeta text format: one record per line, tab-separated fields, strings percent-escaped;
// the first line is "vdi-emulator-meta 1". Unknown keys are rejected (the file is ours).
#include "emulator/db/db_meta.h"

#include <cstdlib>
#include <sstream>

#include "emulator/db/file_io.h"

namespace vdibk::emulator {
namespace {

constexpr std::string_view kMagic = "vdi-emulator-meta 1";

}  // namespace

std::string MetaEscape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == '%' || c >= 0x7F) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out.empty() ? "%" : out;  // a lone "%" is the empty string
}

bool MetaUnescape(std::string_view s, std::string* out) {
  out->clear();
  if (s == "%") return true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return true;
}

std::vector<std::string_view> MetaSplit(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (;;) {
    size_t t = line.find('\t', start);
    f.push_back(line.substr(start, t == std::string_view::npos ? t : t - start));
    if (t == std::string_view::npos) break;
    start = t + 1;
  }
  return f;
}

namespace {

bool ParseU64(std::string_view s, uint64_t* v, int base = 10) {
  if (s.empty()) return false;
  std::string tmp(s);
  char* end = nullptr;
  *v = std::strtoull(tmp.c_str(), &end, base);
  return end && *end == '\0';
}

}  // namespace

std::string_view DbStateName(DbState s) { return s == DbState::kOnline ? "ONLINE" : "RESTORING"; }

std::string_view BackupKindName(BackupKind k) {
  switch (k) {
    case BackupKind::kFull:
      return "FULL";
    case BackupKind::kDifferential:
      return "DIFFERENTIAL";
    case BackupKind::kLog:
      return "LOG";
  }
  return "UNKNOWN";
}

std::string DbMeta::Serialize() const {
  std::ostringstream o;
  o << kMagic << "\n";
  o << "state\t" << DbStateName(state) << "\n";
  o << "next_lsn\t" << next_lsn << "\n";
  o << "last_log_backup_lsn\t" << last_log_backup_lsn << "\n";
  o << "has_full_backup\t" << (has_full_backup ? 1 : 0) << "\n";
  o << "diff_base\t" << diff_base_guid.ToString() << "\t" << diff_base_lsn << "\n";
  o << "restore\t" << restore_base_guid.ToString() << "\t" << restore_lsn << "\n";
  for (const FileIdentity& f : files) {
    o << "file\t" << f.file_id << "\t" << (f.external ? 1 : 0) << "\t" << MetaEscape(f.logical_name)
      << "\t" << MetaEscape(f.path) << "\n";
  }
  for (const ChangedExtents& c : changed) o << "changed\t" << c.Serialize() << "\n";
  return o.str();
}

Result<DbMeta> DbMeta::Parse(std::string_view text) {
  DbMeta m;
  auto bad = [](std::string_view line) {
    return Status::Integrity("corrupt emulator metadata line: " + std::string(line.substr(0, 80)));
  };
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return bad("(unterminated last line)");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (first) {
      if (line != kMagic) return bad(line);
      first = false;
      continue;
    }
    std::vector<std::string_view> f = MetaSplit(line);
    uint64_t a = 0, b = 0;
    if (f[0] == "state" && f.size() == 2) {
      if (f[1] == "ONLINE")
        m.state = DbState::kOnline;
      else if (f[1] == "RESTORING")
        m.state = DbState::kRestoring;
      else
        return bad(line);
    } else if (f[0] == "next_lsn" && f.size() == 2 && ParseU64(f[1], &a)) {
      m.next_lsn = a;
    } else if (f[0] == "last_log_backup_lsn" && f.size() == 2 && ParseU64(f[1], &a)) {
      m.last_log_backup_lsn = a;
    } else if (f[0] == "has_full_backup" && f.size() == 2 && ParseU64(f[1], &a)) {
      m.has_full_backup = a != 0;
    } else if ((f[0] == "diff_base" || f[0] == "restore") && f.size() == 3 && ParseU64(f[2], &a)) {
      Result<Guid> g = Guid::Parse(f[1]);
      if (!g.ok()) return bad(line);
      if (f[0] == "diff_base") {
        m.diff_base_guid = g.value();
        m.diff_base_lsn = a;
      } else {
        m.restore_base_guid = g.value();
        m.restore_lsn = a;
      }
    } else if (f[0] == "file" && f.size() == 5 && ParseU64(f[1], &a) && ParseU64(f[2], &b)) {
      FileIdentity fi;
      fi.file_id = static_cast<uint32_t>(a);
      fi.external = b != 0;
      if (!MetaUnescape(f[3], &fi.logical_name) || !MetaUnescape(f[4], &fi.path)) return bad(line);
      m.files.push_back(std::move(fi));
    } else if (f[0] == "changed") {
      ChangedExtents c;
      if (!ChangedExtents::Parse({f.begin() + 1, f.end()}, &c)) return bad(line);
      m.changed.push_back(std::move(c));
    } else if (f[0] == "extents" || f[0] == "history") {
      // Older emulators: per-extent hash bases and per-database history. Dropped (see header).
    } else {
      return bad(line);
    }
  }
  if (first) return bad("(empty)");
  return m;
}

ChangedExtents* DbMeta::FindChanged(uint32_t file_id) {
  for (ChangedExtents& c : changed) {
    if (c.file_id == file_id) return &c;
  }
  return nullptr;
}

const ChangedExtents* DbMeta::FindChanged(uint32_t file_id) const {
  return const_cast<DbMeta*>(this)->FindChanged(file_id);
}

Result<DbMeta> LoadDbMeta(const std::string& path) {
  if (!PathExists(path)) return DbMeta{};
  VDIBK_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  Result<DbMeta> m = DbMeta::Parse(text);
  if (!m.ok()) return m.status().WithContext(path);
  return m;
}

Status SaveDbMeta(const std::string& path, const DbMeta& meta) {
  VDIBK_RETURN_IF_ERROR(MakeDirs(ParentDir(path)));
  return WriteFileAtomic(path, meta.Serialize());
}

}  // namespace vdibk::emulator
