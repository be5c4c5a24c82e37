// Parsing and validation of `vdibackup prune` arguments.
#include "coordinator/cli/prune_options.h"

#include <charconv>
#include <cstdlib>

#include "shared/base/option_once.h"

namespace vdibk::coordinator {

const char* PruneUsage() {
  return "usage: vdibackup prune --repo DIR [--database DB] --keep-full N [--keep-days D]\n"
         "         [--grace-minutes M] [--dry-run] [--server NAME] [--sqlcmd PROGRAM]";
}

Result<PruneOptions> ParsePruneOptions(const std::vector<std::string>& args,
                                       const std::string& bin_dir) {
  PruneOptions o;
  bool keep_full_given = false;
  OptionOnce once;
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
    if (a == "--repo") {
      VDIBK_ASSIGN_OR_RETURN(o.repo, value());
    } else if (a == "--database") {
      VDIBK_ASSIGN_OR_RETURN(o.database, value());
    } else if (a == "--keep-full") {
      VDIBK_ASSIGN_OR_RETURN(o.keep_full, number());
      keep_full_given = true;
    } else if (a == "--keep-days") {
      VDIBK_ASSIGN_OR_RETURN(uint32_t d, number());
      o.keep_days = d;
    } else if (a == "--grace-minutes") {
      VDIBK_ASSIGN_OR_RETURN(o.grace_minutes, number());
    } else if (a == "--dry-run") {
      o.dry_run = true;
    } else if (a == "--sqlcmd") {
      VDIBK_ASSIGN_OR_RETURN(o.sqlcmd, value());
    } else if (a == "--server") {
      VDIBK_ASSIGN_OR_RETURN(o.server, value());
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (!keep_full_given) return Status::Usage("--keep-full is required");
  if (o.keep_full == 0) return Status::Usage("--keep-full must be at least 1");
  if (o.sqlcmd.empty()) o.sqlcmd = bin_dir + "/sqlcmd";
  if (o.server.empty()) {
    const char* env = std::getenv("VDI_EMULATOR_ENDPOINT");
    o.server = (env && *env) ? env : ".";
  }
  return o;
}

}  // namespace vdibk::coordinator
