// Restore set selection (latest COMPLETE) and pre-flight validation of manifest and stripes.
#include "coordinator/repo/restore_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "coordinator/repo/local_repo_store.h"
#include "coordinator/repo/repo_dirs.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"
#include "shared/stripe/stripe_format.h"
#include "shared/stripe/stripe_reader.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

bool IsPowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

Status CheckManifest(const proto::Manifest& m, const std::string& database,
                     const std::string& where) {
  if (m.state() != proto::MANIFEST_STATE_COMPLETE) {
    return Status::Missing(where + " is not a complete backup set (manifest state " +
                           proto::ManifestState_Name(m.state()) + ")");
  }
  if (m.database() != database) {
    return Status::Missing(where + " is a backup of database '" + m.database() + "', not '" +
                           database + "'");
  }
  if (m.set_id().size() != 16) return Status::Integrity(where + ": set id is not 16 bytes");
  if (m.device_count() == 0 || m.device_count() > 64 ||
      static_cast<uint32_t>(m.stripes_size()) != m.device_count()) {
    return Status::Integrity(where + ": " + std::to_string(m.stripes_size()) +
                             " stripes listed for " + std::to_string(m.device_count()) +
                             " devices");
  }
  for (int i = 0; i < m.stripes_size(); ++i) {
    const proto::StripeEntry& s = m.stripes(i);
    if (s.index() != static_cast<uint32_t>(i) || !IsRepoComponent(s.file_name()) ||
        (!s.location().empty() && !IsSafeLocation(s.location()))) {
      return Status::Integrity(where + ": stripe entry " + std::to_string(i) + " is invalid");
    }
  }
  const uint32_t bs = m.vdi().block_size();
  if (!IsPowerOfTwo(bs) || bs < 512 || bs > 65536) {
    return Status::Integrity(where + ": invalid block size " + std::to_string(bs));
  }
  const uint32_t mts = m.vdi().max_transfer_size();
  if (mts == 0 || mts % 65536 != 0 || mts > (4u << 20)) {
    return Status::Integrity(where + ": invalid max transfer size " + std::to_string(mts));
  }
  return Status::Ok();
}

}  // namespace

bool IsSafeLocation(const std::string& location) {
  if (location.empty() || location[0] != '/' || location.find('\0') != std::string::npos) {
    return false;
  }
  for (const fs::path& part : fs::path(location)) {
    if (part == "..") return false;
  }
  return true;
}

std::string StripeDirOf(const std::string& set_dir, const std::string& database,
                        const proto::StripeEntry& entry) {
  if (entry.location().empty()) return set_dir;
  return entry.location() + "/" + database + "/" + fs::path(set_dir).filename().string();
}

uint64_t RestorePlan::raw_bytes() const {
  uint64_t n = 0;
  for (const proto::StripeEntry& s : manifest.stripes()) n += s.raw_bytes();
  return n;
}

Result<std::string> FindSet(const RepoStore& store, const std::string& database,
                            const std::string& set) {
  if (set != "latest") {
    // The database first (kMissing "no backups of database ..."), then the set name.
    if (Status st = store.CheckSet(database, set);
        !st.ok() && st.code() == ErrorCode::kUsage && IsRepoComponent(database)) {
      return Status::Usage("--set '" + set + "' is not a set name");
    } else if (!st.ok()) {
      return st;
    }
    return set;
  }
  VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> names, store.ListSets(database));
  std::sort(names.rbegin(), names.rend());  // UTC stamps: newest first
  for (const std::string& name : names) {
    VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> target, store.OpenSet(database, name));
    Result<proto::Manifest> m = stripe::ReadManifest(*target, stripe::kManifestFileName);
    if (!m.ok() && m.status().code() == ErrorCode::kMissing) continue;  // in progress/garbage
    if (!m.ok()) {
      return m.status().WithContext(store.SetLocation(database, name) + "/" +
                                    stripe::kManifestFileName);
    }
    if (m->state() == proto::MANIFEST_STATE_COMPLETE) return name;
  }
  return Status::Missing("no complete backup set of database '" + database + "' in " +
                         store.Describe());
}

Result<std::string> FindSetDir(const std::string& repo, const std::string& database,
                               const std::string& set) {
  LocalRepoStore store(repo);
  VDIBK_ASSIGN_OR_RETURN(std::string name, FindSet(store, database, set));
  return store.SetLocation(database, name);
}

