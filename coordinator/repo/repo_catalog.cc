// Repository scan: set classification by manifest, set times, and diff/log chain links by LSN.
#include "coordinator/repo/repo_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>

#include "coordinator/repo/repo_dirs.h"
#include "coordinator/repo/set_lock.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

SetKind KindFromManifest(const proto::Manifest& m) {
  switch (m.backup_type()) {
    case proto::BACKUP_TYPE_FULL:
      return SetKind::kFull;
    case proto::BACKUP_TYPE_DIFF:
      return SetKind::kDiff;
    case proto::BACKUP_TYPE_LOG:
      return SetKind::kLog;
    default:
      return SetKind::kUnknown;
  }
}

SetKind KindFromName(std::string name) {
  // "<stamp>_<type>-NN": the second and later set of one second (SetDirCandidate).
  const size_t dash = name.rfind('-');
  if (dash != std::string::npos && dash + 1 < name.size() &&
      name.find_first_not_of("0123456789", dash + 1) == std::string::npos) {
    name.resize(dash);
  }
  auto ends = [&](const std::string& s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends("_full")) return SetKind::kFull;
  if (ends("_diff")) return SetKind::kDiff;
  if (ends("_log")) return SetKind::kLog;
  return SetKind::kUnknown;
}

}  // namespace

const char* SetStateName(SetState s) {
  switch (s) {
    case SetState::kGood:
      return "good";
    case SetState::kUnconfirmed:
      return "unconfirmed";
    case SetState::kGarbage:
      return "garbage";
    case SetState::kCorrupt:
      return "corrupt";
  }
  return "unknown";
}

const char* SetKindName(SetKind k) {
  switch (k) {
    case SetKind::kFull:
      return "full";
    case SetKind::kDiff:
      return "diff";
    case SetKind::kLog:
      return "log";
    case SetKind::kUnknown:
      break;
  }
  return "unknown";
}

uint64_t CatalogSet::raw_bytes() const {
  uint64_t n = 0;
  if (has_manifest()) {
    for (const proto::StripeEntry& s : manifest.stripes()) n += s.raw_bytes();
  }
  return n;
}

uint64_t CatalogSet::compressed_bytes() const {
  uint64_t n = 0;
  if (has_manifest()) {
    for (const proto::StripeEntry& s : manifest.stripes()) n += s.compressed_bytes();
  }
  return n;
}

