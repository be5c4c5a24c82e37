// EmulatorExecutor: runs T-SQL batches for vdi-emulator. BACKUP/RESTORE go to the backup engine
// over VDI (VIRTUAL_DEVICE) or files (DISK); CREATE/DROP DATABASE, SELECT and PRINT are answered
// directly. Output is SQL Server's: 4035/3014 messages, result sets, errors followed by 3013.
// Thread-safe: each request runs on its own thread, several BACKUP/RESTORE at once.
#ifndef VDIBK_EMULATOR_ENGINE_EXECUTOR_H_
#define VDIBK_EMULATOR_ENGINE_EXECUTOR_H_

#include <memory>
#include <optional>
#include <string>

#include "emulator/db/catalog.h"
#include "emulator/engine/fault_plan.h"
#include "emulator/engine/progress_reporter.h"
#include "emulator/frontend/statement_executor.h"
#include "emulator/tsql/statements.h"

namespace vdibk::emulator {

// SQL Server's advice for snapshot freezes; longer ones get a warning message.
constexpr double kFreezeWarningSeconds = 10.0;

struct ExecutorOptions {
  std::string data_dir;
  FaultPlan faults;  // applied to every BACKUP/RESTORE over VDI (serve --fault) without VDIBK_FAULT
  uint32_t vdi_open_timeout_ms = 5000;
  // BACKUP WITH SNAPSHOT: how long the freeze may wait for writes in progress (workloads).
  uint32_t freeze_wait_ms = 10000;
  // serve --direct-io: BackupOptions / RestoreRequest::direct_io for every BACKUP and RESTORE.
  bool direct_io = false;
  // BACKUP WITH SNAPSHOT: a freeze longer than this gets a level-10 warning (tests shorten it).
  double freeze_warning_seconds = kFreezeWarningSeconds;
};

class EmulatorExecutor : public frontend::IStatementExecutor {
 public:
  explicit EmulatorExecutor(ExecutorOptions options);
  std::optional<SqlError> CheckLogin(const frontend::SqlRequest& request) override;
  void Execute(const frontend::SqlRequest& request, frontend::ISqlSink& sink) override;

 private:
  void RunBackup(const tsql::BackupStatement& s, int line, frontend::ISqlSink& sink);
  void RunRestore(const tsql::RestoreStatement& s, int line, frontend::ISqlSink& sink);
  void RunCreate(const tsql::CreateDatabaseStatement& s, int line, frontend::ISqlSink& sink);
  void RunDrop(const tsql::DropDatabaseStatement& s, int line, frontend::ISqlSink& sink);
  void RunSelect(const tsql::SelectStatement& s, int line, frontend::ISqlSink& sink);
  void RunPrint(const tsql::PrintStatement& s, int line, frontend::ISqlSink& sink);
  // SELECT TOP (n) ... FROM msdb.dbo.backupset (executor_history.cc); `nocount`: SET NOCOUNT ON.
  void RunBackupHistory(const tsql::BackupHistoryQuery& q, int line, bool nocount,
                        frontend::ISqlSink& sink);
  void RunSnapshotRestore(const tsql::RestoreStatement& s, int line, frontend::ISqlSink& sink);
  // WITH STATS[=n]: a reporter that sends "n percent processed." to `sink`; null without STATS.
  static std::unique_ptr<ProgressReporter> MakeProgress(std::optional<int64_t> stats, int line,
                                                        frontend::ISqlSink& sink);
  // Refuses work on a database this executor has frozen (BACKUP WITH SNAPSHOT in progress):
  // `number` 3702 (DROP), 3101 (RESTORE over it), else 3023 (another BACKUP).
  Status CheckNotFrozen(const std::string& database, int number) const;
  // The fault plan of one statement: its WITH VDIBK_FAULT = 'spec' if given (replacing the
  // server's plan; '' = none), else the server's. A bad spec is error 3250.
  Result<FaultPlan> StatementFaults(const std::optional<std::string>& spec) const;

  ExecutorOptions options_;
  Catalog catalog_;
};

// Emits an engine Status as SQL errors (numbers recovered from SqlError text), at `line`.
void EmitErrors(const Status& st, int line, frontend::ISqlSink& sink);
// Emits an engine Status as SQL errors (numbers recovered from SqlError text), then 3013 for
// `operation` ("BACKUP DATABASE", ...).
void EmitFailure(const Status& st, const std::string& operation, int line,
                 frontend::ISqlSink& sink);

// The value of @@VERSION and friends for SELECT / PRINT.
std::string EmulatorVersionString();

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_ENGINE_EXECUTOR_H_
