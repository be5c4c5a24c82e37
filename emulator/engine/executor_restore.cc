// EmulatorExecutor: RESTORE DATABASE | LOG | HEADERONLY | FILELISTONLY | VERIFYONLY and
// RESTORE DATABASE x WITH RECOVERY, over VDI or from files.
#include "emulator/base/sql_error.h"
#include "emulator/engine/disk_devices.h"
#include "emulator/engine/executor.h"
#include "emulator/engine/snapshot_restore.h"
#include "emulator/engine/vdi_server_run.h"
#include "emulator/stream/restore_session.h"
#include "emulator/tsql/messages.h"
#include "emulator/tsql/result_set.h"

namespace vdibk::emulator {
namespace {

// What every RESTORE form takes from its statement: target, MOVEs, REPLACE, RECOVERY, devices.
// The mode (and direct I/O) are the caller's.
RestoreRequest StatementRestoreRequest(const tsql::RestoreStatement& s) {
  RestoreRequest ro;
  ro.target_name = s.database;
  for (const auto& m : s.moves) ro.moves.push_back({m.logical_name, m.physical_path});
  ro.replace = s.replace;
  ro.recovery = s.WantsRecovery();
  ro.device_count = static_cast<uint32_t>(s.devices.size());
  for (const auto& d : s.devices) ro.device_names.push_back(d.name);
  return ro;
}

// The VDI run of a RESTORE over virtual devices: its device names, BLOCKSIZE (default 512),
// MAXTRANSFERSIZE (64 KiB), BUFFERCOUNT (0: the server's default) and fault plan.
VdiRunOptions StatementVdiOptions(const tsql::RestoreStatement& s, const RestoreRequest& ro,
                                  const FaultPlan& faults, uint32_t open_timeout_ms) {
  VdiRunOptions vo;
  vo.devices = ro.device_names;
  vo.block_size = static_cast<uint32_t>(s.block_size.value_or(512));
  vo.max_transfer = static_cast<uint32_t>(s.max_transfer_size.value_or(65536));
  vo.buffer_count = static_cast<uint32_t>(s.buffer_count.value_or(0));
  vo.open_timeout_ms = open_timeout_ms;
  vo.faults = faults;
  return vo;
}

void HeaderOnly(const BackupSetInfo& h, frontend::ISqlSink& sink) {
  using namespace tsql;
  sink.BeginResult({NVarCharColumn("BackupName", 128), SmallIntColumn("BackupType"),
                    SmallIntColumn("Position"), NVarCharColumn("ServerName", 128),
                    NVarCharColumn("DatabaseName", 128), DecimalColumn("BackupSize", 20),
                    DecimalColumn("FirstLSN", 25), DecimalColumn("LastLSN", 25),
                    DecimalColumn("CheckpointLSN", 25), DecimalColumn("DatabaseBackupLSN", 25),
                    DateTimeColumn("BackupStartDate"), DateTimeColumn("BackupFinishDate"),
                    BitColumn("HasBackupChecksums"), BitColumn("IsCopyOnly"),
                    BitColumn("IsSnapshot"), NVarCharColumn("RecoveryModel", 60),
                    UniqueIdentifierColumn("BackupSetGUID"), IntColumn("FamilyCount")});
  sink.Row({std::nullopt, std::to_string(h.HeaderOnlyBackupType()), "1", h.server_name,
            h.database_name, std::to_string(h.backup_size), std::to_string(h.first_lsn),
            std::to_string(h.last_lsn), std::to_string(h.checkpoint_lsn),
            std::to_string(h.database_backup_lsn), tsql::DateTimeCell(h.start_time),
            tsql::DateTimeCell(h.finish_time), h.has_checksums ? "1" : "0", h.copy_only ? "1" : "0",
            h.metadata_only ? "1" : "0", h.simple_recovery ? "SIMPLE" : "FULL",
            h.set_guid.ToString(), std::to_string(h.family_count)});
  sink.EndResult(1);
}

void FileListOnly(const std::vector<BackupFileInfo>& files, frontend::ISqlSink& sink) {
  using namespace tsql;
  sink.BeginResult({NVarCharColumn("LogicalName", 128), NVarCharColumn("PhysicalName", 260),
                    NVarCharColumn("Type", 1), NVarCharColumn("FileGroupName", 128),
                    DecimalColumn("Size", 20), DecimalColumn("MaxSize", 20), BigIntColumn("FileId"),
                    DecimalColumn("BackupSizeInBytes", 20)});
  for (const auto& f : files) {
    sink.Row({f.logical_name, f.physical_name, f.type == FileType::kLog ? "L" : "D",
              f.type == FileType::kLog ? std::optional<std::string>() : "PRIMARY",
              std::to_string(f.size), "35184372080640", std::to_string(f.file_id),
              std::to_string(f.backup_bytes)});
  }
  sink.EndResult(files.size());
}

}  // namespace

void EmulatorExecutor::RunRestore(const tsql::RestoreStatement& s, int line,
                                  frontend::ISqlSink& sink) {
  const std::string op = tsql::OperationName(s);
  const bool writes = s.kind == tsql::RestoreKind::kDatabase || s.kind == tsql::RestoreKind::kLog;
  Result<FaultPlan> faults = StatementFaults(s.fault);
  if (!faults.ok()) {
    EmitFailure(faults.status(), op, line, sink);
    return;
  }
  if (writes && !s.database.empty()) {
    Status frozen = CheckNotFrozen(s.database, 3101);
    if (!frozen.ok()) {
      EmitFailure(frozen, op, line, sink);
      return;
    }
  }
  if (s.snapshot && s.kind == tsql::RestoreKind::kDatabase && !s.RecoverOnly()) {
    RunSnapshotRestore(s, line, sink);
    return;
  }
  if (s.RecoverOnly()) {
    Status st = RecoverDatabase(catalog_, s.database);
    if (!st.ok()) {
      EmitErrors(st, line, sink);
      return;
    }
    sink.Message(tsql::msg::At(tsql::msg::SuccessfullyProcessed(op, 0, 0.0), line));
    return;
  }
  bool vdi = true, disk = true;
  for (const auto& d : s.devices) {
    vdi &= d.type == tsql::DeviceType::kVirtualDevice;
    disk &= d.type == tsql::DeviceType::kDisk;
  }
  if (!vdi && !disk) {
    EmitFailure(
        SqlErrorStatus(3201, "Cannot open backup device '" + s.devices[0].name +
                                 "'. vdi-emulator supports VIRTUAL_DEVICE and DISK devices."),
        op, line, sink);
    return;
  }
  RestoreRequest ro = StatementRestoreRequest(s);
  switch (s.kind) {
    case tsql::RestoreKind::kDatabase:
      ro.mode = RestoreMode::kDatabase;
      break;
    case tsql::RestoreKind::kLog:
      ro.mode = RestoreMode::kLog;
      break;
    case tsql::RestoreKind::kHeaderOnly:
      ro.mode = RestoreMode::kHeaderOnly;
      break;
    case tsql::RestoreKind::kFileListOnly:
      ro.mode = RestoreMode::kFileListOnly;
      break;
    default:
      ro.mode = RestoreMode::kVerifyOnly;
      break;
  }
  ro.direct_io = options_.direct_io;
  auto session = RestoreSession::Begin(catalog_, ro);
  if (!session.ok()) {
    EmitFailure(session.status(), op, line, sink);
    return;
  }
  Status st;
  double seconds = 0;
  std::unique_ptr<ProgressReporter> progress = MakeProgress(s.stats, line, sink);
  if (vdi) {
    VdiRunOptions vo = StatementVdiOptions(s, ro, *faults, options_.vdi_open_timeout_ms);
    vo.progress = progress.get();
    VdiRunStats stats;
    st = RunVdiRestore(**session, vo, &stats);
    seconds = stats.seconds;
  } else {
    DiskRunStats stats;
    st = RunDiskRestore(**session, ro.device_names, &stats, progress.get());
    seconds = stats.seconds;
  }
  if (st.ok() && vdi) faults->StallCommit();
  Result<RestoreResult> result = st.ok() ? (*session)->Finish() : Result<RestoreResult>(st);
  if (!result.ok()) {
    EmitFailure(result.status(), op, line, sink);
    return;
  }
  if (vdi && faults->drop_after_commit) {  // restored, but the client hears nothing more
    sink.DropConnection();
    return;
  }
  switch (ro.mode) {
    case RestoreMode::kHeaderOnly:
      HeaderOnly(result->header, sink);
      return;
    case RestoreMode::kFileListOnly:
      FileListOnly(result->file_list, sink);
      return;
    case RestoreMode::kVerifyOnly:
      sink.Message(tsql::msg::At(tsql::msg::BackupSetValid(1), line));
      return;
    default:
      break;
  }
  if (s.stats) sink.Message(tsql::msg::At(tsql::msg::PercentProcessed(100), line));
  int64_t total = 0;
  for (const auto& f : result->file_list) {
    const auto pages = static_cast<int64_t>((f.backup_bytes + 8191) / 8192);
    total += pages;
    sink.Message(
        tsql::msg::At(tsql::msg::ProcessedPages(pages, result->database, f.logical_name), line));
  }
  sink.Message(tsql::msg::At(tsql::msg::SuccessfullyProcessed(op, total, seconds), line));
}

}  // namespace vdibk::emulator

