// EmulatorExecutor: batch parsing and dispatch, BACKUP and RESTORE statements.
#include "emulator/engine/executor.h"

#include <unistd.h>

#include <cmath>
#include <variant>

#include "emulator/base/sql_error.h"
#include "emulator/engine/database_freeze.h"
#include "emulator/engine/disk_devices.h"
#include "emulator/engine/progress_reporter.h"
#include "emulator/engine/vdi_server_run.h"
#include "emulator/stream/backup_session.h"
#include "emulator/stream/restore_session.h"
#include "emulator/tsql/messages.h"
#include "emulator/tsql/option_validation.h"
#include "emulator/tsql/parser.h"

namespace vdibk::emulator {
namespace {

constexpr uint64_t kBytesPerPage = 8192;

bool AllOfType(const std::vector<tsql::BackupDevice>& devices, tsql::DeviceType type) {
  for (const auto& d : devices) {
    if (d.type != type) return false;
  }
  return true;
}

std::vector<std::string> Names(const std::vector<tsql::BackupDevice>& devices) {
  std::vector<std::string> out;
  for (const auto& d : devices) out.push_back(d.name);
  return out;
}

// The 3197/3198 pair SQL Server logs around a snapshot freeze, the time, and a warning past 10 s.
void FreezeMessages(const std::string& db, double seconds, double warn_seconds, int line,
                    frontend::ISqlSink& sink) {
  sink.Message({3197, 0, 1,
                "I/O is frozen on database " + db +
                    ". No user action is required. However, if "
                    "I/O is not resumed promptly, you could cancel the backup.",
                line, ""});
  sink.Message({3198, 0, 1, "I/O was resumed on database " + db + ". No user action is required.",
                line, ""});
  char text[160];
  std::snprintf(text, sizeof text, "Database %s was frozen for %.3f seconds.", db.c_str(), seconds);
  sink.Message({0, 0, 1, text, line, ""});
  if (seconds > warn_seconds) {
    std::snprintf(text, sizeof text,
                  "Warning: I/O on database %s was frozen for %.1f seconds; keep snapshot "
                  "freezes to %g seconds or less.",
                  db.c_str(), seconds, warn_seconds);
    sink.Message({0, 10, 1, text, line, ""});
  }
}

}  // namespace

std::unique_ptr<ProgressReporter> EmulatorExecutor::MakeProgress(std::optional<int64_t> stats,
                                                                 int line,
                                                                 frontend::ISqlSink& sink) {
  if (!stats) return nullptr;
  return std::make_unique<ProgressReporter>(static_cast<uint32_t>(*stats), [&sink, line](int p) {
    sink.Message(tsql::msg::At(tsql::msg::PercentProcessed(p), line));
  });
}

Status EmulatorExecutor::CheckNotFrozen(const std::string& database, int number) const {
  if (!IsFrozen(catalog_, database)) return Status::Ok();
  switch (number) {
    case 3702:
      return SqlErrorStatus(
          3702, "Cannot drop database \"" + database + "\" because it is currently in use.");
    case 3101:
      return SqlErrorStatus(3101,
                            "Exclusive access could not be obtained because the database is in "
                            "use.");
    default:
      return SqlErrorStatus(3023,
                            "Backup, file manipulation operations (such as ALTER DATABASE ADD "
                            "FILE) and encryption changes on a database must be serialized. "
                            "Reissue the statement after the current backup or file "
                            "manipulation operation is completed.");
  }
}

void EmitErrors(const Status& st, int line, frontend::ISqlSink& sink) {
  const SqlMessages errors = SqlMessagesFromStatus(st);
  for (SqlError e : errors.items()) {
    e.line = line;
    sink.Error(e);
  }
}

void EmitFailure(const Status& st, const std::string& operation, int line,
                 frontend::ISqlSink& sink) {
  EmitErrors(st, line, sink);
  sink.Error(tsql::msg::At(tsql::msg::TerminatingAbnormally(operation), line));
}

std::string EmulatorVersionString() {
  return "vdi-emulator 0.1 (vdibackup) - a stand-in for Microsoft SQL Server's side of VDI on "
         "Linux";
}

EmulatorExecutor::EmulatorExecutor(ExecutorOptions options)
    : options_(std::move(options)), catalog_(options_.data_dir) {}

std::optional<SqlError> EmulatorExecutor::CheckLogin(const frontend::SqlRequest& request) {
  if (request.database.empty() || request.database == "master") return std::nullopt;
  if (catalog_.Exists(request.database)) return std::nullopt;
  return SqlError{
      4060,
      11,
      1,
      "Cannot open database \"" + request.database + "\" requested by the login. The login failed.",
      1,
      ""};
}

void EmulatorExecutor::Execute(const frontend::SqlRequest& request, frontend::ISqlSink& sink) {
  tsql::ParseOutput parsed = tsql::Parse(request.text);
  if (!parsed.ok()) {
    sink.Emit(parsed.errors);
    return;
  }
  bool nocount = false;  // SET NOCOUNT ON|OFF, for the rest of the batch
  for (const tsql::Statement& st : parsed.batch.statements) {
    if (sink.Cancelled()) return;
    SqlMessages problems = tsql::ValidateStatement(st);
    if (problems.HasError()) {
      sink.Emit(problems);
      continue;
    }
    std::visit(
        [&](const auto& s) {
          using T = std::decay_t<decltype(s)>;
          if constexpr (std::is_same_v<T, tsql::BackupStatement>) {
            RunBackup(s, st.line, sink);
          } else if constexpr (std::is_same_v<T, tsql::RestoreStatement>) {
            RunRestore(s, st.line, sink);
          } else if constexpr (std::is_same_v<T, tsql::CreateDatabaseStatement>) {
            RunCreate(s, st.line, sink);
          } else if constexpr (std::is_same_v<T, tsql::DropDatabaseStatement>) {
            RunDrop(s, st.line, sink);
          } else if constexpr (std::is_same_v<T, tsql::SelectStatement>) {
            if (s.backup_history) {
              RunBackupHistory(*s.backup_history, st.line, nocount, sink);
            } else {
              RunSelect(s, st.line, sink);
            }
          } else if constexpr (std::is_same_v<T, tsql::PrintStatement>) {
            RunPrint(s, st.line, sink);
          } else if constexpr (std::is_same_v<T, tsql::AlterDatabaseStatement>) {
            sink.Error(
                tsql::msg::At(tsql::msg::UnsupportedStatement("ALTER DATABASE", st.line), st.line));
          } else if constexpr (std::is_same_v<T, tsql::SetStatement>) {
            if (s.option == "NOCOUNT") nocount = s.on;
          }
          // USE and the other SET options change nothing the emulator tracks.
        },
        st.body);
  }
}

Result<FaultPlan> EmulatorExecutor::StatementFaults(const std::optional<std::string>& spec) const {
  if (!spec) return options_.faults;
  Result<FaultPlan> plan = FaultPlan::Parse(*spec);
  if (!plan.ok()) {
    return SqlErrorStatus(3250, "The value '" + *spec +
                                    "' is not within range for the VDIBK_FAULT "
                                    "parameter (" +
                                    plan.status().message() + ").");
  }
  return plan;
}

void EmulatorExecutor::RunBackup(const tsql::BackupStatement& s, int line,
                                 frontend::ISqlSink& sink) {
  const std::string op = tsql::OperationName(s);
  const bool vdi = AllOfType(s.devices, tsql::DeviceType::kVirtualDevice);
  if (!vdi && !AllOfType(s.devices, tsql::DeviceType::kDisk)) {
    EmitFailure(
        SqlErrorStatus(3201, "Cannot open backup device '" + s.devices[0].name +
                                 "'. vdi-emulator supports VIRTUAL_DEVICE and DISK devices."),
        op, line, sink);
    return;
  }
  BackupOptions bo;
  bo.kind = s.kind == tsql::BackupKind::kLog ? BackupKind::kLog
            : s.differential                 ? BackupKind::kDifferential
                                             : BackupKind::kFull;
  bo.copy_only = s.copy_only;
  bo.direct_io = options_.direct_io;
  bo.name = s.name.value_or("");
  bo.checksum = s.checksum.value_or(false);
  bo.metadata_only = s.snapshot;
  bo.devices = static_cast<uint32_t>(s.devices.size());
  bo.block_size = static_cast<uint32_t>(s.block_size.value_or(vdi ? 512 : 65536));
  Result<FaultPlan> faults = StatementFaults(s.fault);
  if (!faults.ok()) {
    EmitFailure(faults.status(), op, line, sink);
    return;
  }
  // A database frozen by a snapshot backup of this server takes no other backup meanwhile.
  Status frozen = CheckNotFrozen(s.database, 3023);
  if (!frozen.ok()) {
    EmitFailure(frozen, op, line, sink);
    return;
  }
  auto job = BackupSession::Begin(catalog_, s.database, bo);
  if (!job.ok()) {
    EmitFailure(job.status(), op, line, sink);
    return;
  }
  Status st;
  double seconds = 0, frozen_seconds = -1;
  std::unique_ptr<ProgressReporter> progress = MakeProgress(s.stats, line, sink);
  if (progress) progress->SetTotal((*job)->info().backup_size);
  if (vdi) {
    VdiRunOptions ro;
    ro.devices = Names(s.devices);
    ro.block_size = bo.block_size;
    ro.max_transfer = static_cast<uint32_t>(s.max_transfer_size.value_or(65536));
    ro.buffer_count = static_cast<uint32_t>(s.buffer_count.value_or(0));
    ro.open_timeout_ms = options_.vdi_open_timeout_ms;
    ro.faults = *faults;
    ro.progress = progress.get();
    ro.snapshot = s.snapshot;
    if (s.snapshot) {
      ro.freeze = [this, db = s.database] {
        return DatabaseFreeze::Freeze(catalog_, db, options_.freeze_wait_ms);
      };
    }
    VdiRunStats stats;
    st = RunVdiBackup(**job, ro, &stats);
    seconds = stats.seconds;
    frozen_seconds = stats.frozen_seconds;
  } else {
    DiskRunStats stats;
    st = RunDiskBackup(**job, Names(s.devices),
                       static_cast<uint32_t>(s.max_transfer_size.value_or(1 << 20)), &stats,
                       progress.get());
    seconds = stats.seconds;
  }
  if (frozen_seconds >= 0) {
    FreezeMessages(s.database, frozen_seconds, options_.freeze_warning_seconds, line, sink);
  }
  // The backup counts only once every device finished: then history, base and log change.
  if (st.ok() && vdi) faults->StallCommit();
  if (st.ok()) st = (*job)->Commit();
  if (!st.ok()) {
    EmitFailure(st, op, line, sink);
    return;
  }
  if (vdi && faults->drop_after_commit) {  // committed, but the client hears nothing more
    sink.DropConnection();
    return;
  }
  if (s.stats) sink.Message(tsql::msg::At(tsql::msg::PercentProcessed(100), line));
  int64_t total_pages = 0;
  for (const BackupFileInfo& f : (*job)->info().files) {
    const auto pages = static_cast<int64_t>((f.backup_bytes + kBytesPerPage - 1) / kBytesPerPage);
    total_pages += pages;
    sink.Message(tsql::msg::At(tsql::msg::ProcessedPages(pages, s.database, f.logical_name), line));
  }
  sink.Message(tsql::msg::At(
      tsql::msg::SuccessfullyProcessed(tsql::SuccessOperationName(s), total_pages, seconds), line));
}

}  // namespace vdibk::emulator
