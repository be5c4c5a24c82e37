// Prune on other --target roots: listing the set's target directories and removing their stripes.
#include "coordinator/repo/prune_targets.h"

#include <filesystem>
#include <set>

#include "coordinator/repo/restore_plan.h"
#include "shared/stripe/directory_target.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

// Removes the stripes of one directory, then the directory if nothing else is in it.
Status RemoveOne(const TargetSetDir& t, const std::string& database, const std::string& set_name,
                 std::string* report) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(t.dir, ec);
  if (ec || !fs::exists(st)) return Status::Ok();  // gone already
  if (fs::is_symlink(st) || !fs::is_directory(st)) {
    *report += "  left " + t.dir + " alone: not a directory of its own (a symlink or a file)\n";
    return Status::Ok();
  }
  const fs::path root = fs::canonical(t.root, ec);
  const fs::path real = ec ? fs::path() : fs::canonical(t.dir, ec);
  if (ec || real != root / database / set_name) {
    *report += "  left " + t.dir + " alone: it resolves to " + real.string() + ", outside target " +
               t.root + "\n";
    return Status::Ok();
  }
  int removed = 0;
  std::set<std::string> others;
  for (const auto& e : fs::directory_iterator(t.dir, ec)) {
    const std::string name = e.path().filename().string();
    const fs::file_status s = e.symlink_status();
    if (name.rfind("stripe-", 0) != 0 || fs::is_directory(s)) {
      others.insert(name);
      continue;
    }
    std::error_code rm;
    fs::remove(e.path(), rm);
    if (rm)
      return Status::FromErrno(ErrorCode::kTargetIo, "remove " + e.path().string(), rm.value());
    ++removed;
  }
  if (ec) return Status::FromErrno(ErrorCode::kTargetIo, "list " + t.dir, ec.value());
  const std::string files = std::to_string(removed) + " stripe file(s)";
  if (!others.empty()) {
    *report += "  removed " + files + " from " + t.dir + "; kept the directory: it also holds " +
               *others.begin() + (others.size() > 1 ? " and more" : "") + "\n";
    return stripe::SyncDirectory(t.dir);
  }
  fs::remove(t.dir, ec);
  if (ec) return Status::FromErrno(ErrorCode::kTargetIo, "remove " + t.dir, ec.value());
  *report += "  removed " + t.dir + " (" + files + ")\n";
  return stripe::SyncDirectory(fs::path(t.dir).parent_path().string());
}

}  // namespace

std::vector<TargetSetDir> ListTargetSetDirs(const proto::Manifest& manifest,
                                            const std::string& database,
                                            const std::string& set_name) {
  std::vector<TargetSetDir> out;
  std::set<std::string> seen;
  for (const proto::StripeEntry& e : manifest.stripes()) {
    if (e.location().empty() || !seen.insert(e.location()).second) continue;
    TargetSetDir t;
    t.root = e.location();
    t.dir = e.location() + "/" + database + "/" + set_name;
    if (!IsSafeLocation(e.location())) {
      t.problem = "location '" + e.location() + "' is not absolute or has '..' parts";
    }
    out.push_back(std::move(t));
  }
  return out;
}

Status RemoveTargetSetDirs(const proto::Manifest& manifest, const std::string& database,
                           const std::string& set_name, std::string* report) {
  for (const TargetSetDir& t : ListTargetSetDirs(manifest, database, set_name)) {
    if (!t.problem.empty()) {
      *report += "  left " + t.dir + " alone: " + t.problem + "\n";
      continue;
    }
    if (Status st = RemoveOne(t, database, set_name, report); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace vdibk::coordinator
