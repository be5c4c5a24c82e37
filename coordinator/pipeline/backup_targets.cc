// BackupTargets: target checks, set directory creation on every target, cleanup.
#include "coordinator/pipeline/backup_targets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <sstream>
#include <utility>

#include "coordinator/repo/repo_layout.h"
#include "shared/base/regular_file.h"
#include "shared/stripe/directory_target.h"

namespace vdibk::coordinator {
namespace {

constexpr size_t kMaxTargetsFileBytes = 1u << 20;

Result<std::pair<dev_t, ino_t>> DirIdentity(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Configuration(what + " '" + path + "' is not an existing directory");
  }
  return std::make_pair(st.st_dev, st.st_ino);
}

// The targets file: temp file, fsync, rename, fsync of the set directory.
Status WriteTargetsFile(const RepoStore& store, const std::string& database, const std::string& set,
                        const std::vector<std::string>& roots) {
  std::string text;
  for (const std::string& r : roots) text += r + "\n";
  const std::string set_dir = store.SetLocation(database, set);
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> dir, store.OpenSet(database, set));
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::WritableFile> f, dir->Create(kTargetsFileName));
  Status st = f->Append(text.data(), text.size());
  if (st.ok()) st = f->Commit();
  if (!st.ok()) f->Abort();
  return st.WithContext(set_dir + "/" + kTargetsFileName);
}

}  // namespace

std::vector<std::string> ReadTargetsFile(stripe::Target& set) {
  // A regular file only (Target::Open): a FIFO there would block the read forever.
  Result<std::unique_ptr<stripe::ReadableFile>> f = set.Open(kTargetsFileName);
  if (!f.ok()) return {};
  std::string text(kMaxTargetsFileBytes, '\0');
  size_t got = 0;
  while (got < text.size()) {
    Result<size_t> n = (*f)->ReadAt(got, text.data() + got, text.size() - got);
    if (!n.ok() || *n == 0) break;
    got += *n;
  }
  text.resize(got);
  std::vector<std::string> roots;
  std::istringstream in(text);
  std::string line;
  while (roots.size() < 4096 && std::getline(in, line)) {
    if (!line.empty()) roots.push_back(line);
  }
  return roots;
}

std::vector<std::string> ReadTargetsFile(const std::string& set_dir) {
  stripe::DirectoryTarget set(set_dir);
  return ReadTargetsFile(set);
}

Status CheckBackupRepo(const std::string& repo) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<RepoStore> store, OpenRepoStore(repo));
  if (!store->LocalRoot()) {
    return Status::Configuration("--repo " + repo +
                                 ": backups to an S3 repository are not wired yet (give a "
                                 "directory; list, verify and prune read S3 repositories)");
  }
  return Status::Ok();
}

Result<BackupTargets> BackupTargets::Create(const BackupSpec& options,
                                            const std::string& dir_name) {
  BackupTargets t;
  if (options.null_target) {
    t.discard_ = true;
    return t;
  }
  // Everything is checked before anything is created.
  VDIBK_RETURN_IF_ERROR(CheckBackupRepo(options.repo));
  VDIBK_ASSIGN_OR_RETURN(t.store_, OpenRepoStore(options.repo));
  t.database_ = options.database;
  std::optional<std::pair<dev_t, ino_t>> repo_id;
  if (std::optional<std::string> root = t.store_->LocalRoot()) {
    VDIBK_ASSIGN_OR_RETURN(repo_id, DirIdentity(*root, "repository"));
  } else {
    VDIBK_RETURN_IF_ERROR(t.store_->CheckRoot());
  }
  std::vector<std::pair<dev_t, ino_t>> ids;
  for (const std::string& root : options.targets) {
    VDIBK_ASSIGN_OR_RETURN(auto id, DirIdentity(root, "target"));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == id) {
        return Status::Usage("targets '" + options.targets[i] + "' and '" + root +
                             "' are the same directory");
      }
    }
    ids.push_back(id);
  }
  // The first free name (repo and every target), claimed by mkdir: concurrent backups of one
  // database never share a set directory, and a taken name is never an error.
  for (uint32_t attempt = 0; attempt < kMaxSetDirAttempts; ++attempt) {
    Result<bool> claimed = t.Claim(options, ids, repo_id, SetDirCandidate(dir_name, attempt));
    if (claimed.ok() && *claimed) return t;
    t.RemoveAll();
    t.slots_.clear();
    t.roots_.clear();
    if (!claimed.ok()) return claimed.status();
  }
  return Status::TargetIo("no free set directory name for " + options.database + "/" + dir_name +
                          ": it and its suffixes -02..-" + std::to_string(kMaxSetDirAttempts) +
                          " are all taken");
}

Result<bool> BackupTargets::Claim(const BackupSpec& options,
                                  const std::vector<std::pair<dev_t, ino_t>>& ids,
                                  std::optional<std::pair<dev_t, ino_t>> repo_id,
                                  const std::string& name) {
  VDIBK_ASSIGN_OR_RETURN(bool claimed, store_->TryCreateSet(options.database, name));
  if (!claimed) return false;
  set_name_ = name;
  set_dir_ = store_->SetLocation(options.database, name);
  if (options.targets.empty()) {
    slots_.push_back({"", set_dir_});
    return true;
  }
  roots_ = options.targets;
  for (size_t i = 0; i < options.targets.size(); ++i) {
    const std::string& root = options.targets[i];
    if (repo_id && ids[i] == *repo_id) {  // the repo itself: its set directory
      slots_.push_back({"", set_dir_});
      continue;
    }
    VDIBK_ASSIGN_OR_RETURN(std::optional<std::string> dir,
                           TryCreateSetDir(root, options.database, name));
    if (!dir) return false;  // taken on this target (another repo's backup): the next name
    created_.push_back(*dir);
    slots_.push_back({root, *dir});
  }
  std::vector<std::string> others;
  for (const Slot& s : slots_) {
    if (!s.root.empty()) others.push_back(s.root);
  }
  if (!others.empty()) {
    VDIBK_RETURN_IF_ERROR(WriteTargetsFile(*store_, options.database, name, others));
  }
  return true;
}

const std::string& BackupTargets::StripeDir(uint32_t index) const {
  static const std::string kNone;
  return slots_.empty() ? kNone : slots_[index % slots_.size()].dir;
}

const std::string& BackupTargets::Location(uint32_t index) const {
  static const std::string kNone;
  return slots_.empty() ? kNone : slots_[index % slots_.size()].root;
}

Result<std::unique_ptr<SetLease>> BackupTargets::AcquireLease() const {
  if (!store_ || set_name_.empty()) return Status::Configuration("no set to lease");
  return store_->AcquireLease(database_, set_name_);
}

void BackupTargets::RemoveAll() {
  if (store_ && !set_name_.empty()) store_->DiscardSet(database_, set_name_);
  set_name_.clear();
  for (const std::string& dir : created_) RemoveSetDir(dir);
  created_.clear();
}

}  // namespace vdibk::coordinator
