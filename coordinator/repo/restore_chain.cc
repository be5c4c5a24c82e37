// Restore chain selection from manifests: listing the complete sets and planning the chain.
#include "coordinator/repo/restore_chain.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "coordinator/repo/local_repo_store.h"
#include "coordinator/repo/repo_catalog.h"  // CompareLsn
#include "coordinator/repo/repo_layout.h"
#include "shared/base/log.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {
namespace {

bool IsFull(const ChainSet& s) { return s.manifest.backup_type() == proto::BACKUP_TYPE_FULL; }
bool IsDiff(const ChainSet& s) { return s.manifest.backup_type() == proto::BACKUP_TYPE_DIFF; }
bool IsLog(const ChainSet& s) { return s.manifest.backup_type() == proto::BACKUP_TYPE_LOG; }

std::string Lsn(const std::string& v) { return v.empty() ? "(none)" : v; }

std::string Describe(const ChainSet& s) {
  return std::string(ChainSetTypeName(s.manifest)) + " backup " + s.name;
}

bool HasLsns(const proto::Manifest& m) {
  return !m.first_lsn().empty() && !m.last_lsn().empty() && !m.checkpoint_lsn().empty();
}

}  // namespace

std::vector<ChainBlocker> BlockersAfter(const std::vector<ChainSet>& chain,
                                        const std::vector<ChainBlocker>& blockers,
                                        std::optional<int64_t> until_unix_ms) {
  std::vector<ChainBlocker> out;
  const int64_t from = chain.empty() ? INT64_MIN : chain.front().manifest.started_unix_ms();
  for (const ChainBlocker& b : blockers) {
    if (b.time_unix_ms < from) continue;
    if (until_unix_ms && b.time_unix_ms > *until_unix_ms) continue;
    out.push_back(b);
  }
  std::sort(out.begin(), out.end(), [](const ChainBlocker& a, const ChainBlocker& b) {
    return a.time_unix_ms != b.time_unix_ms ? a.time_unix_ms < b.time_unix_ms : a.name < b.name;
  });
  return out;
}

std::string DescribeBlockers(const std::vector<ChainBlocker>& blockers) {
  std::string out;
  for (const ChainBlocker& b : blockers) {
    out += (out.empty() ? "" : "; ") + b.state + " " + b.kind + " backup " + b.name + " (" +
           b.problem + ")";
  }
  return out;
}

const char* ChainSetTypeName(const proto::Manifest& m) {
  switch (m.backup_type()) {
    case proto::BACKUP_TYPE_DIFF:
      return "diff";
    case proto::BACKUP_TYPE_LOG:
      return "log";
    default:
      return "full";
  }
}

Result<std::vector<ChainSet>> ListChainSets(const RepoStore& store, const std::string& database,
                                            std::vector<ChainBlocker>* blockers) {
  // The one repository rule (repo_dirs.h): a symlinked database or set folder is refused.
  VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> names, store.ListSets(database));
  std::vector<ChainSet> out;
  for (const std::string& name : names) {
    const std::string location = store.SetLocation(database, name);
    VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> target, store.OpenSet(database, name));
    Result<proto::Manifest> m = stripe::ReadManifest(*target, stripe::kManifestFileName);
    // No manifest at all is a failed backup; one that cannot be read (a FIFO, a directory in its
    // place) is a corrupt set below.
    if (!m.ok() && m.status().code() == ErrorCode::kMissing) {
      Result<SetListing> listing = store.ListSetFiles(database, name);
      if (listing.ok() && !listing->Has(stripe::kManifestFileName)) continue;
    }
    if (m.ok() && m->database() != database) continue;
    if (!m.ok() || m->state() != proto::MANIFEST_STATE_COMPLETE) {
      const CatalogSet scanned = ScanSet(store, database, name);
      if (scanned.in_use) continue;  // a backup still running: not yet anything to miss
      ChainBlocker b;
      b.name = name;
      b.location = location;
      b.state = m.ok() ? "unconfirmed" : "corrupt";
      b.kind = m.ok() ? ChainSetTypeName(*m) : SetKindName(scanned.kind);
      b.time_unix_ms = scanned.time_unix_ms;
      b.problem = m.ok() ? "manifest PENDING: the server's verdict was never recorded; run "
                           "`vdibackup reconcile`"
                         : m.status().message();
      if (blockers) blockers->push_back(std::move(b));
      continue;
    }
    out.push_back({name, location, std::move(m).value()});
  }
  return out;
}

