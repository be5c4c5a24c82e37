// Parsing and validation of `vdibackup restore` arguments.
#include "coordinator/cli/restore_options.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "coordinator/progress/progress_display_json.h"
#include "shared/base/option_once.h"

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

const char* RestoreUsage() {
  return "usage: vdibackup restore --database DB --repo DIR [--set ID|latest] [--until TIME]\n"
         "         [--as NEWNAME]\n"
         "         [--move LOGICAL=PATH ...] [--norecovery] [--replace] [--workers M]\n"
         "         [--max-transfer-size BYTES] [--sqlcmd PROGRAM] [--server NAME] [--json]\n"
         "         [--progress-fd N] [--allow-partial-chain]\n"
         "         [--worker-endpoint ipc:///DIR/NAME [--worker-wait SECONDS]]";
}

Result<RestoreSpec> ParseRestoreOptions(const std::vector<std::string>& args,
                                           const std::string& bin_dir) {
  RestoreSpec o;
  OptionOnce once({"--move"});
  bool as_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    VDIBK_RETURN_IF_ERROR(once.See(a));
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Usage(a + " needs a value");
      return args[++i];
    };
    auto number = [&]() -> Result<uint32_t> {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      uint32_t out = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      if (ec != std::errc() || p != v.data() + v.size()) {
        return Status::Usage(a + " needs a non-negative integer, got '" + v + "'");
      }
      return out;
    };
    VDIBK_ASSIGN_OR_RETURN(bool external, ParseExternalWorkersFlag(a, value, o.external));
    if (external) continue;
    if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--set") {
      VDIBK_ASSIGN_OR_RETURN(o.set, value());
    } else if (a == "--until") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(int64_t ms, ParseUntilTime(v));
      o.until_unix_ms = ms;
    } else if (a == "--as") {
      VDIBK_ASSIGN_OR_RETURN(o.target, value());
      as_given = true;
    } else if (a == "--move") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        return Status::Usage("--move needs LOGICAL=PATH, got '" + v + "'");
      }
      o.moves.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (a == "--norecovery") {
      o.norecovery = true;
    } else if (a == "--replace") {
      o.replace = true;
    } else if (a == "--allow-partial-chain") {
      o.allow_partial_chain = true;
    } else if (a == "--workers") {
      VDIBK_ASSIGN_OR_RETURN(o.workers, number());
      if (o.workers == 0 || o.workers > 64) return Status::Usage("--workers must be 1..64");
    } else if (a == "--max-transfer-size") {
      VDIBK_ASSIGN_OR_RETURN(o.max_transfer_size, number());
      if (o.max_transfer_size == 0 || o.max_transfer_size % 65536 != 0 ||
          o.max_transfer_size > (4u << 20)) {
        return Status::Usage("--max-transfer-size must be a multiple of 65536 up to 4194304");
      }
    } else if (a == "--sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(o.sqlcmd, value());
    } else if (a == "--server") {
      VDIBK_ASSIGN_OR_RETURN(o.server, value());
    } else if (a == "--set-name") {
      VDIBK_ASSIGN_OR_RETURN(o.set_name, value());
    } else if (a == "--worker-program") {
      VDIBK_ASSIGN_OR_RETURN(o.worker_program, value());
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--progress-fd") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      VDIBK_ASSIGN_OR_RETURN(o.progress_fd, ParseProgressFd(v));
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
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
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.worker_program.empty()) o.worker_program = bin_dir + "/vdibackup-worker";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
