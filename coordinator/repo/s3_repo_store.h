// S3RepoStore: a repository in an S3 bucket, s3://BUCKET/PREFIX/<database>/<set>/<files>: sets
// claimed by a conditional PUT of `.claim`, hidden by a `.pruning` marker, leased by a `.lock`
// object with a heartbeat (s3_set_lease.h); a set's files are an S3Target on its prefix.
#ifndef VDIBK_COORDINATOR_REPO_S3_REPO_STORE_H_
#define VDIBK_COORDINATOR_REPO_S3_REPO_STORE_H_

#include <memory>
#include <string>

#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/s3_set_lease.h"
#include "shared/s3/s3_config.h"
#include "shared/s3/s3_location.h"
#include "shared/s3/s3_target.h"

namespace vdibk::coordinator {

// The marker objects inside a set (besides kS3LockObject). Dot names: never a stripe's.
inline constexpr char kS3ClaimObject[] = ".claim";
inline constexpr char kS3PruningMarker[] = ".pruning";

struct S3RepoStoreOptions {
  S3LeaseOptions lease;
  s3::S3TargetOptions target;  // of OpenSet's targets
};

// S3 has no directories, renames or locks, so:
// - a set exists while any object is under PREFIX/<db>/<set>/ (a database: any set); ListSets
//   lists the database's objects once (a set's markers are found in the same pass), databases
//   are the common prefixes of a "/"-delimited listing; dot names and keys directly under a
//   database are skipped.
// - TryCreateSet: false when any object is under the set's prefix, else PUT `.claim` with
//   If-None-Match: *. A server that ignores If-None-Match leaves a race between the listing and
//   the PUT: two backups of one database claiming the same name in that window. Names carry a
//   UTC stamp to the second and the type, and the caller moves to -02..-99 when one is taken, so
//   it needs two backups of one database and type started within the same second.
// - HideSet writes `.pruning`: the set leaves ListSets (and CheckSet says it is missing) and
//   ListHiddenSets names it; it stays at its prefix (OpenHiddenSet reads it there);
//   DeleteHiddenSet removes the marker last, so an interrupted delete stays hidden.
// - The lease is S3SetLease; IsInUse reads `.lock`: in use when its heartbeat is younger than
//   options.lease.grace (or cannot be read: prune leaves an unreadable lock's set alone).
// Thread-safe: requests use clients from a pool made by `clients` (one borrowed per call).
class S3RepoStore final : public RepoStore {
 public:
  // `root` prefix "" or ending in '/'.
  S3RepoStore(s3::S3Location root, s3::S3ClientFactory clients, S3RepoStoreOptions options = {});
  ~S3RepoStore() override;

  std::string Describe() const override;  // "s3://bucket/prefix"
  std::string SetLocation(const std::string& database, const std::string& set) const override;
  // OK when the prefix can be listed (an empty one is a new repository). Errors: the
  // listing's, with the repository named (kConfiguration: no bucket, no access).
  Status CheckRoot() const override;
  Result<std::vector<std::string>> ListDatabases() const override;
  Result<std::vector<std::string>> ListSets(const std::string& database) const override;
  Status CheckSet(const std::string& database, const std::string& set) const override;
  // Names are keys below the set's prefix (nested keys skipped), mtimes their LastModified.
  Result<SetListing> ListSetFiles(const std::string& database,
                                  const std::string& set) const override;
  Result<std::unique_ptr<stripe::Target>> OpenSet(const std::string& database,
                                                  const std::string& set) const override;
  Result<bool> TryCreateSet(const std::string& database, const std::string& set) const override;
  // Aborts the set's uploads and deletes its objects (CleanUpPrefix), best effort.
  void DiscardSet(const std::string& database, const std::string& set) const override;
  Status HideSet(const std::string& database, const std::string& set) const override;
  Result<std::vector<std::string>> ListHiddenSets(const std::string& database) const override;
  Result<std::unique_ptr<stripe::Target>> OpenHiddenSet(const std::string& database,
                                                        const std::string& set) const override;
  Status DeleteHiddenSet(const std::string& database, const std::string& set) const override;
  std::string HiddenSetLocation(const std::string& database, const std::string& set) const override;
  Result<std::unique_ptr<SetLease>> AcquireLease(const std::string& database,
                                                 const std::string& set) const override;
  Result<std::unique_ptr<SetLease>> TryAcquireLease(const std::string& database,
                                                    const std::string& set) const override;
  bool IsInUse(const std::string& database, const std::string& set) const override;

  const s3::S3Location& root() const { return root_; }

 private:
  class ClientPool;
  struct DatabaseScan;
  s3::S3Location SetPrefix(const std::string& database, const std::string& set) const;
  Result<DatabaseScan> ScanDatabase(const std::string& database) const;
  Result<std::vector<s3::ObjectSummary>> ListSetObjects(const std::string& database,
                                                        const std::string& set) const;

  s3::S3Location root_;
  s3::S3ClientFactory clients_;
  S3RepoStoreOptions options_;
  std::unique_ptr<ClientPool> pool_;
};

// The S3RepoStore of "s3://BUCKET[/PREFIX]" with clients made from `config` (CurlClientFactory).
// Nothing is contacted. Errors: kUsage (a bad bucket or prefix, S3Location::Parse).
Result<std::unique_ptr<RepoStore>> OpenS3RepoStore(const std::string& url,
                                                   const s3::S3Config& config,
                                                   S3RepoStoreOptions options = {});

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_S3_REPO_STORE_H_
