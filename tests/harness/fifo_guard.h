// Test helper for "never blocks on a FIFO": runs a call on a thread and reports whether it
// returned in time; if it did not, the FIFOs it may be stuck on are opened and closed by the
// test (a blocked open or read then returns), so the failing test still ends.
#ifndef VDIBK_TESTS_HARNESS_FIFO_GUARD_H_
#define VDIBK_TESTS_HARNESS_FIFO_GUARD_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace vdibk::testing {

// Makes a FIFO at `path` (0600); false if mkfifo failed.
inline bool MakeFifo(const std::string& path) { return ::mkfifo(path.c_str(), 0600) == 0; }

// True when `call` returned within `limit`. Otherwise every path in `fifos` is opened read-write
// and closed (repeatedly, until `call` returns) to release it, and the result is false.
inline bool ReturnsWithin(const std::function<void()>& call, std::chrono::milliseconds limit,
                          const std::vector<std::string>& fifos) {
  std::packaged_task<void()> task(call);
  std::future<void> done = task.get_future();
  std::thread t(std::move(task));
  const bool in_time = done.wait_for(limit) == std::future_status::ready;
  while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    for (const std::string& f : fifos) {
      const int fd = ::open(f.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
    }
  }
  t.join();
  return in_time;
}

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_HARNESS_FIFO_GUARD_H_
