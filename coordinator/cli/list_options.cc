// Parsing and validation of `vdibackup list` arguments.
#include "coordinator/cli/list_options.h"

#include "coordinator/cli/command_support.h"
#include "shared/base/command_line.h"

namespace vdibk::coordinator {
namespace {

void Define(CommandLine& cl, ListOptions& o) {
  cl.Text("--repo", &o.repo, "DIR", "The repository");
  cl.Require("--repo");
  cl.Text("--database", &o.database, "DB",
          "Only this database's sets (default: every database in the repository)");
  AddJsonOption(cl, &o.json, "the sets");
  cl.LogFormat();
}

CommandLine ListCommandLine() {
  return CommandLine("vdibackup list", "One line per set of the repository, with its state");
}

}  // namespace

std::string ListUsage() {
  ListOptions o;
  CommandLine cl = ListCommandLine();
  Define(cl, o);
  return cl.Help();
}

Result<ListOptions> ParseListOptions(const std::vector<std::string>& args) {
  ListOptions o;
  CommandLine cl = ListCommandLine();
  Define(cl, o);
  VDIBK_RETURN_IF_ERROR(cl.Parse(args));
  if (o.repo.empty()) return Status::Usage("--repo is required");
  return o;
}

}  // namespace vdibk::coordinator
