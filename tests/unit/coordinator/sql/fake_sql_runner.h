// FakeSqlRunner: a SqlRunner whose statements end at once with scripted answers, in order (the
// last answer repeats), recording every statement; for the history lookup, reconcile and commit
// decision tests.
#ifndef VDIBK_TESTS_UNIT_COORDINATOR_SQL_FAKE_SQL_RUNNER_H_
#define VDIBK_TESTS_UNIT_COORDINATOR_SQL_FAKE_SQL_RUNNER_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator::testing {

struct FakeAnswer {
  std::string output;
  int exit_code = 0;
  int signal = 0;
};

// sqlcmd's words for a lost connection (no server verdict).
inline FakeAnswer LinkFailure() {
  return {"Sqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Communication link failure.\n",
          1, 0};
}

class FakeExecution final : public SqlExecution {
 public:
  explicit FakeExecution(FakeAnswer a) : a_(std::move(a)) {}
  std::optional<ExitInfo> Poll() override { return ExitInfo{a_.exit_code, a_.signal}; }
  ExitInfo Wait() override { return ExitInfo{a_.exit_code, a_.signal}; }
  std::string Output() const override { return a_.output; }
  void Cancel() override {}

 private:
  FakeAnswer a_;
};

class FakeSqlRunner final : public SqlRunner {
 public:
  FakeSqlRunner() = default;
  explicit FakeSqlRunner(std::vector<FakeAnswer> answers) : answers_(std::move(answers)) {}
  Result<std::unique_ptr<SqlExecution>> Start(const std::string& statement) override {
    std::lock_guard<std::mutex> lock(mu_);
    statements.push_back(statement);
    FakeAnswer a = answers_.empty() ? FakeAnswer{} : answers_[std::min(next_, answers_.size() - 1)];
    ++next_;
    return std::unique_ptr<SqlExecution>(new FakeExecution(std::move(a)));
  }
  std::vector<std::string> statements;

 private:
  std::mutex mu_;
  std::vector<FakeAnswer> answers_;
  size_t next_ = 0;
};

// One history row line as `sqlcmd -h -1 -W -s ","` prints BuildBackupLookupQuery's answer.
inline std::string HistoryRowLine(uint64_t id, char type, const std::string& first,
                                  const std::string& last, const std::string& name,
                                  bool copy_only = false) {
  return std::to_string(id) + "," + type + "," + (copy_only ? "1" : "0") + "," + first + "," +
         last + "," + last + "," + first + ",NULL,2026-12-07 10:00:00.000," + name + "\n";
}

}  // namespace vdibk::coordinator::testing

#endif  // VDIBK_TESTS_UNIT_COORDINATOR_SQL_FAKE_SQL_RUNNER_H_
