// T-SQL building and quoting.
#include "coordinator/sql/tsql_builder.h"

namespace vdibk::coordinator {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "[";
  for (char c : name) {
    out += c;
    if (c == ']') out += ']';
  }
  return out + "]";
}

std::string QuoteString(const std::string& text) {
  std::string out = "N'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string BuildBackupStatement(const BackupStatementSpec& spec) {
  std::string s = std::string(spec.kind == BackupKind::kLog ? "BACKUP LOG " : "BACKUP DATABASE ") +
                  QuoteIdentifier(spec.database) + " TO ";
  for (size_t i = 0; i < spec.device_names.size(); ++i) {
    if (i) s += ", ";
    s += "VIRTUAL_DEVICE=" + QuoteString(spec.device_names[i]);
  }
  s += " WITH ";
  if (spec.kind == BackupKind::kDiff) s += "DIFFERENTIAL, ";
  if (spec.copy_only) s += "COPY_ONLY, ";
  if (!spec.name.empty()) s += "NAME=" + QuoteString(spec.name) + ", ";
  s += "BUFFERCOUNT=" + std::to_string(spec.buffer_count) +
       ", MAXTRANSFERSIZE=" + std::to_string(spec.max_transfer_size) +
       ", BLOCKSIZE=" + std::to_string(spec.block_size) +
       (spec.checksum ? ", CHECKSUM" : ", NO_CHECKSUM");
  return s;
}

std::string BuildBackupHistoryQuery(const std::string& database, int top) {
  return "SET NOCOUNT ON; SELECT TOP (" + std::to_string(top) + ") " + kBackupHistoryColumns +
         " FROM msdb.dbo.backupset WHERE database_name = " + QuoteString(database) +
         " ORDER BY backup_set_id DESC";
}

std::string BuildBackupLookupQuery(const std::string& database, const std::string& name) {
  return std::string("SET NOCOUNT ON; SELECT TOP (1) ") + kBackupHistoryColumns +
         " FROM msdb.dbo.backupset WHERE database_name = " + QuoteString(database) +
         " AND name = " + QuoteString(name) + " ORDER BY backup_set_id DESC";
}

std::string BuildRestoreStatement(const RestoreStatementSpec& spec) {
  std::string s = std::string(spec.log ? "RESTORE LOG " : "RESTORE DATABASE ") +
                  QuoteIdentifier(spec.database) + " FROM ";
  for (size_t i = 0; i < spec.device_names.size(); ++i) {
    if (i) s += ", ";
    s += "VIRTUAL_DEVICE=" + QuoteString(spec.device_names[i]);
  }
  s += " WITH BLOCKSIZE=" + std::to_string(spec.block_size) +
       ", MAXTRANSFERSIZE=" + std::to_string(spec.max_transfer_size);
  for (const auto& [logical, path] : spec.moves) {
    s += ", MOVE " + QuoteString(logical) + " TO " + QuoteString(path);
  }
  if (spec.replace) s += ", REPLACE";
  if (spec.norecovery) s += ", NORECOVERY";
  return s;
}

}  // namespace vdibk::coordinator
