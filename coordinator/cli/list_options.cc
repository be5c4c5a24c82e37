// Parsing and validation of `vdibackup list` arguments.
#include "coordinator/cli/list_options.h"

#include "shared/base/option_once.h"

namespace vdibk::coordinator {

const char* ListUsage() { return "usage: vdibackup list --repo DIR [--database DB] [--json]"; }

Result<ListOptions> ParseListOptions(const std::vector<std::string>& args) {
  ListOptions o;
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
    } else if (a == "--json") {
      o.json = true;
    } else {
      return Status::Usage("unknown argument '" + a + "'");
    }
  }
  if (o.repo.empty()) return Status::Usage("--repo is required");
  return o;
}

}  // namespace vdibk::coordinator
