// SqlcmdRunner / ProcessSqlExecution.
#include "coordinator/sql/sql_runner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <vector>

namespace vdibk::coordinator {

Result<std::unique_ptr<SqlExecution>> SqlcmdRunner::Start(const std::string& statement) {
  std::vector<std::string> argv{program_, "-S", server_, "-b", "-Q", statement};
  VDIBK_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(argv, true));
  return std::unique_ptr<SqlExecution>(new ProcessSqlExecution(std::move(child)));
}

Result<std::unique_ptr<SqlExecution>> SqlcmdRunner::StartQuery(const std::string& statement) {
  std::vector<std::string> argv{program_, "-S", server_, "-b", "-h",     "-1",
                                "-W",     "-s", ",",     "-Q", statement};
  VDIBK_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(argv, true));
  return std::unique_ptr<SqlExecution>(new ProcessSqlExecution(std::move(child)));
}

ProcessSqlExecution::ProcessSqlExecution(ChildProcess child) : child_(std::move(child)) {
  reader_ = std::thread([this, fd = child_.output_fd()] { ReadLoop(fd); });
}

ProcessSqlExecution::~ProcessSqlExecution() {
  if (child_.running()) {
    child_.Kill(SIGKILL);
    (void)child_.Wait(std::chrono::milliseconds(-1));
  }
  if (reader_.joinable()) reader_.join();
}

void ProcessSqlExecution::ReadLoop(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    output_.append(buf, static_cast<size_t>(n));
  }
}

std::optional<ExitInfo> ProcessSqlExecution::Poll() {
  std::optional<ExitInfo> e = child_.TryReap();
  if (!e) return std::nullopt;
  if (reader_.joinable()) reader_.join();  // the pipe's writer is gone: EOF follows
  return e;
}

ExitInfo ProcessSqlExecution::Wait() {
  std::optional<ExitInfo> e = child_.Wait(std::chrono::milliseconds(-1));
  if (reader_.joinable()) reader_.join();
  return e.value_or(ExitInfo{});
}

std::string ProcessSqlExecution::Output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

void ProcessSqlExecution::Cancel() { child_.Kill(SIGTERM); }

std::string SummarizeSqlErrors(const std::string& output) {
  std::istringstream in(output);
  std::string line, out;
  bool in_error = false;
  while (std::getline(in, line)) {
    if (line.rfind("Msg ", 0) == 0) {
      in_error = true;
      continue;  // the header line; the text follows
    }
    if (in_error && !line.empty()) {
      if (!out.empty()) out += " ";
      out += line;
      in_error = false;
    }
  }
  if (out.empty()) {
    out = output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  }
  return out;
}

}  // namespace vdibk::coordinator
