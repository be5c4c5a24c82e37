// Stop flag, signal handlers and failure reports of the subcommands.
#include "coordinator/command_support.h"

#include <signal.h>

#include <cstdio>
#include <string>

#include "coordinator/backup_report.h"

namespace vdibk::coordinator {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

const std::atomic<bool>* StopFlag() { return &g_stop; }

void InstallStopSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int ReportCommandFailure(const char* command, const Status& st, bool json) {
  if (json) {
    std::printf("%s\n", FormatErrorJson(static_cast<uint32_t>(st.code()),
                                        std::string(ErrorCodeName(st.code())), st.message())
                            .c_str());
  }
  std::fprintf(stderr, "vdibackup: %s failed: %s\n", command, st.ToString().c_str());
  return ExitCodeFor(st.code());
}

}  // namespace vdibk::coordinator
