// Parsing and validation of `vdibackup restore` arguments.
#include "coordinator/restore_options.h"

#include <charconv>
#include <cstdlib>

namespace vdibk::coordinator {

const char* RestoreUsage() {
  return "usage: vdibackup restore --database DB --repo DIR [--set ID|latest] [--as NEWNAME]\n"
         "         [--move LOGICAL=PATH ...] [--norecovery] [--replace] [--workers M]\n"
         "         [--max-transfer-size BYTES] [--sqlcmd PROGRAM] [--server NAME] [--json]";
}

Result<RestoreOptions> ParseRestoreOptions(const std::vector<std::string>& args,
                                           const std::string& bin_dir) {
  RestoreOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
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
    if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--set") {
      VDIBK_ASSIGN_OR_RETURN(o.set, value());
    } else if (a == "--as") {
      VDIBK_ASSIGN_OR_RETURN(o.target, value());
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
    } else if (a == "--workers") {
      VDIBK_ASSIGN_OR_RETURN(o.workers, number());
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
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.database.empty()) return Status::Usage("--database is required");
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.set.empty()) return Status::Usage("--set must not be empty");
  if (o.target.empty()) o.target = o.database;
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.worker_program.empty()) o.worker_program = bin_dir + "/vdibackup-worker";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