int CompareLsn(const std::string& a, const std::string& b) {
  const size_t za = std::min(a.find_first_not_of('0'), a.size());
  const size_t zb = std::min(b.find_first_not_of('0'), b.size());
  const size_t la = a.size() - za, lb = b.size() - zb;
  if (la != lb) return la < lb ? -1 : 1;
  const int c = a.compare(za, la, b, zb, lb);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::optional<int64_t> ParseSetStamp(const std::string& name) {
  if (name.size() < 16 || name[8] != 'T' || name[15] != 'Z') return std::nullopt;
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(name.c_str(), "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 16) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

CatalogSet ScanSet(const std::string& repo, const std::string& database, const std::string& name) {
  CatalogSet s;
  s.database = database;
  s.name = name;
  s.dir = repo + "/" + database + "/" + name;
  struct stat st {};
  if (stat(s.dir.c_str(), &st) == 0) s.newest_mtime_ms = MtimeMs(st);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(s.dir, ec)) {
    if (lstat(e.path().c_str(), &st) == 0)
      s.newest_mtime_ms = std::max(s.newest_mtime_ms, MtimeMs(st));
  }

  stripe::DirectoryTarget target(s.dir);
  Result<proto::Manifest> m = stripe::ReadManifest(target, stripe::kManifestFileName);
  if (m.ok()) {
    s.manifest = std::move(m).value();
    if (s.manifest.state() == proto::MANIFEST_STATE_COMPLETE) {
      s.state = SetState::kGood;
    } else if (s.manifest.state() == proto::MANIFEST_STATE_PENDING) {
      s.state = SetState::kUnconfirmed;
    } else {
      s.state = SetState::kCorrupt;
      s.problem = "manifest state " + proto::ManifestState_Name(s.manifest.state());
      s.manifest.Clear();
    }
  } else if (m.status().code() == ErrorCode::kMissing) {
    s.state = SetState::kGarbage;
  } else {
    s.state = SetState::kCorrupt;
    s.problem = m.status().message();
  }

  s.kind = s.has_manifest() ? KindFromManifest(s.manifest) : KindFromName(name);
  if (s.has_manifest() && s.manifest.started_unix_ms() > 0) {
    s.time_unix_ms = s.manifest.started_unix_ms();
  } else if (std::optional<int64_t> t = ParseSetStamp(name)) {
    s.time_unix_ms = *t;
  } else {
    s.time_unix_ms = s.newest_mtime_ms;
  }
  if (s.state != SetState::kGood) s.in_use = SetDirLock::IsHeld(s.dir);
  return s;
}

void LinkChains(std::vector<CatalogSet>* sets) {
  // Good fulls by (database, checkpoint LSN); the newest wins if several share one.
  std::map<std::pair<std::string, std::string>, const CatalogSet*> fulls;
  for (const CatalogSet& s : *sets) {
    if (s.state != SetState::kGood || s.kind != SetKind::kFull) continue;
    if (s.manifest.checkpoint_lsn().empty()) continue;
    auto& slot = fulls[{s.database, s.manifest.checkpoint_lsn()}];
    if (!slot || slot->time_unix_ms < s.time_unix_ms) slot = &s;
  }
  std::map<std::pair<std::string, std::string>, std::vector<CatalogSet*>> logs;
  for (CatalogSet& s : *sets) {
    s.base.clear();
    s.log_position = 0;
    if (!s.has_manifest() || (s.kind != SetKind::kDiff && s.kind != SetKind::kLog)) continue;
    const std::string& lsn = s.manifest.database_backup_lsn();
    if (lsn.empty()) continue;
    auto it = fulls.find({s.database, lsn});
    if (it == fulls.end()) continue;
    s.base = it->second->name;
    if (s.kind == SetKind::kLog && s.state == SetState::kGood) {
      logs[{s.database, s.base}].push_back(&s);
    }
  }
  for (auto& [key, chain] : logs) {
    std::sort(chain.begin(), chain.end(), [](const CatalogSet* a, const CatalogSet* b) {
      int c = CompareLsn(a->manifest.first_lsn(), b->manifest.first_lsn());
      if (c == 0) c = CompareLsn(a->manifest.last_lsn(), b->manifest.last_lsn());
      return c != 0 ? c < 0 : a->name < b->name;
    });
    for (size_t i = 0; i < chain.size(); ++i) chain[i]->log_position = static_cast<uint32_t>(i + 1);
  }
}

Result<std::vector<std::string>> ListDatabases(const std::string& repo) {
  return ListRepoDirs(repo);
}

Result<RepoCatalog> ScanRepo(const std::string& repo, const std::string& database) {
  std::error_code ec;
  if (!fs::is_directory(repo, ec)) {
    return Status::Configuration("repository '" + repo + "' is not a directory");
  }
  RepoCatalog catalog;
  catalog.repo = repo;
  std::vector<std::string> databases;
  if (!database.empty()) {
    Result<std::string> dir = DatabaseDir(repo, database);
    if (dir.ok()) {
      databases.push_back(database);
    } else if (dir.status().code() != ErrorCode::kMissing) {
      return dir.status();
    }
  } else {
    VDIBK_ASSIGN_OR_RETURN(databases, ListDatabases(repo));
  }
  for (const std::string& db : databases) {
    VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> names, ListRepoDirs(repo + "/" + db));
    for (const std::string& name : names) catalog.sets.push_back(ScanSet(repo, db, name));
  }
  std::sort(catalog.sets.begin(), catalog.sets.end(), [](const CatalogSet& a, const CatalogSet& b) {
    if (a.database != b.database) return a.database < b.database;
    if (a.time_unix_ms != b.time_unix_ms) return a.time_unix_ms < b.time_unix_ms;
    return a.name < b.name;
  });
  LinkChains(&catalog.sets);
  return catalog;
}

}  // namespace vdibk::coordinator
