// BackupTargets: where the stripes of one backup go. No --target: the set directory in the repo
// (REPO/<db>/<set>/); --target DIR...: TARGET/<db>/<set>/ on each target, stripe i on target
// i mod T, the manifest still in the repo set directory; --target null: nowhere (no directory).
#ifndef VDIBK_COORDINATOR_PIPELINE_BACKUP_TARGETS_H_
#define VDIBK_COORDINATOR_PIPELINE_BACKUP_TARGETS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/pipeline/backup_spec.h"
#include "coordinator/repo/repo_store.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// With stripes on other --target roots, the repo set directory holds this file: those roots, one
// per line, written durably before any stripe, so that prune finds the stripes of a backup that
// was killed before it wrote its manifest.
inline constexpr char kTargetsFileName[] = "targets";
// The roots listed by a set's targets file (its first MiB); empty when it has none, cannot be
// read or is not a regular file (a FIFO there is never read).
std::vector<std::string> ReadTargetsFile(stripe::Target& set);
std::vector<std::string> ReadTargetsFile(const std::string& set_dir);  // a local set directory

// A backup's --repo, before anything runs: OpenRepoStore's errors, and kConfiguration for an
// s3:// repository (the S3 store lists, verifies and prunes; the backup's S3 write path and
// the workers' S3 targets are not wired yet).
Status CheckBackupRepo(const std::string& repo);

// Move-only; not thread-safe. Nothing is removed implicitly: the job calls RemoveAll on failure.
class BackupTargets {
 public:
  // Opens the repository (CheckBackupRepo: an s3:// repo is kConfiguration for now), checks that
  // it and every target is an existing directory (kConfiguration otherwise) and that no target
  // is the same directory as another (kUsage), then claims the set in the repo
  // (RepoStore::TryCreateSet) and creates its directory on every target (fsync of each database
  // folder), and the targets file (kTargetsFileName) when a target is not the repo. A target that
  // is the repo itself holds its stripes in the repo set directory. The set directory's name is the
  // first of `dir_name`, `dir_name`-02, ..., `dir_name`-99 (SetDirCandidate) that is free in the
  // repo and on every target, claimed by mkdir (atomic: concurrent backups get distinct names; one
  // taken on a target too moves every directory to the next name). Creates nothing for a null
  // target. On error, whatever was created is removed. Errors: kConfiguration (also a symlinked
  // database folder, repo_dirs.h), kUsage, kTargetIo (mkdir, all 99 names taken).
  static Result<BackupTargets> Create(const BackupSpec& options, const std::string& dir_name);
  BackupTargets(BackupTargets&&) noexcept = default;
  BackupTargets& operator=(BackupTargets&&) noexcept = default;

  bool discard() const { return discard_; }                  // --target null
  const std::string& set_dir() const { return set_dir_; }    // the repo set dir; "" if discard
  const std::string& set_name() const { return set_name_; }  // "" if discard
  // The repository (null if discard).
  const RepoStore* store() const { return store_.get(); }
  // The running backup's lease on its set (RepoStore::AcquireLease); hold it for the whole run.
  // Errors: kConfiguration (discard: no set), as AcquireLease.
  Result<std::unique_ptr<SetLease>> AcquireLease() const;
  // Directory of device `index`'s stripe ("" if discard).
  const std::string& StripeDir(uint32_t index) const;
  // The manifest location of device `index`'s stripe: "" = the set dir, else the target root.
  const std::string& Location(uint32_t index) const;
  // The target roots as given (absolute); empty without --target.
  const std::vector<std::string>& roots() const { return roots_; }
  // Removes the set claimed in the repo (RepoStore::DiscardSet) and every set directory created
  // on a target (best effort, parent folders fsync'd). Idempotent.
  void RemoveAll();

 private:
  BackupTargets() = default;
  // Creates set directory `name` in the repo and on every target; false (with what it made left
  // in created_ for RemoveAll) when the name is taken somewhere.
  Result<bool> Claim(const BackupSpec& options, const std::vector<std::pair<dev_t, ino_t>>& ids,
                     std::optional<std::pair<dev_t, ino_t>> repo_id, const std::string& name);
  struct Slot {
    std::string root;  // target root as given, "" = the repo set dir
    std::string dir;   // the set directory on it
  };
  bool discard_ = false;
  std::unique_ptr<RepoStore> store_;
  std::string database_;
  std::string set_name_;  // claimed in the repo; "" until then and after RemoveAll
  std::string set_dir_;
  std::vector<std::string> roots_;
  std::vector<Slot> slots_;           // one per target (one slot for the repo without --target)
  std::vector<std::string> created_;  // target set directories to remove on failure
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_PIPELINE_BACKUP_TARGETS_H_
