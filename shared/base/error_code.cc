// Names and wire decoding for the error-code registry.
#include "shared/base/error_code.h"

namespace vdibk {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kWarning:
      return "warning";
    case ErrorCode::kFailed:
      return "failed";
    case ErrorCode::kIntegrity:
      return "integrity";
    case ErrorCode::kMissing:
      return "missing";
    case ErrorCode::kAborted:
      return "aborted";
    case ErrorCode::kTargetIo:
      return "target-io";
    case ErrorCode::kSqlError:
      return "sql-error";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kConfiguration:
      return "configuration";
  }
  return "unknown";
}

ErrorCode ErrorCodeFromWire(uint32_t value) {
  switch (value) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 64:
    case 78:
      return static_cast<ErrorCode>(value);
    default:
      return ErrorCode::kFailed;
  }
}

}  // namespace vdibk
