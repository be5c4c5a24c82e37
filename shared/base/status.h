// Status: the result of an operation that can fail, as an ErrorCode plus a message.
// OK costs nothing (no allocation). Status is cheap to move and copy; [[nodiscard]] everywhere.
#ifndef VDIBK_SHARED_BASE_STATUS_H_
#define VDIBK_SHARED_BASE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

#include "shared/base/error_code.h"

namespace vdibk {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Failed(std::string msg) { return {ErrorCode::kFailed, std::move(msg)}; }
  static Status Integrity(std::string msg) { return {ErrorCode::kIntegrity, std::move(msg)}; }
  static Status Missing(std::string msg) { return {ErrorCode::kMissing, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {ErrorCode::kAborted, std::move(msg)}; }
  static Status TargetIo(std::string msg) { return {ErrorCode::kTargetIo, std::move(msg)}; }
  static Status SqlError(std::string msg) { return {ErrorCode::kSqlError, std::move(msg)}; }
  static Status Usage(std::string msg) { return {ErrorCode::kUsage, std::move(msg)}; }
  static Status Configuration(std::string msg) {
    return {ErrorCode::kConfiguration, std::move(msg)};
  }
  // An OS error: message gets ": <strerror(err)>" appended.
  static Status FromErrno(ErrorCode code, std::string_view what, int err);

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "integrity: stripe 3: checksum mismatch"; "ok" for OK.
  std::string ToString() const;

  // Returns a copy with "context: " prepended to the message (same code). OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

}  // namespace vdibk

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define VDIBK_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    ::vdibk::Status vdibk_status_tmp_ = (expr);            \
    if (!vdibk_status_tmp_.ok()) return vdibk_status_tmp_; \
  } while (0)

#endif  // VDIBK_SHARED_BASE_STATUS_H_
