// Backup history query output parsing and row matching.
#include "coordinator/sql/backup_history_row.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "coordinator/sql/tsql_builder.h"

namespace vdibk::coordinator {
namespace {

constexpr size_t kFields = 10;  // the columns of kBackupHistoryColumns

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
    r.start_date = NullToEmpty(f[8]);
    r.start_unix_ms = ParseSqlDateTime(r.start_date).value_or(0);
    r.name = NullToEmpty(f[9]);
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
                                               bool copy_only) {
  HistoryQueryResult q = RunHistoryQuery(sql, BuildBackupLookupQuery(database, name));
  if (q.verdict != StatementVerdict::kSucceeded) {
    return Status::SqlError("the backup history query failed: " + q.detail);
  }
  return MatchBackupHistoryRow(q.rows, name, kind, copy_only);
}

HistoryQueryResult RunHistoryQuery(SqlRunner& sql, const std::string& query) {
  HistoryQueryResult out;
  Result<std::unique_ptr<SqlExecution>> run = sql.StartQuery(query);
  if (!run.ok()) {
    out.detail = run.status().message();
    return out;
  }
  const ExitInfo exit = (*run)->Wait();
  const StatementOutcome outcome = ClassifyStatement(exit, (*run)->Output());
  out.verdict = outcome.verdict;
  out.detail = outcome.detail;
  if (outcome.verdict == StatementVerdict::kSucceeded) {
    out.rows = ParseBackupHistoryOutput((*run)->Output());
  }
  return out;
}

std::optional<int64_t> ParseSqlDateTime(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi,
                            &sec, &ms, &tail);
  if (n != 6 && n != 7) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const int64_t seconds = timegm(&tm);
  return seconds * 1000 + ms;
}

}  // namespace vdibk::coordinator