Result<std::vector<ChainSet>> ListChainSets(const std::string& repo, const std::string& database,
                                            std::vector<ChainBlocker>* blockers) {
  return ListChainSets(LocalRepoStore(repo), database, blockers);
}

Result<std::vector<ChainSet>> PlanRestoreChain(std::vector<ChainSet> sets,
                                               std::optional<int64_t> until_unix_ms,
                                               std::string* gap) {
  if (gap) gap->clear();
  if (until_unix_ms) {
    std::erase_if(sets,
                  [&](const ChainSet& s) { return s.manifest.started_unix_ms() > *until_unix_ms; });
  }
  std::sort(sets.begin(), sets.end(), [](const ChainSet& a, const ChainSet& b) {
    if (a.manifest.started_unix_ms() != b.manifest.started_unix_ms()) {
      return a.manifest.started_unix_ms() < b.manifest.started_unix_ms();
    }
    return a.name < b.name;
  });
  const std::string when =
      until_unix_ms ? " started at or before " + UtcStamp(std::chrono::system_clock::time_point(
                                                     std::chrono::milliseconds(*until_unix_ms)))
                    : "";
  // 1. The start: the newest full or differential.
  auto start = std::find_if(sets.rbegin(), sets.rend(),
                            [](const ChainSet& s) { return IsFull(s) || IsDiff(s); });
  if (start == sets.rend()) {
    return Status::Missing("no full backup set" + when + " to start a restore from" +
                           (sets.empty()
                                ? std::string()
                                : " (only log backups, the newest " + sets.back().name + ")"));
  }
  std::vector<ChainSet> chain;
  const ChainSet& top = *start;
  if (IsDiff(top)) {
    const std::string& base_lsn = top.manifest.database_backup_lsn();
    auto full = std::find_if(std::next(start), sets.rend(), [&](const ChainSet& s) {
      return IsFull(s) && !s.manifest.copy_only() && !base_lsn.empty() &&
             s.manifest.checkpoint_lsn() == base_lsn;
    });
    if (full == sets.rend()) {
      return Status::Missing(Describe(top) + " needs the full backup whose checkpoint LSN is " +
                             Lsn(base_lsn) + ", which is not in the repository" + when);
    }
    chain.push_back(*full);
  }
  chain.push_back(top);
  const int64_t full_start = chain.front().manifest.started_unix_ms();

  // 2. The log backups after the start.
  std::vector<ChainSet> logs;
  for (const ChainSet& s : sets) {
    if (IsLog(s) && !s.manifest.copy_only() && s.manifest.started_unix_ms() >= full_start &&
        s.name != top.name) {
      logs.push_back(s);
    }
  }
  if (!HasLsns(top.manifest)) {
    if (!logs.empty()) {
      return Status::Missing(Describe(top) +
                             " has no LSNs (written before vdibackup recorded "
                             "them): the log backups after it, from " +
                             logs.front().name + ", cannot be chained to it");
    }
    return chain;
  }
  for (const ChainSet& l : logs) {
    if (!HasLsns(l.manifest)) {
      return Status::Missing(Describe(l) + " has no LSNs: it cannot be placed in the chain");
    }
  }
  std::sort(logs.begin(), logs.end(), [](const ChainSet& a, const ChainSet& b) {
    int c = CompareLsn(a.manifest.first_lsn(), b.manifest.first_lsn());
    if (c != 0) return c < 0;
    return CompareLsn(a.manifest.last_lsn(), b.manifest.last_lsn()) < 0;
  });
  std::string at = top.manifest.last_lsn();  // the LSN the database is restored to
  for (const ChainSet& l : logs) {
    if (CompareLsn(l.manifest.last_lsn(), at) <= 0) continue;  // covered already
    if (CompareLsn(l.manifest.first_lsn(), at) > 0) {
      std::string msg = "gap in the log chain: " + Describe(l) + " begins at LSN " +
                        l.manifest.first_lsn() + " but " + Describe(chain.back()) +
                        " ends at LSN " + at + "; the log backups in between are missing";
      const std::string& base = l.manifest.database_backup_lsn();
      const bool base_here = std::any_of(sets.begin(), sets.end(), [&](const ChainSet& s) {
        return IsFull(s) && !base.empty() && s.manifest.checkpoint_lsn() == base;
      });
      if (!base.empty() && !base_here) {
        msg += " (and its base full backup, checkpoint LSN " + base + ", is not in the repository)";
      }
      if (gap) {
        *gap = msg;
        return chain;
      }
      return Status::Missing(msg);
    }
    chain.push_back(l);
    at = l.manifest.last_lsn();
  }
  return chain;
}

}  // namespace vdibk::coordinator
