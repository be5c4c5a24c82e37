// PageHasher implementation: a lazily started helper thread takes the first half of a request
// while the caller hashes the second half; a busy helper means the caller does everything.
#include "emulator/stream/page_hasher.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "emulator/db/checksum.h"

namespace vdibk::emulator {
namespace {

void HashRange(const uint8_t* data, size_t begin, size_t end, size_t count, size_t page_size,
               size_t last_len, uint64_t seed, uint64_t* out) {
  for (size_t i = begin; i < end; ++i) {
    const size_t len = i + 1 == count ? last_len : page_size;
    out[i] = ComputeChecksum64(data + i * page_size, len, seed);
  }
}

struct Job {
  const uint8_t* data = nullptr;
  size_t begin = 0, end = 0, count = 0, page_size = 0, last_len = 0;
  uint64_t seed = 0;
  uint64_t* out = nullptr;
};

// One helper for the whole process. Never destroyed: it may be in use until exit.
class Helper {
 public:
  static Helper* Get() {
    static Helper* h = std::thread::hardware_concurrency() > 1 ? new Helper() : nullptr;
    return h;
  }

  // Hands `job` to the helper if it is idle; false when the caller must do it itself.
  bool TryStart(const Job& job) {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock() || busy_) return false;
    job_ = job;
    busy_ = true;
    done_ = false;
    cv_.notify_all();
    return true;
  }

  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    busy_ = false;
  }

 private:
  Helper() {
    std::thread([this] { Run(); }).detach();
  }

  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return busy_ && !done_; });
      Job j = job_;
      lock.unlock();
      HashRange(j.data, j.begin, j.end, j.count, j.page_size, j.last_len, j.seed, j.out);
      lock.lock();
      done_ = true;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  Job job_;
  bool busy_ = false;  // a caller owns the helper (from TryStart to Wait)
  bool done_ = false;  // the helper finished the caller's job
};

}  // namespace

void HashPages(const uint8_t* data, size_t count, size_t page_size, size_t last_len, uint64_t seed,
               uint64_t* out) {
  Helper* helper = count >= kParallelHashMinPages ? Helper::Get() : nullptr;
  const size_t half = count / 2;
  if (helper && helper->TryStart({data, 0, half, count, page_size, last_len, seed, out})) {
    HashRange(data, half, count, count, page_size, last_len, seed, out);
    helper->Wait();
    return;
  }
  HashRange(data, 0, count, count, page_size, last_len, seed, out);
}

}  // namespace vdibk::emulator
