// PromoteSet: PENDING manifest + history row -> COMPLETE manifest.
#include "coordinator/repo/set_promotion.h"

#include <array>
#include <cstring>

#include "shared/stripe/directory_target.h"
#include "shared/stripe/manifest_io.h"

namespace vdibk::coordinator {

std::string HistoryNameOf(const proto::Manifest& m) {
  if (!m.history_name().empty()) return m.history_name();
  std::array<uint8_t, 16> id{};
  std::memcpy(id.data(), m.set_id().data(), std::min(id.size(), m.set_id().size()));
  return BackupSetHistoryName(id);
}

proto::BackupType ManifestBackupType(BackupKind kind) {
  switch (kind) {
    case BackupKind::kFull:
      return proto::BACKUP_TYPE_FULL;
    case BackupKind::kDiff:
      return proto::BACKUP_TYPE_DIFF;
    case BackupKind::kLog:
      return proto::BACKUP_TYPE_LOG;
  }
  return proto::BACKUP_TYPE_FULL;
}

void SetManifestLsns(const BackupHistoryRow& row, proto::Manifest* m) {
  m->set_first_lsn(row.first_lsn);
  m->set_last_lsn(row.last_lsn);
  m->set_checkpoint_lsn(row.checkpoint_lsn);
  // A differential's base is its differential_base_lsn (SQL Server gives the same value in
  // database_backup_lsn; prefer the explicit one when present).
  m->set_database_backup_lsn(row.type == 'I' && !row.differential_base_lsn.empty()
                                 ? row.differential_base_lsn
                                 : row.database_backup_lsn);
}

BackupKind BackupKindOf(const proto::Manifest& m) {
  switch (m.backup_type()) {
    case proto::BACKUP_TYPE_DIFF:
      return BackupKind::kDiff;
    case proto::BACKUP_TYPE_LOG:
      return BackupKind::kLog;
    default:
      return BackupKind::kFull;
  }
}

namespace {

// PromoteSet on the set's files; `where` names the set in messages.
Status PromoteIn(stripe::Target& target, const std::string& where, const BackupHistoryRow& row,
                 const std::string& confirmed_by) {
  VDIBK_ASSIGN_OR_RETURN(proto::Manifest m,
                         stripe::ReadManifest(target, stripe::kManifestFileName));
  if (m.state() == proto::MANIFEST_STATE_COMPLETE) return Status::Ok();
  const std::string name = HistoryNameOf(m);
  if (row.name != name) {
    return Status::Missing("history row " + std::to_string(row.backup_set_id) + " ('" + row.name +
                           "') is not the backup of " + where + " ('" + name + "')");
  }
  if (row.type != BackupTypeLetter(BackupKindOf(m)) || row.copy_only != m.copy_only()) {
    return Status::Missing("history row " + std::to_string(row.backup_set_id) +
                           " does not match the type or copy-only flag of " + where);
  }
  SetManifestLsns(row, &m);
  m.set_state(proto::MANIFEST_STATE_COMPLETE);
  m.set_confirmed_by(confirmed_by);
  stripe::CreateOptions replace;
  replace.replace = true;
  return stripe::WriteManifest(target, stripe::kManifestFileName, m, replace)
      .WithContext("promoting the manifest of " + where);
}

}  // namespace

Status PromoteSet(const RepoStore& store, const std::string& database, const std::string& set,
                  const BackupHistoryRow& row, const std::string& confirmed_by) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<stripe::Target> target, store.OpenSet(database, set));
  return PromoteIn(*target, store.SetLocation(database, set), row, confirmed_by);
}

Status PromoteSet(const std::string& set_dir, const BackupHistoryRow& row,
                  const std::string& confirmed_by) {
  stripe::DirectoryTarget target(set_dir);
  return PromoteIn(target, set_dir, row, confirmed_by);
}

}  // namespace vdibk::coordinator
