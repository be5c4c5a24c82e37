// Cross-process wake-ups on 32-bit words in shared memory (Linux futex, shared variant). A waiter
// never holds anything a dead process could leave locked: it only sleeps with a bounded timeout.
#ifndef VDIBK_SHARED_VDI_SRC_FUTEX_H_
#define VDIBK_SHARED_VDI_SRC_FUTEX_H_

#include <atomic>
#include <cstdint>

namespace vdibk::vdi {

// Sleeps while *word == expected, at most timeout_us microseconds (spurious returns allowed).
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected, int64_t timeout_us);
// Wakes every waiter on word.
void FutexWakeAll(std::atomic<uint32_t>* word);

// Bumps `word` and wakes its waiters if any are registered in `waiters`. Pair with a waiter that
// increments `waiters` before re-checking its condition (all seq_cst, so no wake-up is lost).
inline void Notify(std::atomic<uint32_t>& word, std::atomic<uint32_t>& waiters) {
  word.fetch_add(1, std::memory_order_seq_cst);
  if (waiters.load(std::memory_order_seq_cst) != 0) FutexWakeAll(&word);
}

}  // namespace vdibk::vdi

#endif  // VDIBK_SHARED_VDI_SRC_FUTEX_H_
