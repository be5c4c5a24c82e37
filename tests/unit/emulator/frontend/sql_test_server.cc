// sql_test_server: a SqlListener with the TestStatementExecutor in a process of its own, so the
// connection tests can SIGSTOP or kill -9 the server. Usage:
//   sql_test_server --listen ENDPOINT [--keepalive-ms MS] [--silent-ms MS]
// Prints "sql_test_server: listening on ENDPOINT" once bound and "sql_test_server: executing
// <batch>" as each request starts (its readiness signals); runs until SIGTERM/SIGINT.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "emulator/frontend/sql_listener.h"
#include "emulator/frontend/test_executor.h"

namespace {

using vdibk::emulator::frontend::SqlListener;
using vdibk::emulator::frontend::SqlListenerOptions;
using vdibk::emulator::frontend::SqlRequest;
using vdibk::emulator::frontend::TestStatementExecutor;

int Usage() {
  std::fprintf(stderr,
               "usage: sql_test_server --listen ENDPOINT [--keepalive-ms MS] [--silent-ms MS]\n");
  return 2;
}

bool ToMs(const char* text, std::chrono::milliseconds* out) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < 0) return false;
  *out = std::chrono::milliseconds(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  SqlListenerOptions lo;
  lo.server_name = "testhost";
  TestStatementExecutor::Options eo;
  for (int i = 1; i < argc; ++i) {
    if (i + 1 >= argc) return Usage();
    const char* value = argv[++i];
    if (std::strcmp(argv[i - 1], "--listen") == 0) {
      lo.endpoint = value;
    } else if (std::strcmp(argv[i - 1], "--keepalive-ms") == 0) {
      if (!ToMs(value, &lo.keepalive)) return Usage();
    } else if (std::strcmp(argv[i - 1], "--silent-ms") == 0) {
      if (!ToMs(value, &eo.silent_for)) return Usage();
    } else {
      return Usage();
    }
  }
  if (lo.endpoint.empty()) return Usage();
  std::mutex out_mu;
  eo.on_request = [&out_mu](const SqlRequest& request) {
    std::lock_guard<std::mutex> lock(out_mu);
    std::string first_line = request.text.substr(0, request.text.find('\n'));
    std::printf("sql_test_server: executing %s\n", first_line.c_str());
    std::fflush(stdout);
  };
  sigset_t stop;  // blocked before any thread starts: only sigwait() below receives them
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  TestStatementExecutor executor(eo);
  auto listener = SqlListener::Start(lo, &executor);
  if (!listener.ok()) {
    std::fprintf(stderr, "sql_test_server: %s\n", listener.status().message().c_str());
    return 1;
  }
  {
    std::lock_guard<std::mutex> lock(out_mu);
    std::printf("sql_test_server: listening on %s\n", (*listener)->endpoint().c_str());
    std::fflush(stdout);
  }
  int sig = 0;
  sigwait(&stop, &sig);
  (*listener)->Stop();
  return 0;
}
