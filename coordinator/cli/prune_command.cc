// The prune subcommand: finish leftovers -> scan -> PlanPrune -> hide-then-delete each removal.
#include "coordinator/cli/prune_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "coordinator/pipeline/backup_targets.h"
#include "coordinator/cli/command_support.h"
#include "coordinator/repo/prune_plan.h"
#include "coordinator/repo/prune_targets.h"
#include "coordinator/repo/reconcile.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_store.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {
namespace {

// Where a set has stripes on other --target roots: the manifest's stripe locations, or without
// a readable manifest (a backup killed before it wrote one) the roots of its targets file, as
// stripe entries. Neither: nothing is known elsewhere.
proto::Manifest KnownLocations(stripe::Target& set, const proto::Manifest* manifest) {
  if (manifest) return *manifest;
  Result<proto::Manifest> m = stripe::ReadManifest(set, stripe::kManifestFileName);
  if (m.ok()) return std::move(m).value();
  proto::Manifest roots;
  for (const std::string& r : ReadTargetsFile(set)) roots.add_stripes()->set_location(r);
  return roots;
}

// Removes the set's stripe directories on other --target roots, as known from the hidden set.
Status RemoveTargetDirs(const RepoStore& store, const std::string& database,
                        const std::string& set_name, std::string* report) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> hidden,
                         store.OpenHiddenSet(database, set_name));
  return RemoveTargetSetDirs(KnownLocations(*hidden, nullptr), database, set_name, report);
}

// Dry run: the target directories a removal would take with it.
void DescribeTargetDirs(const RepoStore& store, const CatalogSet& s, std::string* report) {
  Result<std::unique_ptr<stripe::Target>> set = store.OpenSet(s.database, s.name);
  if (!set.ok()) return;
  const proto::Manifest known = KnownLocations(**set, s.has_manifest() ? &s.manifest : nullptr);
  for (const TargetSetDir& t : ListTargetSetDirs(known, s.database, s.name)) {
    *report += t.problem.empty() ? "  would remove the stripes in " + t.dir + "\n"
                                 : "  would leave " + t.dir + " alone: " + t.problem + "\n";
  }
}

Status FinishLeftovers(const RepoStore& store, const std::vector<std::string>& databases,
                       bool dry_run, std::string* report) {
  for (const std::string& db : databases) {
    VDIBK_ASSIGN_OR_RETURN(std::vector<std::string> hidden, store.ListHiddenSets(db));
    for (const std::string& name : hidden) {
      const std::string label = db + "/" + kPruningPrefix + name;
      if (dry_run) {
        *report += "would finish removing " + label + "\n";
        continue;
      }
      std::string targets;
      Status st = RemoveTargetDirs(store, db, name, &targets);
      if (st.ok()) st = store.DeleteHiddenSet(db, name);
      *report +=
          (st.ok() ? "finished removing " : "failed to finish removing ") + label + "\n" + targets;
      VDIBK_RETURN_IF_ERROR(st);
    }
  }
  return Status::Ok();
}

// Removes one set; returns false (with `why`) when it must be left alone after all.
// `*targets` gets a line per directory removed on other --target roots.
Result<bool> RemoveSet(const RepoStore& store, const CatalogSet& s, std::string* why,
                       std::string* targets) {
  std::unique_ptr<SetLease> lease;
  if (s.state != SetState::kGood) {
    // Not a finished backup: make sure no backup owns it, and hold the lease while hiding it.
    VDIBK_ASSIGN_OR_RETURN(lease, store.TryAcquireLease(s.database, s.name));
    if (!lease) {
      *why = "a running backup holds its lock";
      return false;
    }
    lease->KeepOnRelease();
    if (ScanSet(store, s.database, s.name).state != s.state) {
      *why = "its state changed during the prune";
      return false;
    }
  }
  VDIBK_RETURN_IF_ERROR(store.HideSet(s.database, s.name));
  VDIBK_RETURN_IF_ERROR(RemoveTargetDirs(store, s.database, s.name, targets));
  VDIBK_RETURN_IF_ERROR(store.DeleteHiddenSet(s.database, s.name));
  return true;
}

}  // namespace

Status RunPrune(const PruneOptions& o, int64_t now_unix_ms, std::string* report, SqlRunner* sql) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<RepoStore> store, OpenRepoStore(o.repo));
  return RunPrune(*store, o, now_unix_ms, report, sql);
}

Status RunPrune(const RepoStore& repo, const PruneOptions& o, int64_t now_unix_ms,
                std::string* report, SqlRunner* sql) {
  const RepoStore* store = &repo;
  VDIBK_ASSIGN_OR_RETURN(RepoCatalog catalog, ScanRepo(*store, o.database));
  const bool any_unconfirmed = std::any_of(
      catalog.sets.begin(), catalog.sets.end(),
      [](const CatalogSet& s) { return s.state == SetState::kUnconfirmed && !s.in_use; });
  if (sql && any_unconfirmed) {
    ReconcileOptions ro;
    ro.dry_run = o.dry_run;
    for (const ReconcileItem& it : ReconcileCatalog(*sql, *store, catalog, ro)) {
      const CatalogSet& s = catalog.sets[it.index];
      const bool confirmed = it.result == ReconcileResult::kConfirmed;
      *report +=
          std::string(confirmed && o.dry_run ? "would confirm" : ReconcileResultName(it.result)) +
          " " + s.database + "/" + s.name + ": " +
          (it.status.ok() ? it.detail : it.status.ToString()) + "\n";
    }
  }
  std::vector<std::string> databases;
  if (o.database.empty()) {
    VDIBK_ASSIGN_OR_RETURN(databases, store->ListDatabases());
  } else {
    databases.push_back(o.database);  // a database without a folder has no leftovers
  }
  VDIBK_RETURN_IF_ERROR(FinishLeftovers(*store, databases, o.dry_run, report));

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
      DescribeTargetDirs(*store, s, report);
      continue;
    }
    std::string why, targets;
    Result<bool> removed = RemoveSet(*store, s, &why, &targets);
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
