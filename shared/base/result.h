// Result<T>: a value or a non-OK Status (GCC 12 has no std::expected in C++20).
#ifndef VDIBK_SHARED_BASE_RESULT_H_
#define VDIBK_SHARED_BASE_RESULT_H_

#include <cstdlib>
#include <optional>
#include <utility>

#include "shared/base/status.h"

namespace vdibk {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok())
      status_ = Status::Failed("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Precondition: ok(). Calling these on an error aborts the process (a programming error).
  T& value() & {
    CheckOk();
    return *value_;
  }
  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  void CheckOk() const {
    if (!value_) std::abort();
  }
  std::optional<T> value_;
  Status status_;
};

}  // namespace vdibk

// Declares `lhs` from a Result expression or returns its Status from the enclosing function.
#define VDIBK_CONCAT_INNER_(a, b) a##b
#define VDIBK_CONCAT_(a, b) VDIBK_CONCAT_INNER_(a, b)
#define VDIBK_ASSIGN_OR_RETURN(lhs, expr) \
  VDIBK_ASSIGN_OR_RETURN_IMPL_(VDIBK_CONCAT_(vdibk_result_, __LINE__), lhs, expr)
#define VDIBK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#endif  // VDIBK_SHARED_BASE_RESULT_H_
