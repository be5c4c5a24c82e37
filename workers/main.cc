// vdibackup-worker: entry point. Parses arguments, installs signal handling, runs the Worker.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "shared/base/log.h"
#include "workers/buffer_mapper.h"
#include "workers/worker.h"

namespace {
std::atomic<bool> g_stop{false};
extern "C" void OnTerm(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (argc == 2 && (args[1] == "--help" || args[1] == "-h")) {
    std::printf("%s\n", vdibk::workers::WorkerUsage());
    return 0;
  }
  auto options = vdibk::workers::ParseWorkerOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "vdibackup-worker: %s\n%s\n", options.status().message().c_str(),
                 vdibk::workers::WorkerUsage());
    return vdibk::ExitCodeFor(options.status().code());
  }
  vdibk::log::SetComponent("vdibackup-worker[" + options->worker_id + "]");
  struct sigaction sa {};
  sa.sa_handler = OnTerm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGINT, SIG_IGN);  // the coordinator handles Ctrl-C and tells us (Abort)
  signal(SIGPIPE, SIG_IGN);
  vdibk::workers::Worker worker(*options, std::make_unique<vdibk::workers::VdiBufferMapper>(),
                                vdibk::transport::SteadyClock::Instance(), &g_stop);
  vdibk::Status st = worker.Run();
  if (!st.ok()) {
    vdibk::log::Error(st.ToString());
    return vdibk::ExitCodeFor(st.code());
  }
  return 0;
}
