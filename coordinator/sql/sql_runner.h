// SqlRunner: the seam through which the coordinator runs T-SQL. SqlcmdRunner spawns a
// sqlcmd-compatible program (`-S server -b -Q statement`) and captures its output; tests use a
// fake sqlcmd script or a fake runner.
#ifndef VDIBK_COORDINATOR_SQL_SQL_RUNNER_H_
#define VDIBK_COORDINATOR_SQL_SQL_RUNNER_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "shared/base/child_process.h"
#include "shared/base/result.h"

namespace vdibk::coordinator {

// One running statement. Poll/Wait/Cancel from one thread; Output() from any thread.
class SqlExecution {
 public:
  virtual ~SqlExecution() = default;
  // The exit once the statement has ended and all its output was collected; nullopt before.
  virtual std::optional<ExitInfo> Poll() = 0;
  // Blocks until the end.
  virtual ExitInfo Wait() = 0;
  // Everything printed so far (stdout and stderr interleaved).
  virtual std::string Output() const = 0;
  // Ends the statement's client (SIGTERM); Wait() still reports the exit.
  virtual void Cancel() = 0;
};

class SqlRunner {
 public:
  virtual ~SqlRunner() = default;
  // Starts `statement`; returns at once. Errors: kConfiguration (cannot start the client).
  virtual Result<std::unique_ptr<SqlExecution>> Start(const std::string& statement) = 0;
  // Starts a query whose rows the caller parses: sqlcmd prints them without headers, trimmed
  // and comma-separated (-h -1 -W -s ","). The default is Start (fakes print what they like).
  virtual Result<std::unique_ptr<SqlExecution>> StartQuery(const std::string& statement) {
    return Start(statement);
  }
};

// Runs `<program> -S <server> -b -Q <statement>`.
class SqlcmdRunner final : public SqlRunner {
 public:
  SqlcmdRunner(std::string program, std::string server)
      : program_(std::move(program)), server_(std::move(server)) {}
  Result<std::unique_ptr<SqlExecution>> Start(const std::string& statement) override;
  // `<program> -S <server> -b -h -1 -W -s , -Q <statement>`.
  Result<std::unique_ptr<SqlExecution>> StartQuery(const std::string& statement) override;

 private:
  std::string program_;
  std::string server_;
};

// The SqlExecution of a child process whose output pipe is drained by a reader thread.
class ProcessSqlExecution final : public SqlExecution {
 public:
  explicit ProcessSqlExecution(ChildProcess child);
  ~ProcessSqlExecution() override;  // kills a still-running child, joins the reader
  std::optional<ExitInfo> Poll() override;
  ExitInfo Wait() override;
  std::string Output() const override;
  void Cancel() override;

 private:
  void ReadLoop(int fd);
  ChildProcess child_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::string output_;
};

// The SQL Server error text of a failed statement's output, trimmed for messages: the lines of
// "Msg N, Level L..." and their text; the whole output if none.
std::string SummarizeSqlErrors(const std::string& output);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_SQL_RUNNER_H_
