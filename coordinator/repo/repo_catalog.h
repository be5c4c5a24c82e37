// RepoCatalog: what a repository holds. Scans every set of a RepoStore, classifies each set
// by its manifest (good, unconfirmed, garbage, corrupt) and links differential and log
// backups to the full backup they depend on. Used by `vdibackup list`, `verify --all`, `prune`.
#ifndef VDIBK_COORDINATOR_REPO_REPO_CATALOG_H_
#define VDIBK_COORDINATOR_REPO_REPO_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/repo/repo_store.h"
#include "proto/manifest.pb.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

enum class SetState {
  kGood,         // manifest COMPLETE
  kUnconfirmed,  // manifest PENDING (stripes durable, T-SQL result unknown)
  kGarbage,      // no manifest: failed, abandoned or still running backup
  kCorrupt,      // the manifest fails its checksum or cannot be read
};
enum class SetKind { kUnknown, kFull, kDiff, kLog };
// What the server's backup history says of an unconfirmed set (filled by reconcile, not by the
// scan): unknown until asked.
enum class SetHistory { kUnknown, kRecorded, kNotRecorded };

const char* SetStateName(SetState s);  // "good", "unconfirmed", "garbage", "corrupt"
const char* SetKindName(SetKind k);    // "full", "diff", "log", "unknown"

struct CatalogSet {
  std::string database;
  std::string name;      // the set name (directory name): the set id on the command line
  std::string location;  // RepoStore::SetLocation: REPO/<database>/<name> for a local repo
  SetState state = SetState::kGarbage;
  std::string problem;       // kCorrupt: why the manifest could not be used
  proto::Manifest manifest;  // kGood and kUnconfirmed only
  // From the manifest, else the name's "_full"/"_diff"/"_log" suffix (before any "-NN").
  SetKind kind = SetKind::kUnknown;
  int64_t time_unix_ms = 0;     // manifest start, else the name's UTC stamp, else newest_mtime_ms
  int64_t newest_mtime_ms = 0;  // newest mtime of the set and the files in it (RepoStore listing)
  bool in_use = false;          // a running backup holds the set's lock (not checked for kGood)
  SetHistory history = SetHistory::kUnknown;  // kUnconfirmed: the server's history, once asked
  // diff/log with a manifest: the good full whose checkpoint_lsn equals its database_backup_lsn
  // (empty: no such full in the repository).
  std::string base;
  uint32_t log_position = 0;  // good log: 1-based rank among the logs of `base` by first/last LSN

  bool has_manifest() const { return state == SetState::kGood || state == SetState::kUnconfirmed; }
  bool copy_only() const { return has_manifest() && manifest.copy_only(); }
  uint64_t raw_bytes() const;         // sum over the manifest's stripes (0 without one)
  uint64_t compressed_bytes() const;  // sum of the stripe file sizes in the manifest
};

struct RepoCatalog {
  std::string repo;              // RepoStore::Describe()
  std::vector<CatalogSet> sets;  // by database, then time, then name (oldest first)
};

// Scans `store` (one database if `database` is not empty). Hidden entries (".pruning-*", dot
// files) and plain files are ignored; a database without a folder gives no sets. Reads only
// manifests and set listings. Errors: kConfiguration (RepoStore::CheckRoot; a database or set
// folder that is a symlink, repo_dirs.h), kUsage (database is not a safe folder name).
Result<RepoCatalog> ScanRepo(const RepoStore& store, const std::string& database = "");
// ScanRepo of the local repository directory `repo` (LocalRepoStore).
Result<RepoCatalog> ScanRepo(const std::string& repo, const std::string& database = "");

// The databases of `store` (sorted; hidden entries skipped). Errors: as
// RepoStore::ListDatabases: kConfiguration for a symlinked database folder.
Result<std::vector<std::string>> ListDatabases(const RepoStore& store);
Result<std::vector<std::string>> ListDatabases(const std::string& repo);  // LocalRepoStore

// Classifies one set (everything but the chain fields).
CatalogSet ScanSet(const RepoStore& store, const std::string& database, const std::string& name);

// Fills `base` and `log_position` of every set, per database. Exposed for tests.
void LinkChains(std::vector<CatalogSet>* sets);

// Orders decimal LSN strings numerically (they can exceed 64 bits; leading zeros do not count,
// "" is 0): <0, 0, >0. The one LSN order of the catalog and of restore chains (restore_chain.h).
int CompareLsn(const std::string& a, const std::string& b);
// "20240131T235959Z..." -> unix ms of that UTC time; nullopt if the name has no such prefix.
std::optional<int64_t> ParseSetStamp(const std::string& name);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_REPO_CATALOG_H_
