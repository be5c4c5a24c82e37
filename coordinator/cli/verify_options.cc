// Parsing and validation of `vdibackup verify` arguments.
#include "coordinator/cli/verify_options.h"

#include <charconv>
#include <cstdlib>

#include "shared/base/option_once.h"

namespace vdibk::coordinator {

const char* VerifyUsage() {
  return "usage: vdibackup verify --repo DIR [--database DB] [--set ID|latest | --all]\n"
         "         [--workers N] [--json]\n"
         "         [--sql [--server NAME] [--sqlcmd PROGRAM]]  (also RESTORE VERIFYONLY via VDI)";
}

Result<VerifyOptions> ParseVerifyOptions(const std::vector<std::string>& args,
                                         const std::string& bin_dir) {
  VerifyOptions o;
  bool set_given = false;
  std::string sql_only;  // the first option that needs --sql
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
      set_given = true;
    } else if (a == "--all") {
      o.all = true;
    } else if (a == "--workers") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.workers);
      if (ec != std::errc() || p != v.data() + v.size() || o.workers == 0 || o.workers > 64) {
        return Status::Usage("--workers needs an integer from 1 to 64, got '" + v + "'");
      }
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--sql") {
      o.sql = true;
    } else if (a == "--sqlcmd" || a == "--server" || a == "--worker-program" || a == "--set-name") {
      VDIBK_ASSIGN_OR_RETURN(std::string v, value());
      if (v.empty()) return Status::Usage(a + " must not be empty");
      (a == "--sqlcmd"     ? o.sqlcmd
       : a == "--server"   ? o.server
       : a == "--set-name" ? o.set_name
                           : o.worker_program) = v;
      if (sql_only.empty()) sql_only = a;
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.set.empty()) return Status::Usage("--set must not be empty");
  if (set_given && o.all) return Status::Usage("--set and --all exclude each other");
  if (!sql_only.empty() && !o.sql) return Status::Usage(sql_only + " needs --sql");
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.worker_program.empty()) o.worker_program = bin_dir + "/vdibackup-worker";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
