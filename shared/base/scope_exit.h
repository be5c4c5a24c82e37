// ScopeExit: runs a callable when the scope ends, unless Dismiss()ed. For one-off cleanups.
#ifndef VDIBK_SHARED_BASE_SCOPE_EXIT_H_
#define VDIBK_SHARED_BASE_SCOPE_EXIT_H_

#include <utility>

namespace vdibk {

template <typename F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() {
    if (armed_) f_();
  }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  void Dismiss() { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_SCOPE_EXIT_H_
