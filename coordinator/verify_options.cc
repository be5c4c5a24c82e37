// Parsing and validation of `vdibackup verify` arguments.
#include "coordinator/verify_options.h"

#include <charconv>

namespace vdibk::coordinator {

const char* VerifyUsage() {
  return "usage: vdibackup verify --repo DIR [--database DB] [--set ID|latest | --all]\n"
         "         [--workers N] [--json]";
}

Result<VerifyOptions> ParseVerifyOptions(const std::vector<std::string>& args) {
  VerifyOptions o;
  bool set_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
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
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  if (o.set.empty()) return Status::Usage("--set must not be empty");
  if (set_given && o.all) return Status::Usage("--set and --all exclude each other");
  return o;
}

}  // namespace vdibk::coordinator
