// Stop flag, signal handlers and failure reports of the subcommands.
#include "coordinator/cli/command_support.h"

#include <signal.h>

#include <charconv>
#include <cstdio>
#include <string>

#include "coordinator/pipeline/backup_report.h"

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

Result<uint32_t> ParseU32(const std::string& flag, const std::string& v) {
  uint32_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Status::Usage(flag + " needs a non-negative integer, got '" + v + "'");
  }
  return out;
}

}  // namespace vdibk::coordinator
