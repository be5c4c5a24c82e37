// The prune subcommand: finish leftovers -> scan -> PlanPrune -> rename-then-delete each removal.
#include "coordinator/cli/prune_command.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/cli/command_support.h"
#include "coordinator/repo/prune_plan.h"
#include "coordinator/repo/prune_targets.h"
#include "coordinator/repo/reconcile.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_dirs.h"
#include "coordinator/repo/set_lock.h"
#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {
namespace {

namespace fs = std::filesystem;

// Deletes a directory already renamed out of the repository's view.
Status DeleteHidden(const std::string& hidden, const std::string& db_dir) {
  std::error_code ec;
  fs::remove_all(hidden, ec);
  if (ec) {
    return Status::FromErrno(ErrorCode::kTargetIo,
                             "remove " + hidden + " (a later prune finishes it)", ec.value());
  }
  return stripe::SyncDirectory(db_dir);
}

// Where set directory `dir` has stripes on other --target roots: the manifest's stripe
// locations, or without a readable manifest (a backup killed before it wrote one) the roots of
// its targets file, as stripe entries. Neither: nothing is known elsewhere.
proto::Manifest KnownLocations(const std::string& dir, const proto::Manifest* manifest) {
  if (manifest) return *manifest;
  stripe::DirectoryTarget target(dir);
  Result<proto::Manifest> m = stripe::ReadManifest(target, stripe::kManifestFileName);
  if (m.ok()) return std::move(m).value();
  proto::Manifest roots;
  for (const std::string& r : ReadTargetsFile(dir)) roots.add_stripes()->set_location(r);
  return roots;
}

// Removes the set's stripe directories on other --target roots, as known from `hidden` (the
// renamed set dir).
Status RemoveTargetDirs(const std::string& hidden, const std::string& database,
                        const std::string& set_name, std::string* report) {
  return RemoveTargetSetDirs(KnownLocations(hidden, nullptr), database, set_name, report);
}

// Dry run: the target directories a removal would take with it.
void DescribeTargetDirs(const CatalogSet& s, std::string* report) {
  const proto::Manifest known = KnownLocations(s.dir, s.has_manifest() ? &s.manifest : nullptr);
  for (const TargetSetDir& t : ListTargetSetDirs(known, s.database, s.name)) {
    *report += t.problem.empty() ? "  would remove the stripes in " + t.dir + "\n"
                                 : "  would leave " + t.dir + " alone: " + t.problem + "\n";
  }
}

Status FinishLeftovers(const std::string& repo, const std::vector<std::string>& databases,
                       bool dry_run, std::string* report) {
  for (const std::string& db : databases) {
    const std::string db_dir = repo + "/" + db;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(db_dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(kPruningPrefix, 0) != 0) continue;
      VDIBK_RETURN_IF_ERROR(CheckRepoDir(db_dir + "/" + name));  // never through a symlink
      if (dry_run) {
        *report += "would finish removing " + db + "/" + name + "\n";
        continue;
      }
      std::string targets;
      Status st = RemoveTargetDirs(db_dir + "/" + name, db,
                                   name.substr(std::string(kPruningPrefix).size()), &targets);
      if (st.ok()) st = DeleteHidden(db_dir + "/" + name, db_dir);
      *report += (st.ok() ? "finished removing " : "failed to finish removing ") + db + "/" + name +
                 "\n" + targets;
      VDIBK_RETURN_IF_ERROR(st);
    }
  }
  return Status::Ok();
}

