// Parsing and validation of `vdibackup restore` arguments.
#include "coordinator/cli/restore_options.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "coordinator/cli/command_support.h"
#include "coordinator/progress/progress_display_json.h"
#include "shared/base/command_line.h"

namespace vdibk::coordinator {

Result<int64_t> ParseUntilTime(const std::string& text) {
  const Status bad = Status::Usage(
      "--until needs a UTC time like 20240131T235959Z or "
      "2024-01-31T23:59:59Z, got '" +
      text + "'");
  std::tm tm{};
  int consumed = 0;
  int ms = -1;
  int offset_minutes = 0;
  std::string rest;
  if (text.size() == 16 && text[8] == 'T' && text[15] == 'Z') {
    if (std::sscanf(text.c_str(), "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
        consumed != 16) {
      return bad;
    }
  } else {
    char sep = 0;
    if (text.size() < 19 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &sep, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 7 ||
        consumed != 19 || (sep != 'T' && sep != ' ')) {
      return bad;
    }
    rest = text.substr(19);
    if (!rest.empty() && rest[0] == '.') {  // fraction: milliseconds (more digits are cut)
      size_t i = 1;
      std::string digits;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') digits += rest[i++];
      if (digits.empty()) return bad;
      digits = (digits + "00").substr(0, 3);
      ms = std::atoi(digits.c_str());
      rest = rest.substr(i);
    }
    if (rest == "Z" || rest.empty()) {
      // UTC (a bare time is read as UTC too)
    } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() == 6 && rest[3] == ':') {
      int hh = 0, mm = 0;
      if (std::sscanf(rest.c_str() + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59) {
        return bad;
      }
      offset_minutes = (rest[0] == '+' ? 1 : -1) * (hh * 60 + mm);
    } else {
      return bad;
    }
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - int64_t{offset_minutes} * 60;
  return secs * 1000 + (ms < 0 ? 999 : ms);
}

namespace {

// The command line as CommandLine fills it: the spec and the values checked after the parse.
struct RestoreArgs {
  RestoreSpec o;
  std::string until;
  std::vector<std::string> moves;
  std::string progress_fd;
  WorkerOptionText external;
};

void Define(CommandLine& cl, RestoreArgs& a) {
  RestoreSpec& o = a.o;
  cl.Text("--database", &o.database, "DB", "The backed-up database");
  cl.Require("--database");
  cl.Text("--repo", &o.repo, "DIR", "The repository");
  cl.Require("--repo");
  cl.Text("--set", &o.set, "ID|latest",
          "A set directory name (that set alone), or latest: the restore chain - the last full, "
          "its last differential, the log backups after it (default: latest)");
  cl.Text("--until", &a.until, "TIME",
          "The chain of the sets started by TIME, in UTC: 20240131T235959Z or "
          "2024-01-31T23:59:59[.mmm][Z|+hh:mm] (default: the latest)");
  cl.Text("--as", &o.target, "NEWNAME",
          "Restore into this database (default: the database itself, which needs --replace)");
  cl.Repeated("--move", &a.moves, "LOGICAL=PATH", "WITH MOVE: put a logical file at PATH");
  cl.Flag("--norecovery", &o.norecovery,
          "WITH NORECOVERY on the last set too: the database stays restoring");
  cl.Flag("--replace", &o.replace, "WITH REPLACE: allowed to overwrite an existing database");
  cl.Flag("--allow-partial-chain", &o.allow_partial_chain,
          "Restore the chain the repository has even when a set it needs is unconfirmed, corrupt "
          "or missing: exit 1 naming them (default: refuse, exit 4)");
  cl.U32("--workers", &o.workers, "M",
         "Worker processes, 1..64 (default: one per stripe, at most max(4, cores))");
  cl.U32("--max-transfer-size", &o.max_transfer_size, "BYTES",
         "Largest transfer, a multiple of 65536 up to 4194304 (default: the backup's)");
  cl.Text("--set-name", &o.set_name, "NAME", "The VDI device set's name (default: a fresh one)");
  AddServerOptions(cl, &o.sqlcmd, &o.server);
  AddWorkerOptions(cl, &o.worker_program, &a.external);
  AddJsonOption(cl, &o.json, "the report");
  cl.Flag("--no-progress", &o.progress,
          "No live progress line on a terminal (default: shown on a terminal without --json)",
          false);
  cl.Text("--progress-fd", &a.progress_fd, "N",
          "Write the live figures as JSON lines to open descriptor N >= 3, one set at a time "
          "(default: none)");
  cl.LogFormat();
}

CommandLine RestoreCommandLine() {
  return CommandLine("vdibackup restore", "Restore a database from the repository");
}

}  // namespace

std::string RestoreUsage() {
  RestoreArgs a;
  CommandLine cl = RestoreCommandLine();
  Define(cl, a);
  return cl.Help();
}

Result<RestoreSpec> ParseRestoreOptions(const std::vector<std::string>& args,
                                        const std::string& bin_dir) {
  RestoreArgs a;
  CommandLine cl = RestoreCommandLine();
  Define(cl, a);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  RestoreSpec& o = a.o;
  const bool as_given = cl.Given("--as");
  if (cl.Given("--until")) {
    VDIBK_ASSIGN_OR_RETURN(int64_t ms, ParseUntilTime(a.until));
    o.until_unix_ms = ms;
  }
  for (const std::string& v : a.moves) {
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
      return Status::Usage("--move needs LOGICAL=PATH, got '" + v + "'");
    }
    o.moves.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  if (cl.Given("--workers") && (o.workers == 0 || o.workers > 64)) {
    return Status::Usage("--workers must be 1..64");
  }
  if (cl.Given("--max-transfer-size") &&
      (o.max_transfer_size == 0 || o.max_transfer_size % 65536 != 0 ||
       o.max_transfer_size > (4u << 20))) {
    return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
  }
  if (cl.Given("--progress-fd")) {
    VDIBK_ASSIGN_OR_RETURN(o.progress_fd, ParseProgressFd(a.progress_fd));
  }
  VDIBK_RETURN_IF_ERROR(FinishServerOptions(cl, bin_dir, &o.sqlcmd, &o.server));
  VDIBK_RETURN_IF_ERROR(
      FinishWorkerOptions(cl, bin_dir, &o.worker_program, a.external, &o.external));
  if (o.database.empty()) return Status::Usage("--database is required");
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.set.empty()) return Status::Usage("--set must not be empty");
  if (o.until_unix_ms && o.set != "latest") {
    return Status::Usage("--until selects a restore chain: it cannot be combined with --set " +
                         o.set);
  }
  if (as_given && o.target.empty()) {
    return Status::Usage("--as needs the name of the database to restore into, got ''");
  }
  if (!as_given) o.target = o.database;
  if (o.target == o.database && !o.replace) {
    // In place: the database's current contents are replaced, so it must be asked for.
    return Status::Usage("restoring over database '" + o.database +
                         "' itself needs --replace; give --as NEWNAME to restore a copy");
  }
  return o;
}

}  // namespace vdibk::coordinator
