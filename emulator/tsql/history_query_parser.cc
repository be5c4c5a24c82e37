// The backup history query grammar (SELECT TOP ... FROM msdb.dbo.backupset ...).
#include "emulator/tsql/history_query_parser.h"

#include <algorithm>

#include "emulator/tsql/messages.h"

namespace vdibk::emulator::tsql {
namespace {

// One part of a multi-part name: plain or [quoted]; compared without case.
bool AcceptNamePart(TokenCursor& c, std::string_view want) {
  const Token& t = c.Peek();
  if (!t.IsName() || !EqualsIgnoreCase(t.value, want)) return false;
  c.Next();
  return true;
}

// The one column the emulator supports in `clause` ("WHERE", "ORDER BY").
bool ExpectColumn(TokenCursor& c, std::string_view want, std::string_view clause) {
  if (AcceptNamePart(c, want)) return true;
  const Token& t = c.Peek();
  if (t.IsName() && !IsReservedKeyword(t.value)) {
    return c.Fail(msg::UnsupportedStatement(
        "SELECT ... FROM msdb.dbo.backupset " + std::string(clause) + " " + t.value, t.line));
  }
  return c.SyntaxErrorHere();
}

}  // namespace

const std::vector<std::string_view>& BackupsetColumns() {
  static const std::vector<std::string_view> kColumns = {"backup_set_id",
                                                         "backup_set_uuid",
                                                         "name",
                                                         "database_name",
                                                         "type",
                                                         "is_copy_only",
                                                         "first_lsn",
                                                         "last_lsn",
                                                         "checkpoint_lsn",
                                                         "database_backup_lsn",
                                                         "differential_base_lsn",
                                                         "differential_base_guid",
                                                         "backup_start_date",
                                                         "backup_finish_date"};
  return kColumns;
}

bool ParseBackupHistoryQuery(TokenCursor& c, SelectStatement* out) {
  BackupHistoryQuery q;
  if (!c.ExpectKeyword("TOP")) return false;
  const bool paren = c.AcceptSymbol('(');
  const Token& n = c.Peek();
  if (!c.ExpectInteger(&q.top)) return false;
  if (q.top < 0) return c.SyntaxError(n);
  if (paren && !c.ExpectSymbol(')')) return false;
  struct Named {
    std::string name;
    int line;
  };
  std::vector<Named> columns;
  do {
    const Token& t = c.Peek();
    if (!t.IsName() || (t.kind == TokenKind::kIdentifier && IsReservedKeyword(t.value))) {
      return c.SyntaxErrorHere();
    }
    columns.push_back({t.value, t.line});
    c.Next();
  } while (c.AcceptSymbol(','));
  const Token& from = c.Peek();
  if (!c.ExpectKeyword("FROM")) return false;
  // msdb.dbo.backupset, msdb..backupset, or [msdb].[dbo].[backupset].
  if (!AcceptNamePart(c, "msdb") || !c.ExpectSymbol('.')) {
    return c.error() ? false : c.Fail(msg::UnsupportedStatement("SELECT ... FROM", from.line));
  }
  if (!c.Peek().IsSymbol('.') && !AcceptNamePart(c, "dbo")) {
    return c.Fail(msg::UnsupportedStatement("SELECT ... FROM", from.line));
  }
  if (!c.ExpectSymbol('.')) return false;
  if (!AcceptNamePart(c, "backupset")) {
    return c.Fail(msg::UnsupportedStatement("SELECT ... FROM", from.line));
  }
  // Columns are bound once the table is known (SQL Server reports 207 at that point).
  for (const Named& col : columns) {
    const std::string lower = ToLowerAscii(col.name);
    const auto& known = BackupsetColumns();
    if (std::find(known.begin(), known.end(), lower) == known.end()) {
      return c.Fail(msg::InvalidColumnName(col.name, col.line));
    }
    q.columns.push_back(lower);
  }
  if (!c.ExpectKeyword("WHERE") || !ExpectColumn(c, "database_name", "WHERE") ||
      !c.ExpectSymbol('=') || !c.ExpectString(&q.database)) {
    return false;
  }
  if (c.AcceptKeyword("AND")) {  // the one further filter: a backup's NAME
    std::string name;
    if (!ExpectColumn(c, "name", "WHERE ... AND") || !c.ExpectSymbol('=') ||
        !c.ExpectString(&name)) {
      return false;
    }
    q.name = std::move(name);
  }
  if (!c.ExpectKeyword("ORDER") || !c.ExpectKeyword("BY") ||
      !ExpectColumn(c, "backup_set_id", "ORDER BY")) {
    return false;
  }
  if (c.AcceptKeyword("DESC")) {
    q.descending = true;
  } else {
    c.AcceptKeyword("ASC");
  }
  out->backup_history = std::move(q);
  return true;
}

}  // namespace vdibk::emulator::tsql
