// libsqlvdi benchmarks: one command's round trip (server SendCommand -> client GetCommand ->
// CompleteCommand -> server completion routine) with the client in another process, next to a
// raw process-to-process semaphore ping-pong (the floor); and commands/s at 64 KiB and 4 MiB
// transfers over 1 and 8 devices. Results go to docs/performance.md (bench/run_vdi_bench.sh).
#include <benchmark/benchmark.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "vdi.h"
#include "vdi_server.h"
#include "vdierror.h"

namespace {

using vdibk::vdi::ServerVirtualDevice;
using vdibk::vdi::ServerVirtualDeviceSet;

// ---- the floor: two processes bouncing a token over process-shared semaphores ---------------

void BM_SemaphorePingPong(benchmark::State& state) {
  auto* sems = static_cast<sem_t*>(
      mmap(nullptr, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  sem_init(&sems[0], 1, 0);
  sem_init(&sems[1], 1, 0);
  pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
      sem_wait(&sems[0]);
      sem_post(&sems[1]);
    }
  }
  for (auto _ : state) {
    sem_post(&sems[0]);
    sem_wait(&sems[1]);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  munmap(sems, 2 * sizeof(sem_t));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SemaphorePingPong)->UseRealTime();

// ---- VDI: client process + in-process server --------------------------------------------------

// The client process: creates the set, opens every device and completes every command.
[[noreturn]] void RunClient(const std::string& name, uint32_t devices) {
  ClientVirtualDeviceSet vds;
  VDConfig cfg{};
  cfg.deviceCount = devices;
  if (vds.Create(const_cast<char*>(name.c_str()), &cfg) != NOERROR) _exit(1);
  // Bounded: a server that died before configuring must not leave this process behind.
  if (vds.GetConfiguration(30000, &cfg) != NOERROR) _exit(2);
  std::vector<std::thread> threads;
  for (uint32_t d = 0; d < devices; ++d) {
    threads.emplace_back([&, d] {
      std::string dn = d == 0 ? name : name + std::to_string(d);
      ClientVirtualDevice* dev = nullptr;
      if (vds.OpenDevice(const_cast<char*>(dn.c_str()), &dev) != NOERROR) return;
      VDC_Command* c = nullptr;
      while (dev->GetCommand(-1, &c) == NOERROR) {
        volatile uint8_t touch = c->buffer ? c->buffer[0] : 0;  // the client sees the data
        (void)touch;
        dev->CompleteCommand(c, ERROR_SUCCESS, static_cast<unsigned long>(c->size), 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  vds.Close();
  _exit(0);
}

// A completion flag waited on with a plain futex (libstdc++'s atomic::wait yields the CPU in
// its spin phase, which on a busy 2-core machine costs whole scheduler slices).
struct Waiter {
  std::atomic<uint32_t> done{0};
  void Wait() {
    while (done.load(std::memory_order_acquire) == 0) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&done), FUTEX_WAIT_PRIVATE, 0, nullptr,
              nullptr, 0);
    }
  }
};

void OnComplete(VDS_Command* c) {
  auto* w = static_cast<Waiter*>(c->completionContext);
  w->done.store(1, std::memory_order_release);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w->done), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr,
          0);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "vdi_roundtrip_bench: %s\n", what.c_str());
  std::abort();
}

void Check(int rc, const char* call) {
  if (rc != NOERROR)
    Die(std::string(call) + " failed: 0x" + [&] {
      char b[16];
      std::snprintf(b, sizeof(b), "%08x", static_cast<unsigned>(rc));
      return std::string(b);
    }());
}

// Server side of one benchmark run; the client runs in a forked process.
class Session {
 public:
  Session(uint32_t devices, uint32_t transfer, uint32_t depth) : devices_(devices) {
    name_ = "vdibench-" + std::to_string(getpid()) + "-" + std::to_string(counter_++);
    const pid_t parent = getpid();
    child_ = fork();
    if (child_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed benchmark
      if (getppid() != parent) _exit(3);
      RunClient(name_, devices);
    }
    while (set_.Open(name_.c_str()) != NOERROR) {  // set not created yet
      if (waitpid(child_, nullptr, WNOHANG) == child_) Die("client exited before creating the set");
      std::this_thread::yield();
    }
    Check(set_.BeginConfiguration(VDF_WriteMedia, 65536, 0, transfer, 0), "BeginConfiguration");
    Check(set_.RequestBuffers(transfer, 0, devices * depth), "RequestBuffers");
    for (uint32_t d = 0; d < devices; ++d) {
      ServerVirtualDevice* dev = nullptr;
      std::string dn = d == 0 ? name_ : name_ + std::to_string(d);
      Check(set_.OpenDevice(dn.c_str(), &dev), "OpenDevice");
      devs_.push_back(dev);
    }
    Check(set_.EndConfiguration(), "EndConfiguration");
    for (uint32_t i = 0; i < devices * depth; ++i) {
      uint8_t* b = nullptr;
      Check(set_.AllocateBuffer(&b, transfer, 0), "AllocateBuffer");
      std::memset(b, 0x5A, transfer);
      buffers_.push_back(b);
    }
    agent_ = std::thread([this] { set_.ExecuteCompletionAgent(); });
  }
  ~Session() {
    for (auto* d : devs_) d->CloseDevice();
    agent_.join();
    set_.Close();
    waitpid(child_, nullptr, 0);
  }
  ServerVirtualDevice* dev(uint32_t d) { return devs_[d]; }
  uint8_t* buffer(uint32_t i) { return buffers_[i]; }