// Removes one set; returns false (with `why`) when it must be left alone after all.
// `*targets` gets a line per directory removed on other --target roots.
Result<bool> RemoveSet(const std::string& repo, const CatalogSet& s, std::string* why,
                       std::string* targets) {
  std::optional<SetDirLock> lock;
  if (s.state != SetState::kGood) {
    // Not a finished backup: make sure no backup owns it, and hold the lock while renaming.
    VDIBK_ASSIGN_OR_RETURN(std::optional<SetDirLock> l, SetDirLock::TryAcquire(s.dir));
    if (!l) {
      *why = "a running backup holds its lock";
      return false;
    }
    lock = std::move(l);
    lock->KeepFile();
    if (ScanSet(repo, s.database, s.name).state != s.state) {
      *why = "its state changed during the prune";
      return false;
    }
  }
  const std::string db_dir = repo + "/" + s.database;
  const std::string hidden = db_dir + "/" + kPruningPrefix + s.name;
  std::error_code ec;
  if (fs::exists(hidden, ec)) VDIBK_RETURN_IF_ERROR(DeleteHidden(hidden, db_dir));
  if (std::rename(s.dir.c_str(), hidden.c_str()) != 0) {
    return Status::FromErrno(ErrorCode::kTargetIo, "rename " + s.dir + " to " + hidden, errno);
  }
  VDIBK_RETURN_IF_ERROR(stripe::SyncDirectory(db_dir));
  VDIBK_RETURN_IF_ERROR(RemoveTargetDirs(hidden, s.database, s.name, targets));
  VDIBK_RETURN_IF_ERROR(DeleteHidden(hidden, db_dir));
  return true;
}

}  // namespace

Status RunPrune(const PruneOptions& o, int64_t now_unix_ms, std::string* report, SqlRunner* sql) {
  VDIBK_ASSIGN_OR_RETURN(RepoCatalog catalog, ScanRepo(o.repo, o.database));
  const bool any_unconfirmed = std::any_of(
      catalog.sets.begin(), catalog.sets.end(),
      [](const CatalogSet& s) { return s.state == SetState::kUnconfirmed && !s.in_use; });
  if (sql && any_unconfirmed) {
    ReconcileOptions ro;
    ro.dry_run = o.dry_run;
    for (const ReconcileItem& it : ReconcileCatalog(*sql, catalog, ro)) {
      const CatalogSet& s = catalog.sets[it.index];
      const bool confirmed = it.result == ReconcileResult::kConfirmed;
      *report +=
          std::string(confirmed && o.dry_run ? "would confirm" : ReconcileResultName(it.result)) +
          " " + s.database + "/" + s.name + ": " +
          (it.status.ok() ? it.detail : it.status.ToString()) + "\n";
    }
  }
  std::vector<std::string> databases;
  std::error_code ec;
  if (o.database.empty()) {
    VDIBK_ASSIGN_OR_RETURN(databases, ListDatabases(o.repo));
  } else if (fs::is_directory(o.repo + "/" + o.database, ec)) {
    databases.push_back(o.database);
  }
  VDIBK_RETURN_IF_ERROR(FinishLeftovers(o.repo, databases, o.dry_run, report));

  PrunePolicy policy;
  policy.keep_full = o.keep_full;
  policy.keep_days = o.keep_days;
  policy.now_unix_ms = now_unix_ms;
  policy.grace_ms = int64_t{o.grace_minutes} * 60 * 1000;
  const PrunePlan plan = PlanPrune(catalog, policy);
  for (const PruneItem& k : plan.keep) {
    const CatalogSet& s = catalog.sets[k.index];
    *report += "keep " + s.database + "/" + s.name + " (" + k.reason + ")\n";
  }
  for (const PruneItem& r : plan.remove) {
    const CatalogSet& s = catalog.sets[r.index];
    const std::string label = s.database + "/" + s.name + " (" + r.reason + ")";
    if (o.dry_run) {
      *report += "would remove " + label + "\n";
      DescribeTargetDirs(s, report);
      continue;
    }
    std::string why, targets;
    Result<bool> removed = RemoveSet(o.repo, s, &why, &targets);
    if (!removed.ok()) {
      *report += "failed to remove " + label + ": " + removed.status().message() + "\n" + targets;
      return removed.status();
    }
    *report +=
        (*removed ? "removed " + label + "\n" : "skipped " + label + ": " + why + "\n") + targets;
  }
  return Status::Ok();
}

int RunPruneCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<PruneOptions> options = ParsePruneOptions(args, bin_dir);
  if (!options.ok()) {
    return ReportUsageError("prune", options.status());
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string report;
  SqlcmdRunner sql(options->sqlcmd, options->server);
  Status st = RunPrune(*options, now, &report, &sql);
  std::printf("%s", report.c_str());
  std::fflush(stdout);
  if (!st.ok()) return ReportCommandFailure("prune", st, /*json=*/false);
  return 0;
}

}  // namespace vdibk::coordinator
