// Backup history query output parsing and row matching.
#include "coordinator/backup_history.h"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "coordinator/tsql_builder.h"

namespace vdibk::coordinator {
namespace {

constexpr size_t kFields = 9;  // the columns of kBackupHistoryColumns

bool IsDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string NullToEmpty(const std::string& s) { return s == "NULL" ? "" : s; }

const char* TypeName(char type) {
  switch (type) {
    case 'D':
      return "full";
    case 'I':
      return "differential";
    case 'L':
      return "log";
  }
  return "unknown";
}

}  // namespace

char BackupTypeLetter(BackupKind kind) {
  switch (kind) {
    case BackupKind::kFull:
      return 'D';
    case BackupKind::kDiff:
      return 'I';
    case BackupKind::kLog:
      return 'L';
  }
  return 'D';
}

std::string BackupSetHistoryName(const std::array<uint8_t, 16>& set_id) {
  std::string out = "vdibackup ";
  char buf[3];
  for (uint8_t b : set_id) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

std::vector<BackupHistoryRow> ParseBackupHistoryOutput(const std::string& output) {
  std::vector<BackupHistoryRow> rows;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    size_t start = 0;
    while (f.size() + 1 < kFields) {
      const size_t comma = line.find(',', start);
      if (comma == std::string::npos) break;
      f.push_back(Trim(line.substr(start, comma - start)));
      start = comma + 1;
    }
    if (f.size() + 1 != kFields) continue;
    f.push_back(Trim(line.substr(start)));  // the name: the rest of the line
    BackupHistoryRow r;
    auto [p, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), r.backup_set_id);
    if (ec != std::errc() || p != f[0].data() + f[0].size()) continue;
    if (f[1].size() != 1 || (f[2] != "0" && f[2] != "1")) continue;
    r.type = f[1][0];
    r.copy_only = f[2] == "1";
    r.first_lsn = NullToEmpty(f[3]);
    r.last_lsn = NullToEmpty(f[4]);
    r.checkpoint_lsn = NullToEmpty(f[5]);
    r.database_backup_lsn = NullToEmpty(f[6]);
    r.differential_base_lsn = NullToEmpty(f[7]);
    r.name = NullToEmpty(f[8]);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<BackupHistoryRow> MatchBackupHistoryRow(const std::vector<BackupHistoryRow>& rows,
                                               const std::string& name, BackupKind kind,
                                               bool copy_only) {
  for (const BackupHistoryRow& r : rows) {
    if (r.name != name) continue;
    const std::string what =
        "backup history row " + std::to_string(r.backup_set_id) + " ('" + name + "')";
    if (r.type != BackupTypeLetter(kind)) {
      return Status::SqlError(what + " is a " + TypeName(r.type) + " backup, not a " +
                              TypeName(BackupTypeLetter(kind)) + " backup");
    }
    if (r.copy_only != copy_only) {
      return Status::SqlError(what + (r.copy_only ? " is" : " is not") + " copy-only");
    }
    if (!IsDigits(r.first_lsn) || !IsDigits(r.last_lsn) || !IsDigits(r.checkpoint_lsn) ||
        (!r.database_backup_lsn.empty() && !IsDigits(r.database_backup_lsn)) ||
        (!r.differential_base_lsn.empty() && !IsDigits(r.differential_base_lsn))) {
      return Status::SqlError(what + " has missing or malformed LSNs");
    }
    return r;
  }
  std::string seen;
  for (const BackupHistoryRow& r : rows) {
    seen += (seen.empty() ? "" : ", ") + std::to_string(r.backup_set_id) + " '" + r.name + "'";
  }
  return Status::SqlError("the server's backup history has no row named '" + name +
                          "' (newest rows: " + (seen.empty() ? "none" : seen) + ")");
}

Result<BackupHistoryRow> QueryBackupHistoryRow(SqlRunner& sql, const std::string& database,
                                               const std::string& name, BackupKind kind,
                                               bool copy_only, int top) {
  VDIBK_ASSIGN_OR_RETURN(std::unique_ptr<SqlExecution> run,
                         sql.StartQuery(BuildBackupHistoryQuery(database, top)));
  ExitInfo exit = run->Wait();
  if (!exit.ok()) {
    return Status::SqlError("the backup history query failed (" + exit.ToString() +
                            "): " + SummarizeSqlErrors(run->Output()));
  }
  return MatchBackupHistoryRow(ParseBackupHistoryOutput(run->Output()), name, kind, copy_only);
}

}  // namespace vdibk::coordinator
