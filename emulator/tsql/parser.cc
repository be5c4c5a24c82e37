// Batch parser: statement dispatch and the small statements (CREATE/DROP/ALTER DATABASE, SELECT,
// PRINT, USE, SET). BACKUP/RESTORE grammar is in backup_parser.cc.
#include "emulator/tsql/parser.h"

#include <array>
#include <cctype>

#include "emulator/tsql/backup_parser.h"
#include "emulator/tsql/history_query_parser.h"
#include "emulator/tsql/messages.h"
#include "emulator/tsql/token_cursor.h"
#include "emulator/tsql/tokenizer.h"

namespace vdibk::emulator::tsql {
namespace {

// Statements SQL Server has but the emulator does not run (Msg 50000 instead of a bogus 102).
constexpr std::array<std::string_view, 20> kUnsupported = {
    "INSERT", "UPDATE", "DELETE",   "MERGE", "EXEC",      "EXECUTE",    "DECLARE",
    "IF",     "BEGIN",  "WHILE",    "DBCC",  "WAITFOR",   "CHECKPOINT", "GRANT",
    "DENY",   "REVOKE", "TRUNCATE", "KILL",  "RAISERROR", "COMMIT",
};

bool IsStatementStart(const Token& t) {
  static constexpr std::array<std::string_view, 9> kStarts = {
      "BACKUP", "RESTORE", "CREATE", "DROP", "ALTER", "SELECT", "PRINT", "USE", "SET"};
  for (auto k : kStarts) {
    if (t.IsKeyword(k)) return true;
  }
  for (auto k : kUnsupported) {
    if (t.IsKeyword(k)) return true;
  }
  return false;
}

// size [KB|MB|GB|TB] in bytes; the default unit is MB. `percent_ok` allows "10%" (FILEGROWTH),
// returned in *as_written.
bool ParseSize(TokenCursor& c, uint64_t* bytes, std::string* as_written, bool percent_ok) {
  int64_t n = 0;
  const Token& first = c.Peek();
  if (!c.ExpectInteger(&n)) return false;
  if (n < 0) return c.SyntaxError(first);
  uint64_t unit = 1024ull * 1024;
  std::string suffix = "MB";
  const Token& t = c.Peek();
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 4> kUnits = {
      {{"KB", 1024ull},
       {"MB", 1024ull * 1024},
       {"GB", 1024ull * 1024 * 1024},
       {"TB", 1024ull * 1024 * 1024 * 1024}}};
  bool matched = false;
  for (const auto& [word, factor] : kUnits) {
    if (t.IsKeyword(word)) {
      unit = factor;
      suffix = std::string(word);
      c.Next();
      matched = true;
      break;
    }
  }
  if (!matched && percent_ok && c.AcceptSymbol('%')) suffix = "%";
  uint64_t value = static_cast<uint64_t>(n);
  *bytes = value > UINT64_MAX / unit ? UINT64_MAX : value * unit;
  if (as_written) *as_written = std::to_string(n) + suffix;
  return true;
}

bool ParseFileSpec(TokenCursor& c, DatabaseFileSpec* spec) {
  if (!c.ExpectSymbol('(')) return false;
  do {
    const Token& key = c.Peek();
    if (key.IsKeyword("NAME")) {
      c.Next();
      if (!c.ExpectSymbol('=')) return false;
      if (c.Peek().kind == TokenKind::kString) {
        if (!c.ExpectString(&spec->logical_name)) return false;
      } else if (!c.ExpectName(&spec->logical_name)) {
        return false;
      }
    } else if (key.IsKeyword("FILENAME")) {
      c.Next();
      if (!c.ExpectSymbol('=') || !c.ExpectString(&spec->file_name)) return false;
    } else if (key.IsKeyword("SIZE")) {
      c.Next();
      uint64_t bytes = 0;
      if (!c.ExpectSymbol('=') || !ParseSize(c, &bytes, nullptr, false)) return false;
      spec->size_bytes = bytes;
    } else if (key.IsKeyword("MAXSIZE")) {
      c.Next();
      if (!c.ExpectSymbol('=')) return false;
      if (!c.AcceptKeyword("UNLIMITED")) {
        uint64_t bytes = 0;
        if (!ParseSize(c, &bytes, nullptr, false)) return false;
        spec->max_size_bytes = bytes;
      }
    } else if (key.IsKeyword("FILEGROWTH")) {
      c.Next();
      uint64_t bytes = 0;
      std::string written;
      if (!c.ExpectSymbol('=') || !ParseSize(c, &bytes, &written, true)) return false;
      spec->growth = written;
    } else {
      return c.SyntaxErrorHere();
    }
  } while (c.AcceptSymbol(','));
  return c.ExpectSymbol(')');
}

bool ParseFileSpecList(TokenCursor& c, std::vector<DatabaseFileSpec>* files) {
  do {
    DatabaseFileSpec spec;
    if (!ParseFileSpec(c, &spec)) return false;
    files->push_back(std::move(spec));
  } while (c.AcceptSymbol(','));
  return true;
}

bool ParseCreate(TokenCursor& c, StatementBody* body) {
  c.Next();  // CREATE
  if (!c.Peek().IsKeyword("DATABASE")) {
    if (c.Peek().kind == TokenKind::kIdentifier) {
      return c.Fail(
          msg::UnsupportedStatement("CREATE " + ToUpperAscii(c.Peek().value), c.Peek().line));
    }
    return c.SyntaxErrorHere();
  }
  c.Next();
  CreateDatabaseStatement s;
  if (!c.ExpectName(&s.name)) return false;
  if (c.AcceptKeyword("ON")) {
    c.AcceptKeyword("PRIMARY");
    if (!ParseFileSpecList(c, &s.data_files)) return false;
  }
  if (c.AcceptKeyword("LOG")) {
    if (!c.ExpectKeyword("ON") || !ParseFileSpecList(c, &s.log_files)) return false;
  }
  if (c.AcceptKeyword("COLLATE")) {
    std::string collation;
    if (!c.ExpectName(&collation)) return false;
  }
  *body = std::move(s);
  return true;
}

bool ParseDrop(TokenCursor& c, StatementBody* body) {
  c.Next();  // DROP
  if (!c.Peek().IsKeyword("DATABASE")) {
    if (c.Peek().kind == TokenKind::kIdentifier) {
      return c.Fail(
          msg::UnsupportedStatement("DROP " + ToUpperAscii(c.Peek().value), c.Peek().line));
    }
    return c.SyntaxErrorHere();
  }
  c.Next();
  DropDatabaseStatement s;
  if (c.Peek().IsKeyword("IF") && c.Peek(1).IsKeyword("EXISTS")) {
    c.Next();
    c.Next();
    s.if_exists = true;
  }
  do {
    std::string name;
    if (!c.ExpectName(&name)) return false;
    s.names.push_back(std::move(name));
  } while (c.AcceptSymbol(','));
  *body = std::move(s);
  return true;
}

bool ParseAlter(TokenCursor& c, StatementBody* body) {
  c.Next();  // ALTER
  if (!c.Peek().IsKeyword("DATABASE")) {
    if (c.Peek().kind == TokenKind::kIdentifier) {
      return c.Fail(
          msg::UnsupportedStatement("ALTER " + ToUpperAscii(c.Peek().value), c.Peek().line));
    }
    return c.SyntaxErrorHere();
  }
  c.Next();
  AlterDatabaseStatement s;
  if (!c.ExpectName(&s.name) || !c.ExpectKeyword("SET")) return false;
  const Token& opt = c.Peek();
  if (opt.kind != TokenKind::kIdentifier) return c.SyntaxErrorHere();
  s.option = ToUpperAscii(opt.value);
  c.Next();
  const Token& val = c.Peek();
  if ((val.kind == TokenKind::kIdentifier && !val.IsKeyword("WITH") && !IsStatementStart(val)) ||
      val.kind == TokenKind::kNumber) {
    s.value = ToUpperAscii(val.value);
    c.Next();
  }
  if (c.AcceptKeyword("WITH")) {
    if (c.AcceptKeyword("ROLLBACK")) {
      if (!c.AcceptKeyword("IMMEDIATE")) {
        int64_t seconds = 0;
        if (!c.ExpectKeyword("AFTER") || !c.ExpectInteger(&seconds)) return false;
        c.AcceptKeyword("SECONDS");
      }
    } else if (!c.ExpectKeyword("NO_WAIT")) {
      return false;
    }
  }
  *body = std::move(s);
  return true;
}

// A constant expression: [-]number, 'string', N'string', NULL, @@NAME, FUNC() or FUNC('arg').
bool ParseValue(TokenCursor& c, SelectItem* item) {
  const Token& t = c.Peek();
  if (t.IsSymbol('-') && c.Peek(1).kind == TokenKind::kNumber) {
    c.Next();
    if (!ParseValue(c, item)) return false;
    item->text = "-" + item->text;
    item->integer = -item->integer;
    return true;
  }
  switch (t.kind) {
    case TokenKind::kNumber: {
      bool integral = t.value.find_first_not_of("0123456789") == std::string::npos;
      item->kind = integral ? SelectItem::Kind::kInteger : SelectItem::Kind::kDecimal;
      item->text = t.value;
      int64_t v = 0;
      c.ExpectInteger(&v);
      item->integer = v;
      return true;
    }
    case TokenKind::kString:
      item->kind = SelectItem::Kind::kString;
      item->text = t.value;
      item->national = t.national;
      c.Next();
      return true;
    case TokenKind::kVariable:
      if (t.value.rfind("@@", 0) != 0) return c.Fail(msg::UndeclaredVariable(t.value, t.line));
      item->kind = SelectItem::Kind::kGlobalVariable;
      item->text = ToUpperAscii(t.value);
      c.Next();
      return true;
    case TokenKind::kIdentifier:
      if (t.IsKeyword("NULL")) {
        item->kind = SelectItem::Kind::kNull;
        item->text = "NULL";
        c.Next();
        return true;
      }
      if (c.Peek(1).IsSymbol('(') && !IsReservedKeyword(t.value)) {
        item->kind = SelectItem::Kind::kFunction;
        item->text = ToUpperAscii(t.value);
        c.Next();
        c.Next();
        if (c.Peek().kind == TokenKind::kString) {
          std::string arg;
          if (!c.ExpectString(&arg)) return false;
          item->argument = arg;
        }
        return c.ExpectSymbol(')');
      }
      if (!IsReservedKeyword(t.value)) return c.Fail(msg::InvalidColumnName(t.value, t.line));
      return c.SyntaxErrorHere();
    case TokenKind::kQuotedIdentifier:
      return c.Fail(msg::InvalidColumnName(t.value, t.line));
    default:
      return c.SyntaxErrorHere();
  }
}

// SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = DB_ID(N'db'): the
// database size query (vdibackup's progress ETA), the only SELECT ... FROM the emulator answers.
// Consumes it and stores the name on a match; otherwise consumes nothing.
bool AcceptDatabaseSizeQuery(TokenCursor& c, SelectStatement* s) {
  static constexpr std::array<std::string_view, 20> kShape = {
      "SUM",  "(",    "CAST", "(", "size",         "AS",    "bigint",      ")", ")",     "*",
      "8192", "FROM", "sys",  ".", "master_files", "WHERE", "database_id", "=", "DB_ID", "("};
  for (size_t i = 0; i < kShape.size(); ++i) {
    const Token& t = c.Peek(i);
    const std::string_view want = kShape[i];
    const bool match = want.size() == 1 && !std::isalnum(static_cast<unsigned char>(want[0]))
                           ? t.IsSymbol(want[0])
                       : want == "8192" ? t.kind == TokenKind::kNumber && t.value == want
                                        : t.IsKeyword(want);
    if (!match) return false;
  }
  if (c.Peek(kShape.size()).kind != TokenKind::kString ||
      !c.Peek(kShape.size() + 1).IsSymbol(')')) {
    return false;
  }
  for (size_t i = 0; i < kShape.size(); ++i) c.Next();
  s->database_size_of = c.Next().value;
  c.Next();  // )
  return true;
}

bool ParseSelect(TokenCursor& c, StatementBody* body) {
  c.Next();  // SELECT
  SelectStatement s;
  if (AcceptDatabaseSizeQuery(c, &s)) {
    *body = std::move(s);
    return true;
  }
  if (c.Peek().IsKeyword("TOP")) {  // only the backup history query has TOP
    if (!ParseBackupHistoryQuery(c, &s)) return false;
    *body = std::move(s);
    return true;
  }
  do {
    SelectItem item;
    // alias = expr
    if (c.Peek().IsName() && c.Peek(1).IsSymbol('=') && !IsReservedKeyword(c.Peek().value)) {
      item.alias = c.Next().value;
      c.Next();
    }
    if (!ParseValue(c, &item)) return false;
    if (c.AcceptKeyword("AS")) {
      const Token& a = c.Peek();
      if (a.kind == TokenKind::kString) {
        item.alias = a.value;
        c.Next();
      } else if (!c.ExpectName(&item.alias)) {
        return false;
      }
    } else if (c.Peek().kind == TokenKind::kQuotedIdentifier ||
               (c.Peek().kind == TokenKind::kIdentifier && !IsReservedKeyword(c.Peek().value) &&
                !IsStatementStart(c.Peek()))) {
      item.alias = c.Next().value;
    }
    s.items.push_back(std::move(item));
  } while (c.AcceptSymbol(','));
  if (c.Peek().IsKeyword("FROM")) {
    return c.Fail(msg::UnsupportedStatement("SELECT ... FROM", c.Peek().line));
  }
  *body = std::move(s);
  return true;
}

bool ParseStatement(TokenCursor& c, StatementBody* body) {
  const Token& t = c.Peek();
  if (t.IsKeyword("BACKUP")) {
    BackupStatement s;
    if (!ParseBackup(c, &s)) return false;
    *body = std::move(s);
    return true;
  }
  if (t.IsKeyword("RESTORE")) {
    RestoreStatement s;
    if (!ParseRestore(c, &s)) return false;
    *body = std::move(s);
    return true;
  }
  if (t.IsKeyword("CREATE")) return ParseCreate(c, body);
  if (t.IsKeyword("DROP")) return ParseDrop(c, body);
  if (t.IsKeyword("ALTER")) return ParseAlter(c, body);
  if (t.IsKeyword("SELECT")) return ParseSelect(c, body);
  if (t.IsKeyword("PRINT")) {
    c.Next();
    PrintStatement s;
    if (!ParseValue(c, &s.value)) return false;
    *body = std::move(s);
    return true;
  }
  if (t.IsKeyword("USE")) {
    c.Next();
    UseStatement s;
    if (!c.ExpectName(&s.database)) return false;
    *body = std::move(s);
    return true;
  }
  if (t.IsKeyword("SET")) {
    c.Next();
    const Token& opt = c.Peek();
    if (opt.kind == TokenKind::kVariable)
      return c.Fail(msg::UndeclaredVariable(opt.value, opt.line));
    if (opt.kind != TokenKind::kIdentifier) return c.SyntaxErrorHere();
    SetStatement s;
    s.option = ToUpperAscii(opt.value);
    c.Next();
    if (c.AcceptKeyword("ON")) {
      s.on = true;
    } else if (c.AcceptKeyword("OFF")) {
      s.on = false;
    } else {
      return c.SyntaxErrorHere();
    }
    *body = std::move(s);
    return true;
  }
  for (auto k : kUnsupported) {
    if (t.IsKeyword(k)) return c.Fail(msg::UnsupportedStatement(ToUpperAscii(k), t.line));
  }
  if (t.kind == TokenKind::kIdentifier && !IsReservedKeyword(t.value) && c.position() == 0) {
    // A batch starting with a bare name is an implicit EXECUTE of a procedure.
    return c.Fail(msg::StoredProcedureNotFound(t.value, t.line));
  }
  return c.SyntaxErrorHere();
}

}  // namespace

ParseOutput Parse(std::string_view sql, int first_line) {
  ParseOutput out;
  std::vector<Token> tokens;
  SqlError lex_error;
  if (!Tokenize(sql, &tokens, &lex_error, first_line)) {
    out.errors.Add(std::move(lex_error));
    return out;
  }
  TokenCursor c(tokens);
  while (!c.Peek().IsEnd()) {
    if (c.AcceptSymbol(';')) continue;
    const Token& first = c.Peek();
    Statement st;
    st.line = first.line;
    size_t begin = first.offset;
    if (!ParseStatement(c, &st.body)) {
      out.errors.Add(*c.error());
      out.batch.statements.clear();
      return out;
    }
    const Token& next = c.Peek();
    if (!next.IsEnd() && !next.IsSymbol(';') && !IsStatementStart(next)) {
      c.SyntaxError(next);
      out.errors.Add(*c.error());
      out.batch.statements.clear();
      return out;
    }
    size_t end = next.offset;
    std::string_view text = sql.substr(begin, end > begin ? end - begin : 0);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                             text.back() == '\t')) {
      text.remove_suffix(1);
    }
    st.text = std::string(text);
    out.batch.statements.push_back(std::move(st));
  }
  return out;
}

Result<Batch> ParseBatch(std::string_view sql, int first_line) {
  ParseOutput out = Parse(sql, first_line);
  if (!out.ok()) return ToStatus(out.errors);
  return std::move(out.batch);
}

}  // namespace vdibk::emulator::tsql
