// The verify subcommand: options -> set selection -> VerifySet per set -> report / exit code.
#include "coordinator/cli/verify_command.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "coordinator/cli/command_support.h"
#include "coordinator/repo/repo_catalog.h"
#include "coordinator/repo/repo_store.h"
#include "coordinator/repo/restore_chain.h"
#include "coordinator/repo/restore_plan.h"
#include "coordinator/cli/verify_sql.h"
#include "shared/base/json_text.h"

namespace vdibk::coordinator {
namespace {

// A set that could not even be selected (e.g. a database without a complete set).
SetVerification SelectionProblem(const std::string& database, const Status& st) {
  SetVerification v;
  v.database = database;
  v.problems.push_back({"", "", std::nullopt, st.code(), st.message()});
  return v;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

const char* Verdict(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kIntegrity:
      return "CORRUPT";
    case ErrorCode::kMissing:
      return "MISSING";
    default:
      return "FAILED";
  }
}

// The restore chain of `db` as `restore --set latest` plans it, as an entry "(chain)": a gap,
// a missing base, or an unconfirmed or corrupt set after the chain's start is kMissing (the
// restore would refuse or stop short). Nothing when the database has no complete set at all
// (its sets report that themselves).
std::optional<SetVerification> CheckChain(const RepoStore& store, const std::string& db) {
  std::vector<ChainBlocker> blockers;
  Result<std::vector<ChainSet>> sets = ListChainSets(store, db, &blockers);
  if (!sets.ok() || sets->empty()) return std::nullopt;
  SetVerification v;
  v.database = db;
  v.set = "(chain)";
  Result<std::vector<ChainSet>> chain = PlanRestoreChain(*sets, std::nullopt);
  if (!chain.ok()) {
    v.problems.push_back({"", "", std::nullopt, chain.status().code(), chain.status().message()});
    return v;
  }
  const std::vector<ChainBlocker> after = BlockersAfter(*chain, blockers, std::nullopt);
  if (!after.empty()) {
    v.problems.push_back({"", "", std::nullopt, ErrorCode::kMissing,
                          "a latest-point restore would stop short: " + DescribeBlockers(after)});
  }
  v.stripes = 0;
  v.note = std::to_string(chain->size()) + " set(s) from " + chain->front().name;
  return v;
}

}  // namespace

ErrorCode VerifyRun::code() const {
  ErrorCode c = ErrorCode::kOk;
  for (const SetVerification& s : sets) c = WorseOf(c, s.code());
  return c;
}

Result<VerifyRun> RunVerify(const VerifyOptions& o, const std::atomic<bool>* stop) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<RepoStore> opened, OpenRepoStore(o.repo));
  const RepoStore& store = *opened;
  VDIBK_RETURN_IF_ERROR(store.CheckRoot());
  VerifyRun run;
  std::optional<ServerVerifier> server;
  if (o.sql) server.emplace(o, stop);
  // The stripes are read first; only a set that passed is streamed to the server.
  auto check = [&](const std::string& set, const std::string& db, uint32_t workers) {
    if (stop && stop->load()) {  // SIGTERM/SIGINT (--sql): the remaining sets are not verified
      SetVerification v = SelectionProblem(db, Status::Aborted("interrupted by a signal"));
      v.set = set;
      v.set_dir = store.SetLocation(db, set);
      return v;
    }
    SetVerification v = VerifySet(store, db, set, workers);
    if (server) server->Verify(store, &v);
    return v;
  };
  if (o.all) {
    VDIBK_ASSIGN_OR_RETURN(RepoCatalog catalog, ScanRepo(store, o.database));
    if (catalog.sets.empty()) {
      return Status::Missing("no backup sets" +
                             (o.database.empty() ? "" : " of database '" + o.database + "'") +
                             " in " + o.repo);
    }
    for (const CatalogSet& s : catalog.sets) {
      if (s.in_use) {
        SetVerification v;
        v.database = s.database;
        v.set = s.name;
        v.set_dir = s.location;
        v.skipped = true;
        v.note = "a running backup owns it";
        run.sets.push_back(std::move(v));
        continue;
      }
      run.sets.push_back(check(s.name, s.database, o.workers));
    }
    std::vector<std::string> dbs;
    for (const CatalogSet& s : catalog.sets) {
      if (dbs.empty() || dbs.back() != s.database) dbs.push_back(s.database);
    }
    for (const std::string& db : dbs) {
      if (std::optional<SetVerification> c = CheckChain(store, db)) run.sets.push_back(*c);
    }
    return run;
  }
  std::vector<std::string> databases;
  if (!o.database.empty()) {
    databases.push_back(o.database);
  } else {
    VDIBK_ASSIGN_OR_RETURN(databases, store.ListDatabases());
    if (databases.empty()) return Status::Missing("no backups in " + o.repo);
  }
  if (o.set == "latest") {
    for (const std::string& db : databases) {
      Result<std::string> dir = FindSet(store, db, "latest");
      if (!dir.ok() && dir.status().code() == ErrorCode::kUsage) return dir.status();
      if (!dir.ok() && !o.database.empty()) return dir.status();
      run.sets.push_back(dir.ok() ? check(*dir, db, o.workers)
                                  : SelectionProblem(db, dir.status()));
      if (std::optional<SetVerification> c = CheckChain(store, db)) run.sets.push_back(*c);
    }
    return run;
  }
  // A named set: only its own directory is touched.
  std::string found_db, found_set;
  for (const std::string& db : databases) {
    Result<std::string> dir = FindSet(store, db, o.set);
    if (!dir.ok()) {
      if (!o.database.empty() || dir.status().code() == ErrorCode::kUsage) return dir.status();
      continue;
    }
    if (!found_set.empty()) {
      return Status::Usage("set '" + o.set + "' exists for databases '" + found_db + "' and '" +
                           db + "'; choose one with --database");
    }
    found_db = db;
    found_set = *dir;
  }
  if (found_set.empty())
    return Status::Missing("backup set '" + o.set + "' not found in " + o.repo);
  run.sets.push_back(check(found_set, found_db, o.workers));
  return run;
}

