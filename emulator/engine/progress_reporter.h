// ProgressReporter: WITH STATS[=n] for BACKUP/RESTORE. Device threads add the bytes they move;
// each time the running total crosses another n percent of the expected total the callback gets
// the new percentage ("10 percent processed."). Thread-safe; callback calls are serialized.
#ifndef VDIBK_EMULATOR_ENGINE_PROGRESS_REPORTER_H_
#define VDIBK_EMULATOR_ENGINE_PROGRESS_REPORTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace vdibk::emulator {

class ProgressReporter {
 public:
  // `step` percent between reports (STATS=n; 1..100). `report` is called with multiples of
  // `step` below 100, in increasing order, never twice with the same value; 100 percent is left
  // to the caller (SQL Server prints it once the operation has finished). The callback runs on
  // a device thread under the reporter's lock.
  ProgressReporter(uint32_t step, std::function<void(int percent)> report)
      : step_(step == 0 ? 10 : step), report_(std::move(report)) {}

  // The expected total in bytes (0 = unknown yet: nothing is reported). May be set late, e.g.
  // once a restore has read the backup set header; only the first non-zero value counts.
  void SetTotal(uint64_t total);
  bool has_total() const { return total_.load() != 0; }
  // Adds moved bytes; reports the percentages crossed.
  void Add(uint64_t bytes);
  int last_reported() const { return last_.load(); }

 private:
  void ReportUpTo(uint64_t done);

  const uint32_t step_;
  std::function<void(int)> report_;
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> done_{0};
  std::atomic<int> last_{0};
  std::mutex mu_;
};

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_PROGRESS_REPORTER_H_
