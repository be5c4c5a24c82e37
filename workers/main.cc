// vdibackup-worker: entry point. Parses arguments, installs signal handling, runs the Worker.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "shared/base/command_line.h"
#include "shared/base/log.h"
#include "workers/buffer_mapper.h"
#include "workers/failpoint.h"
#include "workers/worker.h"

namespace {
std::atomic<bool> g_stop{false};
extern "C" void OnTerm(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (vdibk::WantsHelp({args.begin() + 1, args.end()})) {
    std::printf("%s", vdibk::workers::WorkerUsage().c_str());
    return 0;
  }
  auto options = vdibk::workers::ParseWorkerOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "vdibackup-worker: %s\n(vdibackup-worker --help lists the options)\n",
                 options.status().message().c_str());
    return vdibk::ExitCodeFor(options.status().code());
  }
  vdibk::log::SetComponent("vdibackup-worker[" + options->worker_id + "]");
  if (const char* fp = std::getenv(vdibk::workers::Failpoint::kEnvironmentVariable)) {
    if (auto f = vdibk::workers::Failpoint::Parse(fp, options->worker_id); !f.ok()) {
      std::fprintf(stderr, "vdibackup-worker: %s\n", f.status().message().c_str());
      return vdibk::ExitCodeFor(f.status().code());
    }
    options->failpoint = fp;
  }
  struct sigaction sa {};
  sa.sa_handler = OnTerm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGINT, SIG_IGN);  // the coordinator handles Ctrl-C and tells us (Abort)
  signal(SIGPIPE, SIG_IGN);
  vdibk::workers::TargetFactory make_target;  // null: the default
  if (const char* tf = std::getenv(vdibk::workers::kTargetFaultVariable)) {
    auto spec = vdibk::workers::ParseTargetFault(tf);
    if (!spec.ok()) {
      std::fprintf(stderr, "vdibackup-worker: %s\n", spec.status().message().c_str());
      return vdibk::ExitCodeFor(spec.status().code());
    }
    if (*spec) {
      make_target = [faults = **spec](const vdibk::transport::Assign& a, const std::string& dir)
          -> vdibk::Result<std::unique_ptr<vdibk::stripe::Target>> {
        auto inner = vdibk::workers::DefaultTarget(a, dir);
        if (!inner.ok()) return inner.status();
        return vdibk::workers::WithFaults(std::move(inner).value(), faults);
      };
    }
  }
  vdibk::workers::Worker worker(*options, std::make_unique<vdibk::workers::VdiBufferMapper>(),
                                vdibk::SteadyClock::Instance(), &g_stop,
                                std::move(make_target));
  vdibk::Status st = worker.Run();
  if (!st.ok()) {
    vdibk::log::Error(st.ToString());
    return vdibk::ExitCodeFor(st.code());
  }
  return 0;
}