namespace {

// LoadRestoreSet of set `set` in database folder `folder` of `store`, whose manifest must be of
// `database`.
Result<RestorePlan> LoadPlan(const RepoStore& store, const std::string& folder,
                             const std::string& set, const std::string& database) {
  // No symlinked database or set folder (anything missing is reported by the manifest's open).
  if (Status st = store.CheckSet(folder, set); st.code() == ErrorCode::kConfiguration) return st;
  RestorePlan plan;
  plan.set_dir = store.SetLocation(folder, set);
  plan.set_name = set;
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> target, store.OpenSet(folder, set));
  const std::string manifest_path = plan.set_dir + "/" + stripe::kManifestFileName;
  Result<proto::Manifest> m = stripe::ReadManifest(*target, stripe::kManifestFileName);
  if (!m.ok()) return m.status().WithContext(manifest_path);
  plan.manifest = std::move(m).value();
  VDIBK_RETURN_IF_ERROR(CheckManifest(plan.manifest, database, manifest_path));
  plan.block_size = plan.manifest.vdi().block_size();
  plan.max_transfer_size = plan.manifest.vdi().max_transfer_size();

  stripe::SetId set_id{};
  std::copy(plan.manifest.set_id().begin(), plan.manifest.set_id().end(), set_id.begin());
  const uint32_t count = plan.manifest.device_count();
  std::set<std::string> in_set;                         // stripe files in the set itself
  std::map<std::string, std::set<std::string>> listed;  // target directory -> stripe files
  for (const proto::StripeEntry& e : plan.manifest.stripes()) {
    const std::string dir = StripeDirOf(plan.set_dir, database, e);
    // A --target's set folder: the repository's rule (prune leaves a symlink there alone too).
    if (Status st = e.location().empty() ? Status::Ok() : CheckSetDirPath(dir);
        st.code() == ErrorCode::kConfiguration) {
      return st;
    }
    const std::string path = dir + "/" + e.file_name();
    stripe::StripeExpectation expect;
    expect.set_id = set_id;
    expect.device_index = e.index();
    expect.device_count = count;
    stripe::DirectoryTarget dir_target(dir);
    stripe::Target& stripe_target = e.location().empty() ? *target : dir_target;
    Result<stripe::StripeReader> r =
        stripe::StripeReader::Open(stripe_target, e.file_name(), expect);
    // The reader refused any format version but its own (kIntegrity).
    if (!r.ok()) return r.status().WithContext("stripe " + path);
    if (r->trailer().raw_bytes != e.raw_bytes() ||
        (!e.raw_digest().empty() &&
         stripe::DigestBytes(r->trailer().raw_xxh64) != e.raw_digest())) {
      return Status::Integrity("stripe " + path + ": trailer disagrees with the manifest");
    }
    (e.location().empty() ? in_set : listed[dir]).insert(e.file_name());
    plan.stripe_files.push_back(e.file_name());
    plan.stripe_dirs.push_back(dir);
  }
  // The set and each target's directory holding stripes of it must hold only the listed ones.
  VDIBK_ASSIGN_OR_RETURN(SetListing listing, store.ListSetFiles(folder, set));
  for (const SetFileInfo& f : listing.files) {
    if (f.name.rfind("stripe-", 0) == 0 && !in_set.count(f.name)) {
      return Status::Missing("extra stripe " + plan.set_dir + "/" + f.name +
                             " is not listed in the manifest");
    }
  }
  for (const auto& [dir, names] : listed) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("stripe-", 0) == 0 && !names.count(name)) {
        return Status::Missing("extra stripe " + dir + "/" + name +
                               " is not listed in the manifest");
      }
    }
    if (ec) return Status::FromErrno(ErrorCode::kMissing, "list " + dir, ec.value());
  }
  return plan;
}

}  // namespace

Result<RestorePlan> LoadRestoreSet(const RepoStore& store, const std::string& database,
                                   const std::string& set) {
  return LoadPlan(store, database, set, database);
}

Result<RestorePlan> LoadRestoreSet(const std::string& set_dir, const std::string& database) {
  const fs::path dir = fs::path(set_dir).lexically_normal();
  const fs::path p = dir.has_filename() ? dir : dir.parent_path();
  return LoadPlan(LocalRepoStore(p.parent_path().parent_path().string()),
                  p.parent_path().filename().string(), p.filename().string(), database);
}

Result<std::unique_ptr<stripe::Target>> OpenStripeTarget(const RepoStore& store,
                                                         const RestorePlan& plan, size_t i) {
  if (plan.manifest.stripes(static_cast<int>(i)).location().empty()) {
    return store.OpenSet(plan.manifest.database(), plan.set_name);
  }
  return std::unique_ptr<stripe::Target>(
      std::make_unique<stripe::DirectoryTarget>(plan.stripe_dirs[i]));
}

}  // namespace vdibk::coordinator
