// ParseBackupOptions: the command line of `vdibackup backup` into a BackupSpec with its defaults (DESIGN.md §7).
#ifndef VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_
#define VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/pipeline/backup_spec.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// Parses the arguments after "backup". `bin_dir` resolves the sqlcmd/worker defaults. Every
// option but --target at most once; an explicit 0 for --devices, --workers or --buffer-count is
// refused (0 in BackupSpec is "not given"). Errors: kUsage naming the argument.
Result<BackupSpec> ParseBackupOptions(const std::vector<std::string>& args,
                                      const std::string& bin_dir);

// The VDI buffers when neither --buffer-count nor --max-transfer-size is given: 4 per device (or
// worker, the more) of 4 MiB while that stays within kDefaultBufferArea of shared memory; past
// it the transfer size halves down to 1 MiB, then the buffers go to 2 per device, then the
// transfer size halves again (not below 64 KiB). Fresh buffer memory is paid per backup on both
// sides (the server zeroes each page, every process faults it in): docs/performance.md.
inline constexpr uint64_t kDefaultBufferArea = 64ull << 20;
struct BufferArea {
  uint32_t buffer_count = 0;
  uint32_t max_transfer_size = 0;
};
BufferArea DefaultBufferArea(uint32_t devices, uint32_t workers);

// The --help text: every option with what it does and its default.
std::string BackupUsage();

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_CLI_BACKUP_OPTIONS_H_
