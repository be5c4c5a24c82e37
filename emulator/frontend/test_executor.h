// A self-contained IStatementExecutor for tests and demos: parses and validates with emulator/tsql
// and answers with canned but realistic output (progress, 3014, result sets, errors) without
// touching disks or VDI. Databases live in memory.
#ifndef VDIBK_EMULATOR_FRONTEND_TEST_EXECUTOR_H_
#define VDIBK_EMULATOR_FRONTEND_TEST_EXECUTOR_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "emulator/frontend/statement_executor.h"
#include "emulator/tsql/statements.h"

namespace vdibk::emulator::frontend {

// Behaviour by name (so tests can steer it through plain T-SQL):
//   BACKUP/RESTORE of database "missing"            -> 911 + 3013
//   BACKUP/RESTORE of database "slow"               -> progress until the request is cancelled
//   BACKUP/RESTORE of database "silent"             -> nothing for `silent_for` (0: until the
//                                                      request is cancelled), then success
//   BACKUP/RESTORE of database "dropped"            -> progress, then DropConnection (no Done)
//   DISK='/nonexistent...' devices                  -> 3201 + 3013
//   BACKUP LOG of "simple"                           -> 4208 + 3013
//   CREATE/DROP/USE follow the in-memory database list (master, model, msdb, tempdb + extra).
class TestStatementExecutor : public IStatementExecutor {
 public:
  struct Options {
    std::set<std::string> databases = {"master", "model", "msdb", "tempdb"};
    // Pause between progress messages (STATS and "slow" backups). Default: none.
    std::chrono::milliseconds progress_step{0};
    int64_t data_pages = 344;
    int64_t log_pages = 2;
    // How long a "silent" statement sends nothing. Default: until cancelled.
    std::chrono::milliseconds silent_for{0};
    // Called on the request's thread before it runs (a test server announces statements).
    std::function<void(const SqlRequest&)> on_request;
  };
  TestStatementExecutor() : TestStatementExecutor(Options{}) {}
  explicit TestStatementExecutor(Options options);

  std::optional<SqlError> CheckLogin(const SqlRequest& request) override;
  void Execute(const SqlRequest& request, ISqlSink& sink) override;

  bool HasDatabase(const std::string& name) const;
  // Waits until `count` "slow"/"silent" statements have seen their request cancelled.
  bool WaitForCancelled(int count, std::chrono::milliseconds timeout);

 private:
  bool RunBackupOrRestore(const tsql::Statement& st, ISqlSink& sink);
  // "silent": true if the silence ended without a cancel.
  bool StaySilent(ISqlSink& sink);
  void NoteCancelled();
  void RunSelect(const tsql::SelectStatement& s, bool nocount, const SqlRequest& request,
                 ISqlSink& sink);

  Options options_;
  mutable std::mutex mu_;  // guards options_.databases and cancelled_
  std::condition_variable cancelled_cv_;
  int cancelled_ = 0;
};

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_TEST_EXECUTOR_H_
