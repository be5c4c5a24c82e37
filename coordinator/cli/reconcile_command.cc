// The reconcile subcommand: options -> ScanRepo -> ReconcileCatalog -> one line per set.
#include "coordinator/cli/reconcile_command.h"

#include <cstdio>
#include <cstdlib>

#include "coordinator/cli/command_support.h"
#include "coordinator/repo/reconcile.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/command_line.h"
#include "shared/base/json_text.h"

namespace vdibk::coordinator {

namespace {

void Define(CommandLine& cl, ReconcileCommandOptions& o) {
  cl.Text("--repo", &o.repo, "DIR", "The repository");
  cl.Require("--repo");
  cl.Text("--database", &o.database, "DB",
          "Only this database's sets (default: every database in the repository)");
  cl.Text("--set", &o.set, "ID",
          "Only this set (needs --database; default: every unconfirmed set)");
  AddServerOptions(cl, &o.sqlcmd, &o.server);
  cl.U32("--timeout", &o.timeout_s, "SECONDS",
         "How long to keep asking a server that cannot be reached, 0..86400 (default: 30)");
  cl.Flag("--dry-run", &o.dry_run, "Ask the server, promote nothing");
  AddJsonOption(cl, &o.json, "the results");
  cl.LogFormat();
}

CommandLine ReconcileCommandLine() {
  return CommandLine("vdibackup reconcile",
                     "Promote the unconfirmed sets the server's backup history records");
}

}  // namespace

std::string ReconcileUsage() {
  ReconcileCommandOptions o;
  CommandLine cl = ReconcileCommandLine();
  Define(cl, o);
  return cl.Help();
}

Result<ReconcileCommandOptions> ParseReconcileOptions(const std::vector<std::string>& args,
                                                      const std::string& bin_dir) {
  ReconcileCommandOptions o;
  CommandLine cl = ReconcileCommandLine();
  Define(cl, o);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  if (o.timeout_s > 86400) {
    return Status::Usage("--timeout must be 0..86400 seconds, got '" + std::to_string(o.timeout_s) +
                         "'");
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (!o.set.empty() && o.database.empty()) return Status::Usage("--set needs --database");
  VDIBK_RETURN_IF_ERROR(FinishServerOptions(cl, bin_dir, &o.sqlcmd, &o.server));
  return o;
}

int RunReconcileCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<ReconcileCommandOptions> o = ParseReconcileOptions(args, bin_dir);
  if (!o.ok()) {
    return ReportUsageError("reconcile", o.status());
  }
  Result<std::unique_ptr<RepoStore>> store = OpenRepoStore(o->repo);
  if (!store.ok()) return ReportCommandFailure("reconcile", store.status(), o->json);
  Result<RepoCatalog> catalog = ScanRepo(**store, o->database);
  if (!catalog.ok()) return ReportCommandFailure("reconcile", catalog.status(), o->json);
  if (!o->set.empty()) {
    bool found = false;
    for (const CatalogSet& s : catalog->sets) found = found || s.name == o->set;
    if (!found) {
      return ReportCommandFailure(
          "reconcile", Status::Missing("no set '" + o->set + "' of database '" + o->database + "'"),
          o->json);
    }
  }
  InstallStopSignalHandlers();
  SqlcmdRunner sql(o->sqlcmd, o->server);
  ReconcileOptions ro;
  ro.dry_run = o->dry_run;
  ro.set = o->set;
  ro.policy.budget = std::chrono::seconds(o->timeout_s);
  const std::vector<ReconcileItem> items = ReconcileCatalog(sql, **store, *catalog, ro, StopFlag());
  ErrorCode worst = ErrorCode::kOk;
  auto raise = [&](ErrorCode c) {
    if (static_cast<int>(c) > static_cast<int>(worst)) worst = c;
  };
  std::string text, json;
  for (const ReconcileItem& it : items) {
    const CatalogSet& s = catalog->sets[it.index];
    std::string detail = it.detail;
    switch (it.result) {
      case ReconcileResult::kConfirmed:
        break;
      case ReconcileResult::kNotRecorded:
      case ReconcileResult::kInUse:
        raise(ErrorCode::kWarning);
        break;
      case ReconcileResult::kUnreachable:
        raise(ErrorCode::kFailed);
        break;
      case ReconcileResult::kPromoteFailed:
        raise(it.status.code());
        detail = it.status.ToString();
        break;
    }
    const char* verb = it.result == ReconcileResult::kConfirmed && o->dry_run
                           ? "would-confirm"
                           : ReconcileResultName(it.result);
    text += std::string(verb) + " " + s.database + "/" + s.name + ": " + detail + "\n";
    json += std::string(json.empty() ? "" : ",") + "{\"database\":" + JsonString(s.database) +
            ",\"set\":" + JsonString(s.name) + ",\"result\":" + JsonString(verb) +
            ",\"detail\":" + JsonString(detail) + "}";
  }
  if (items.empty()) text = "no unconfirmed sets\n";
  if (o->json) {
    std::printf(
        "{\"status\":%s,\"sets\":[%s]}\n",
        JsonString(worst == ErrorCode::kOk ? "ok" : std::string(ErrorCodeName(worst))).c_str(),
        json.c_str());
  } else {
    std::printf("%s", text.c_str());
  }
  return ExitCodeFor(worst);
}

}  // namespace vdibk::coordinator
