// Repository scan: set classification by manifest, set times, and diff/log chain links by LSN.
#include "coordinator/repo/repo_catalog.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "coordinator/repo/local_repo_store.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {
namespace {

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

CatalogSet ScanSet(const RepoStore& store, const std::string& database, const std::string& name) {
  CatalogSet s;
  s.database = database;
  s.name = name;
  s.location = store.SetLocation(database, name);
  if (Result<SetListing> listing = store.ListSetFiles(database, name); listing.ok()) {
    s.newest_mtime_ms = listing->newest_mtime_ms;
  }
  Result<proto::Manifest> m = Status::Missing("no manifest");
  if (Result<std::unique_ptr<stripe::Target>> target = store.OpenSet(database, name); target.ok()) {
    m = stripe::ReadManifest(**target, stripe::kManifestFileName);
  } else {
    m = target.status();
  }
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
  if (s.state != SetState::kGood) s.in_use = store.IsInUse(database, name);
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

Result<std::vector<std::string>> ListDatabases(const RepoStore& store) {
  return store.ListDatabases();
}

Result<std::vector<std::string>> ListDatabases(const std::string& repo) {
  return ListDatabases(LocalRepoStore(repo));
}

Result<RepoCatalog> ScanRepo(const std::string& repo, const std::string& database) {
  return ScanRepo(LocalRepoStore(repo), database);
}

Result<RepoCatalog> ScanRepo(const RepoStore& store, const std::string& database) {
  VDIBK_RETURN_IF_ERROR(store.CheckRoot());
  RepoCatalog catalog;
  catalog.repo = store.Describe();
  std::vector<std::string> databases;
  if (!database.empty()) {
    Result<std::vector<std::string>> names = store.ListSets(database);
    if (names.ok()) {
      for (const std::string& name : *names) catalog.sets.push_back(ScanSet(store, database, name));
    } else if (names.status().code() != ErrorCode::kMissing) {
      return names.status();
    }
  } else {
    VDIBK_ASSIGN_OR_RETURN(databases, store.ListDatabases());
  }
  for (const std::string& db : databases) {
    VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> names, store.ListSets(db));
    for (const std::string& name : names) catalog.sets.push_back(ScanSet(store, db, name));
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