std::string FormatVerifyText(const VerifyRun& run) {
  std::string out;
  for (const SetVerification& s : run.sets) {
    const std::string label = s.set.empty() ? s.database : s.database + "/" + s.set;
    if (s.skipped) {
      out += "skipped  " + label + ": " + s.note + "\n";
      continue;
    }
    char line[256];
    if (s.set == "(chain)") {  // CheckChain's entry: the restore chain, no stripes of its own
      std::snprintf(line, sizeof(line), "%-8s %s", Verdict(s.code()), label.c_str());
      out += line + (s.problems.empty() ? ": restorable, " + s.note : std::string()) + "\n";
      for (const VerifyProblem& p : s.problems) {
        out += "  " + std::string(ErrorCodeName(p.code)) + ": " + p.cause + "\n";
      }
      continue;
    }
    std::snprintf(line, sizeof(line), "%-8s %s: %u stripe(s), %s raw, %s stored, %.2f s\n",
                  Verdict(s.code()), label.c_str(), s.stripes, Mib(s.raw_bytes).c_str(),
                  Mib(s.file_bytes).c_str(), s.seconds);
    out += line;
    if (!s.sql.empty()) {
      if (s.sql == "valid") {
        std::snprintf(line, sizeof(line),
                      "  RESTORE VERIFYONLY: valid, %s read by the server "
                      "(%.2f s)\n",
                      Mib(s.sql_raw_bytes).c_str(), s.sql_seconds);
      } else {
        std::snprintf(line, sizeof(line), "  RESTORE VERIFYONLY: %s\n", s.sql.c_str());
      }
      out += line;
    }
    for (const VerifyProblem& p : s.problems) {
      std::string where = p.stripe;
      if (p.offset)
        where += (where.empty() ? "" : " ") + ("at offset " + std::to_string(*p.offset));
      out += "  " + std::string(ErrorCodeName(p.code)) + ": " +
             (where.empty() ? "" : where + ": ") + p.cause + "\n";
    }
  }
  return out;
}

std::string FormatVerifyJson(const VerifyRun& run) {
  const ErrorCode code = run.code();
  std::string out = "{\"status\":" +
                    JsonString(code == ErrorCode::kOk ? "ok" : std::string(ErrorCodeName(code))) +
                    ",\"code\":" + std::to_string(static_cast<uint32_t>(code)) + ",\"sets\":[";
  for (size_t i = 0; i < run.sets.size(); ++i) {
    const SetVerification& s = run.sets[i];
    const ErrorCode sc = s.code();
    out += (i ? "," : "");
    out += "{\"database\":" + JsonString(s.database) + ",\"set\":" + JsonString(s.set) +
           ",\"set_dir\":" + JsonString(s.set_dir) + ",\"result\":" +
           JsonString(s.skipped ? "skipped"
                                : (sc == ErrorCode::kOk ? "ok" : std::string(ErrorCodeName(sc)))) +
           ",\"stripes\":" + std::to_string(s.stripes) +
           ",\"raw_bytes\":" + std::to_string(s.raw_bytes) +
           ",\"file_bytes\":" + std::to_string(s.file_bytes) +
           ",\"seconds\":" + std::to_string(s.seconds);
    if (s.skipped) out += ",\"note\":" + JsonString(s.note);
    if (!s.sql.empty()) {
      out += ",\"sql\":" + JsonString(s.sql) +
             ",\"sql_raw_bytes\":" + std::to_string(s.sql_raw_bytes) +
             ",\"sql_seconds\":" + std::to_string(s.sql_seconds);
    }
    out += ",\"problems\":[";
    for (size_t j = 0; j < s.problems.size(); ++j) {
      const VerifyProblem& p = s.problems[j];
      out += (j ? "," : "");
      out += "{\"stripe\":" + JsonString(p.stripe) + ",\"path\":" + JsonString(p.path) +
             ",\"offset\":" + (p.offset ? std::to_string(*p.offset) : std::string("null")) +
             ",\"error\":" + JsonString(std::string(ErrorCodeName(p.code))) +
             ",\"code\":" + std::to_string(static_cast<uint32_t>(p.code)) +
             ",\"cause\":" + JsonString(p.cause) + "}";
    }
    out += "]}";
  }
  return out + "]}";
}

int RunVerifyCommand(const std::vector<std::string>& args, const std::string& bin_dir) {
  Result<VerifyOptions> options = ParseVerifyOptions(args, bin_dir);
  if (!options.ok()) {
    return ReportUsageError("verify", options.status());
  }
  if (options->sql) InstallStopSignalHandlers();  // --sql runs workers and sqlcmd
  Result<VerifyRun> run = RunVerify(*options, StopFlag());
  if (!run.ok()) return ReportCommandFailure("verify", run.status(), options->json);
  std::printf("%s", options->json ? (FormatVerifyJson(*run) + "\n").c_str()
                                  : FormatVerifyText(*run).c_str());
  return ExitCodeFor(run->code());
}

}  // namespace vdibk::coordinator
