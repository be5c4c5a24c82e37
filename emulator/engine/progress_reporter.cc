// ProgressReporter: percentage thresholds crossed by the running byte count.
#include "emulator/engine/progress_reporter.h"

namespace vdibk::emulator {

void ProgressReporter::SetTotal(uint64_t total) {
  uint64_t expected = 0;
  if (total != 0 && total_.compare_exchange_strong(expected, total)) ReportUpTo(done_.load());
}

void ProgressReporter::Add(uint64_t bytes) {
  const uint64_t done = done_.fetch_add(bytes) + bytes;
  if (total_.load() != 0) ReportUpTo(done);
}

void ProgressReporter::ReportUpTo(uint64_t done) {
  const uint64_t total = total_.load();
  if (total == 0) return;
  const uint64_t percent = done >= total ? 100 : done * 100 / total;
  const int target = static_cast<int>(percent / step_ * step_);
  if (target <= last_.load()) return;  // cheap check without the lock
  std::lock_guard lock(mu_);
  for (int p = last_.load() + static_cast<int>(step_); p <= target && p < 100;
       p += static_cast<int>(step_)) {
    if (report_) report_(p);
    last_.store(p);
  }
  if (target > last_.load()) last_.store(target);  // 100: left to the caller
}

}  // namespace vdibk::emulator
