// The reconcile subcommand: options -> ScanRepo -> ReconcileCatalog -> one line per set.
#include "coordinator/cli/reconcile_command.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "coordinator/cli/command_support.h"
#include "coordinator/repo/reconcile.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/sql/sql_runner.h"
#include "shared/base/json_text.h"
#include "shared/base/option_once.h"

namespace vdibk::coordinator {

const char* ReconcileUsage() {
  return "usage: vdibackup reconcile --repo DIR [--database DB] [--set ID] [--server NAME]\n"
         "         [--sqlcmd PROGRAM] [--timeout SECONDS] [--dry-run] [--json]";
}

Result<ReconcileCommandOptions> ParseReconcileOptions(const std::vector<std::string>& args,
                                                      const std::string& bin_dir) {
  ReconcileCommandOptions o;
  OptionOnce once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    VDIBK_RETURN_IF_ERROR(once.See(a));
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--set") {
      VDIBK_ASSIGN_OR_RETURN(o.set, value());
    } else if (a == "--sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(o.sqlcmd, value());
    } else if (a == "--server") {
      VDIBK_ASSIGN_OR_RETURN(o.server, value());
    } else if (a == "--timeout") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.timeout_s);
      if (ec != std::errc() || p != v.data() + v.size() || o.timeout_s > 86400) {
        return Status::Usage("--timeout must be 0..86400 seconds, got '" + v + "'");
      }
    } else if (a == "--dry-run") {
      o.dry_run = true;
    } else if (a == "--json") {
      o.json = true;
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (!o.set.empty() && o.database.empty()) return Status::Usage("--set needs --database");
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

int RunReconcileCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<ReconcileCommandOptions> o = ParseReconcileOptions(args, bin_dir);
  if (!o.ok()) {
    std::fprintf(stderr, "vdibackup: %s\n%s\n", o.status().message().c_str(), ReconcileUsage());
    return ExitCodeFor(o.status().code());
  }
  Result<RepoCatalog> catalog = ScanRepo(o->repo, o->database);
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
  const std::vector<ReconcileItem> items = ReconcileCatalog(sql, *catalog, ro, StopFlag());
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