 private:
  static inline int counter_ = 0;
  uint32_t devices_;
  std::string name_;
  pid_t child_;
  ServerVirtualDeviceSet set_;
  std::vector<ServerVirtualDevice*> devs_;
  std::vector<uint8_t*> buffers_;
  std::thread agent_;
};

// One command at a time: the latency of a full round trip.
void BM_VdiRoundTrip(benchmark::State& state) {
  Session s(1, 65536, 1);
  Waiter w;
  VDS_Command cmd{};
  cmd.commandCode = VDC_Write;
  cmd.size = 512;
  cmd.buffer = s.buffer(0);
  cmd.completionRoutine = reinterpret_cast<void*>(&OnComplete);
  cmd.completionContext = &w;
  for (auto _ : state) {
    w.done.store(0);
    s.dev(0)->SendCommand(&cmd);
    w.Wait();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VdiRoundTrip)->UseRealTime();

// The same round trip as SQL Server's I/O completion threads drive it: the completion routine
// (on the completion agent thread) sends the next command itself, so each round trip is exactly
// two cross-process hand-offs, like the semaphore ping-pong. Time per item = one round trip.
struct Chain {
  ServerVirtualDevice* dev = nullptr;
  VDS_Command cmd{};
  int64_t left = 0;
  Waiter finished;
};

void OnChainComplete(VDS_Command* c) {
  auto* chain = static_cast<Chain*>(c->completionContext);
  if (--chain->left > 0) {
    chain->dev->SendCommand(&chain->cmd);
    return;
  }
  chain->finished.done.store(1, std::memory_order_release);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&chain->finished.done), FUTEX_WAKE_PRIVATE, 1,
          nullptr, nullptr, 0);
}

void BM_VdiRoundTripChained(benchmark::State& state) {
  constexpr int64_t kBatch = 1000;
  Session s(1, 65536, 1);
  Chain chain;
  chain.dev = s.dev(0);
  chain.cmd.commandCode = VDC_Write;
  chain.cmd.size = 512;
  chain.cmd.buffer = s.buffer(0);
  chain.cmd.completionRoutine = reinterpret_cast<void*>(&OnChainComplete);
  chain.cmd.completionContext = &chain;
  for (auto _ : state) {
    chain.left = kBatch;
    chain.finished.done.store(0);
    s.dev(0)->SendCommand(&chain.cmd);
    chain.finished.Wait();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_VdiRoundTripChained)->UseRealTime();

// `depth` commands in flight per device, one server thread per device (as SQL Server does).
void BM_VdiThroughput(benchmark::State& state) {
  const auto transfer = static_cast<uint32_t>(state.range(0));
  const auto devices = static_cast<uint32_t>(state.range(1));
  constexpr uint32_t kDepth = 4;
  Session s(devices, transfer, kDepth);
  std::atomic<int64_t> total{0};
  for (auto _ : state) {
    const int64_t per_device = 2000 * 65536 / transfer + 50;
    std::vector<std::thread> senders;
    for (uint32_t d = 0; d < devices; ++d) {
      senders.emplace_back([&, d] {
        Waiter waiters[kDepth];
        VDS_Command cmds[kDepth] = {};
        for (int64_t i = 0; i < per_device; ++i) {
          uint32_t k = static_cast<uint32_t>(i % kDepth);
          if (i >= kDepth) {
            waiters[k].Wait();
          }
          waiters[k].done.store(0);
          cmds[k].commandCode = VDC_Write;
          cmds[k].size = transfer;
          cmds[k].buffer = s.buffer(d * kDepth + k);
          cmds[k].completionRoutine = reinterpret_cast<void*>(&OnComplete);
          cmds[k].completionContext = &waiters[k];
          s.dev(d)->SendCommand(&cmds[k]);
        }
        for (auto& w : waiters) {
          w.Wait();
        }
        total += per_device;
      });
    }
    for (auto& t : senders) t.join();
  }
  state.SetItemsProcessed(total.load());
  state.SetBytesProcessed(total.load() * transfer);
}
BENCHMARK(BM_VdiThroughput)
    ->ArgNames({"transfer", "devices"})
    ->Args({65536, 1})
    ->Args({65536, 8})
    ->Args({4 << 20, 1})
    ->Args({4 << 20, 8})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
