// ListOptions: the command line of `vdibackup list` (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_LIST_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_LIST_OPTIONS_H_

#include <string>
#include <vector>

#include "shared/base/result.h"

namespace vdibk::coordinator {

struct ListOptions {
  std::string repo;      // --repo (required)
  std::string database;  // --database; default: every database in the repository
  bool json = false;     // --json; default: a table
};

// Parses the arguments after "list". Every option at most once. Errors: kUsage naming the
// argument.
Result<ListOptions> ParseListOptions(const std::vector<std::string>& args);

// The --help text: every option with what it does and its default.
std::string ListUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_LIST_OPTIONS_H_
