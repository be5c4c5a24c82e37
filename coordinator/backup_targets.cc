// BackupTargets: target checks, set directory creation on every target, cleanup.
#include "coordinator/backup_targets.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "coordinator/repo_layout.h"
#include "shared/stripe/directory_target.h"

namespace vdibk::coordinator {
namespace {

Result<std::pair<dev_t, ino_t>> DirIdentity(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Configuration(what + " '" + path + "' is not an existing directory");
  }
  return std::make_pair(st.st_dev, st.st_ino);
}

// The targets file: temp file, fsync, rename, fsync of the set directory.
Status WriteTargetsFile(const std::string& set_dir, const std::vector<std::string>& roots) {
  std::string text;
  for (const std::string& r : roots) text += r + "\n";
  stripe::DirectoryTarget dir(set_dir);
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::WritableFile> f, dir.Create(kTargetsFileName));
  Status st = f->Append(text.data(), text.size());
  if (st.ok()) st = f->Commit();
  if (!st.ok()) f->Abort();
  return st.WithContext(set_dir + "/" + kTargetsFileName);
}

}  // namespace

std::vector<std::string> ReadTargetsFile(const std::string& set_dir) {
  std::ifstream in(set_dir + "/" + kTargetsFileName);
  std::vector<std::string> roots;
  std::string line;
  while (roots.size() < 4096 && std::getline(in, line)) {
    if (!line.empty()) roots.push_back(line);
  }
  return roots;
}

Result<BackupTargets> BackupTargets::Create(const BackupOptions& options,
                                            const std::string& dir_name) {
  BackupTargets t;
  if (options.null_target) {
    t.discard_ = true;
    return t;
  }
  // Everything is checked before anything is created.
  VDIBK_ASSIGN_OR_RETURN(auto repo_id, DirIdentity(options.repo, "repository"));
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
  Status st = [&]() -> Status {
    VDIBK_ASSIGN_OR_RETURN(t.set_dir_, CreateSetDir(options.repo, options.database, dir_name));
    t.created_.push_back(t.set_dir_);
    if (options.targets.empty()) {
      t.slots_.push_back({"", t.set_dir_});
      return Status::Ok();
    }
    t.roots_ = options.targets;
    for (size_t i = 0; i < options.targets.size(); ++i) {
      const std::string& root = options.targets[i];
      if (ids[i] == repo_id) {  // the repo itself: its set directory
        t.slots_.push_back({"", t.set_dir_});
        continue;
      }
      VDIBK_ASSIGN_OR_RETURN(std::string dir, CreateSetDir(root, options.database, dir_name));
      t.created_.push_back(dir);
      t.slots_.push_back({root, dir});
    }
    std::vector<std::string> others;
    for (const Slot& s : t.slots_) {
      if (!s.root.empty()) others.push_back(s.root);
    }
    if (!others.empty()) VDIBK_RETURN_IF_ERROR(WriteTargetsFile(t.set_dir_, others));
    return Status::Ok();
  }();
  if (!st.ok()) {
    t.RemoveAll();
    return st;
  }
  return t;
}

const std::string& BackupTargets::StripeDir(uint32_t index) const {
  static const std::string kNone;
  return slots_.empty() ? kNone : slots_[index % slots_.size()].dir;
}

const std::string& BackupTargets::Location(uint32_t index) const {
  static const std::string kNone;
  return slots_.empty() ? kNone : slots_[index % slots_.size()].root;
}

void BackupTargets::RemoveAll() {
  for (const std::string& dir : created_) RemoveSetDir(dir);
  created_.clear();
}

}  // namespace vdibk::coordinator