namespace vdibk::emulator {

// RESTORE DATABASE ... FROM VIRTUAL_DEVICE WITH SNAPSHOT: the metadata is read and verified (as
// VERIFYONLY), the restore is checked and planned, VDC_MountSnapshot makes the client put the
// files in place, then the database is registered.
void EmulatorExecutor::RunSnapshotRestore(const tsql::RestoreStatement& s, int line,
                                          frontend::ISqlSink& sink) {
  const std::string op = tsql::OperationName(s);
  Result<FaultPlan> faults = StatementFaults(s.fault);
  if (!faults.ok()) {
    EmitFailure(faults.status(), op, line, sink);
    return;
  }
  for (const auto& d : s.devices) {
    if (d.type != tsql::DeviceType::kVirtualDevice) {
      EmitFailure(SqlErrorStatus(3201, "Cannot open backup device '" + d.name +
                                           "'. RESTORE WITH SNAPSHOT needs a VIRTUAL_DEVICE."),
                  op, line, sink);
      return;
    }
  }
  RestoreRequest ro = StatementRestoreRequest(s);
  ro.mode = RestoreMode::kDatabase;
  RestoreRequest verify = ro;
  verify.mode = RestoreMode::kVerifyOnly;  // reads and checks the metadata, writes nothing
  auto session = RestoreSession::Begin(catalog_, verify);
  if (!session.ok()) {
    EmitFailure(session.status(), op, line, sink);
    return;
  }
  std::optional<SnapshotRestorePlan> plan;
  VdiRunOptions vo = StatementVdiOptions(s, ro, *faults, options_.vdi_open_timeout_ms);
  vo.snapshot = true;
  vo.before_mount = [&]() -> Status {
    Result<RestoreResult> metadata = (*session)->Finish();
    if (!metadata.ok()) return metadata.status();
    Result<SnapshotRestorePlan> p = PlanSnapshotRestore(catalog_, ro, metadata->header);
    if (!p.ok()) return p.status();
    plan = std::move(*p);
    return Status::Ok();
  };
  VdiRunStats stats;
  Status st = RunVdiRestore(**session, vo, &stats);
  if (st.ok() && !plan)
    st = SqlErrorStatus(3203, "Read on \"" + ro.device_names[0] + "\" failed: no metadata.");
  if (st.ok()) faults->StallCommit();
  if (st.ok()) st = CommitSnapshotRestore(catalog_, *plan);
  if (!st.ok()) {
    EmitFailure(st, op, line, sink);
    return;
  }
  if (faults->drop_after_commit) {
    sink.DropConnection();
    return;
  }
  if (s.stats) sink.Message(tsql::msg::At(tsql::msg::PercentProcessed(100), line));
  sink.Message(tsql::msg::At(tsql::msg::SuccessfullyProcessed(op, 0, stats.seconds), line));
}

}  // namespace vdibk::emulator
