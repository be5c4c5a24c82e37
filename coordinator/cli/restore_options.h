// ParseRestoreOptions: the command line of `vdibackup restore` into a RestoreSpec with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_RESTORE_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_RESTORE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/pipeline/restore_spec.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// Parses the arguments after "restore". Every option but --move at most once. Errors: kUsage
// naming the argument.
Result<RestoreSpec> ParseRestoreOptions(const std::vector<std::string>& args,
                                        const std::string& bin_dir);

// The --help text: every option with what it does and its default.
std::string RestoreUsage();

// --until TIME in UTC: "20240131T235959Z" (the set directory stamp) or ISO-8601
// "2024-01-31T23:59:59[.mmm][Z|+hh:mm|-hh:mm]" (also with a space for the T) -> unix ms. A time
// without milliseconds covers its whole second (.999), so a set directory's own stamp includes
// that set. Errors: kUsage.
Result<int64_t> ParseUntilTime(const std::string& text);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_RESTORE_OPTIONS_H_
