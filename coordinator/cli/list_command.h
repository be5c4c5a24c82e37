// `vdibackup list`: one line per backup set of the repository (database, set, time, type, sizes,
// devices, chain position, state) as a table, or a JSON document with --json.
#ifndef VDIBK_COORDINATOR_CLI_LIST_COMMAND_H_
#define VDIBK_COORDINATOR_CLI_LIST_COMMAND_H_

#include <string>
#include <vector>

#include "coordinator/repo/repo_catalog.h"

namespace vdibk::coordinator {

// "full", "diff", "log", with " copy-only" appended for copy-only backups.
std::string SetTypeLabel(const CatalogSet& s);
// "full" for a good full, "diff of <base>", "log 3 of <base>", "no base full", or "-".
std::string ChainLabel(const CatalogSet& s);

std::string FormatListTable(const RepoCatalog& catalog);
std::string FormatListJson(const RepoCatalog& catalog);

// `args` are the arguments after "list". Returns the exit code.
int RunListCommand(const std::vector<std::string>& args);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_LIST_COMMAND_H_
