// RepoStore: the seam between the repository layer and where a repository lives (a local
// directory today: LocalRepoStore; an S3 bucket later). Catalog, restore plans, verify, prune,
// reconcile, promotion and the backup's set claim and lock reach the repository only through it.
#ifndef VDIBK_COORDINATOR_REPO_REPO_STORE_H_
#define VDIBK_COORDINATOR_REPO_REPO_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/s3/s3_config.h"
#include "shared/stripe/target.h"

namespace vdibk::coordinator {

// One entry of a set, as listed (nothing is opened).
struct SetFileInfo {
  std::string name;
  uint64_t size = 0;
  int64_t mtime_ms = 0;
};

// What a set holds: its entries by name (hidden ones such as the lock file included) and the
// newest modification time of the set and everything in it.
struct SetListing {
  std::vector<SetFileInfo> files;
  int64_t newest_mtime_ms = 0;
  bool Has(const std::string& name) const;
};

// A running backup's claim on its set: while it lives, RepoStore::IsInUse(db, set) is true for
// every process and prune, reconcile and verify leave the set alone. It never outlives its
// process's claim: local, an flock that dies with the process; S3, a lock object with
// owner, pid, host and heartbeat time that the lease refreshes itself, and one whose heartbeat is
// older than the store's grace period counts as free. Move-only through unique_ptr; the
// destructor releases the claim and removes the lock (file or object).
class SetLease {
 public:
  virtual ~SetLease() = default;
  // Releases without removing the lock file/object: the set is about to be removed anyway.
  virtual void KeepOnRelease() = 0;
};

// Thread-compatible: const methods only, a store is a handle that commands pass around. Names:
// `database` and `set` must be IsRepoComponent (repo_dirs.h) or the call is kUsage.
class RepoStore {
 public:
  virtual ~RepoStore() = default;

  // The repository as the user named it: "/backups", "s3://bucket/prefix".
  virtual std::string Describe() const = 0;
  // Where set `set` of `database` is, for messages and for the workers that read or write its
  // stripes: "REPO/<database>/<set>" (a local path; S3: "s3://bucket/prefix/<db>/<set>").
  virtual std::string SetLocation(const std::string& database, const std::string& set) const = 0;
  // The repository root as a local directory, when it is one (a --target equal to the repo keeps
  // its stripes in the set itself); nullopt for a remote store.
  virtual std::optional<std::string> LocalRoot() const { return std::nullopt; }

  // OK when the repository exists. Errors: kConfiguration ("repository 'X' is not a directory").
  virtual Status CheckRoot() const = 0;
  // The databases, sorted; hidden entries skipped. Errors: kConfiguration (a symlinked database
  // folder: never followed), kMissing (cannot be listed).
  virtual Result<std::vector<std::string>> ListDatabases() const = 0;
  // The sets of `database`, sorted by name; hidden entries (".pruning-*", dot files) and plain
  // files skipped. Errors: kUsage, kMissing ("no backups of database 'D' in REPO"),
  // kConfiguration (a symlinked database or set folder).
  virtual Result<std::vector<std::string>> ListSets(const std::string& database) const = 0;
  // OK when the set exists. Errors: kUsage, kMissing ("no backups of database ..." / naming the
  // set), kConfiguration (the set or its database folder is a symlink or not a directory).
  virtual Status CheckSet(const std::string& database, const std::string& set) const = 0;
  // The set's entries and newest mtime; opens no file. Errors: kMissing, kConfiguration.
  virtual Result<SetListing> ListSetFiles(const std::string& database,
                                          const std::string& set) const = 0;
  // The set's files (stripes, manifest, targets file), read and written: only regular files are
  // opened (a FIFO there is kMissing naming it, never blocks). Does not check the set exists.
  virtual Result<std::unique_ptr<stripe::Target>> OpenSet(const std::string& database,
                                                          const std::string& set) const = 0;

  // Claims the new set `set` (local: one mkdir 0750, the database folder as needed; S3: a
  // claim object written if absent). False, with nothing made, when the name is taken.
  // Errors: kUsage, kConfiguration (no repository, a symlinked database folder), kTargetIo.
  virtual Result<bool> TryCreateSet(const std::string& database, const std::string& set) const = 0;
  // Removes a set and everything in it at once, best effort (a failed backup's own set).
  virtual void DiscardSet(const std::string& database, const std::string& set) const = 0;

  // Prune's removal in two steps: HideSet takes the set out of ListSets at once (local: rename
  // to ".pruning-<set>"; a leftover of that name is finished first), then DeleteHiddenSet
  // removes everything. ListHiddenSets names the hidden sets of an interrupted prune (set names,
  // without the prefix; none when the database has no folder), OpenHiddenSet reads one
  // (manifest, targets file). Errors: kTargetIo, kConfiguration (a hidden entry that is a
  // symlink or not a directory).
  virtual Status HideSet(const std::string& database, const std::string& set) const = 0;
  virtual Result<std::vector<std::string>> ListHiddenSets(const std::string& database) const = 0;
  virtual Result<std::unique_ptr<stripe::Target>> OpenHiddenSet(const std::string& database,
                                                                const std::string& set) const = 0;
  virtual Status DeleteHiddenSet(const std::string& database, const std::string& set) const = 0;
  // Where a hidden set is, for messages ("REPO/<db>/.pruning-<set>").
  virtual std::string HiddenSetLocation(const std::string& database,
                                        const std::string& set) const = 0;

  // The running backup's lease on its new set, waiting while a brief IsInUse probe holds it.
  // Errors: kTargetIo, kMissing (a lock file that is not a regular file).
  virtual Result<std::unique_ptr<SetLease>> AcquireLease(const std::string& database,
                                                         const std::string& set) const = 0;
  // The lease if nobody holds it; nullptr when a live backup does (prune, before removing).
  virtual Result<std::unique_ptr<SetLease>> TryAcquireLease(const std::string& database,
                                                            const std::string& set) const = 0;
  // True when a live backup holds the set's lease (creates nothing).
  virtual bool IsInUse(const std::string& database, const std::string& set) const = 0;
};

// What a --repo argument names. "s3://BUCKET[/PREFIX]" is kS3 (bucket and prefix split, the
// prefix without leading or trailing '/'); anything else is a local path.
struct RepoLocation {
  enum class Kind { kLocal, kS3 };
  Kind kind = Kind::kLocal;
  std::string path;    // kLocal: as given
  std::string bucket;  // kS3
  std::string prefix;  // kS3: may be empty
};
// Errors: kUsage (empty argument, "s3://" without a bucket).
Result<RepoLocation> ParseRepoLocation(const std::string& repo_argument);

// The store of a --repo argument: LocalRepoStore for a path, S3RepoStore (s3_repo_store.h) for
// s3://BUCKET[/PREFIX] with the S3Config of LoadS3Config(flags) and the process environment
// (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_REGION, ...; the --s3-* flags once the CLI has them).
// Nothing is contacted or checked on disk here (CheckRoot does). Errors: kUsage (a bad
// argument, bucket or prefix), kConfiguration (S3: no credentials, a bad endpoint).
Result<std::unique_ptr<RepoStore>> OpenRepoStore(const std::string& repo_argument,
                                                 const s3::S3Flags& flags = {});
// The same with the S3 configuration given (a path is still a LocalRepoStore).
Result<std::unique_ptr<RepoStore>> OpenRepoStore(const std::string& repo_argument,
                                                 const s3::S3Config& config);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_REPO_STORE_H_
