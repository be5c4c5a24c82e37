// The one error-code registry of vdibackup (DESIGN.md §7): stable numbers used in Status, logs,
// process exit codes and on the wire. Never renumber; add new codes at the end of their group.
#ifndef VDIBK_SHARED_BASE_ERROR_CODE_H_
#define VDIBK_SHARED_BASE_ERROR_CODE_H_

#include <cstdint>
#include <string_view>

namespace vdibk {

// Values are the process exit codes. kOk is success; everything else is a failure class.
enum class ErrorCode : uint32_t {
  kOk = 0,
  kWarning = 1,         // finished, with warnings
  kFailed = 2,          // failed (generic / internal)
  kIntegrity = 3,       // data integrity: checksum mismatch, corrupt input
  kMissing = 4,         // missing input or mismatch (device count, set id)
  kAborted = 5,         // aborted (signal, supervisor, peer death, VDI abort)
  kTargetIo = 6,        // target I/O: ENOSPC, EIO, fsync failure
  kSqlError = 7,        // SQL Server (or the emulator) reported an error
  kUsage = 64,          // bad command line
  kConfiguration = 78,  // configuration / environment problem (EX_CONFIG)
};

// Stable lower-case name, e.g. "integrity". Unknown values give "unknown".
std::string_view ErrorCodeName(ErrorCode code);

// The process exit code for `code` (the enum value itself).
inline int ExitCodeFor(ErrorCode code) { return static_cast<int>(code); }

// Maps a wire value back to an ErrorCode; unknown values become kFailed.
ErrorCode ErrorCodeFromWire(uint32_t value);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_ERROR_CODE_H_
