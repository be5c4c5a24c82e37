// LocalRepoStore: a repository that is a local (or NFS) directory, REPO/<database>/<set>/, read
// under the one rule of repo_dirs.h (no symlinked folders, FIFOs never opened, hidden entries
// skipped), sets claimed by mkdir (repo_layout.h) and leased by flock (set_lock.h).
#ifndef VDIBK_COORDINATOR_REPO_LOCAL_REPO_STORE_H_
#define VDIBK_COORDINATOR_REPO_LOCAL_REPO_STORE_H_

#include <string>

#include "coordinator/repo/repo_store.h"

namespace vdibk::coordinator {

// The name prefix of a set that prune has hidden and not yet deleted.
inline constexpr const char* kHiddenSetPrefix = ".pruning-";

class LocalRepoStore final : public RepoStore {
 public:
  // `root` need not exist yet (CheckRoot says); it may be a symlink to a directory.
  explicit LocalRepoStore(std::string root) : root_(std::move(root)) {}

  std::string Describe() const override { return root_; }
  std::string SetLocation(const std::string& database, const std::string& set) const override;
  std::optional<std::string> LocalRoot() const override { return root_; }
  Status CheckRoot() const override;
  Result<std::vector<std::string>> ListDatabases() const override;
  Result<std::vector<std::string>> ListSets(const std::string& database) const override;
  Status CheckSet(const std::string& database, const std::string& set) const override;
  Result<SetListing> ListSetFiles(const std::string& database,
                                  const std::string& set) const override;
  Result<std::unique_ptr<stripe::Target>> OpenSet(const std::string& database,
                                                  const std::string& set) const override;
  Result<bool> TryCreateSet(const std::string& database, const std::string& set) const override;
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

 private:
  std::string root_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_REPO_LOCAL_REPO_STORE_H_
