// EmulatorExecutor: CREATE DATABASE, DROP DATABASE, SELECT and PRINT (what tools send as health
// checks and set-up).
#include <unistd.h>

#include "emulator/base/sql_error.h"
#include "emulator/db/database_generator.h"
#include "emulator/engine/executor.h"
#include "emulator/tsql/messages.h"
#include "emulator/tsql/result_set.h"

namespace vdibk::emulator {
namespace {

std::string HostName() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// The text of a SELECT/PRINT item; nullopt is NULL.
std::optional<std::string> Value(const tsql::SelectItem& item) {
  using K = tsql::SelectItem::Kind;
  switch (item.kind) {
    case K::kInteger:
    case K::kDecimal:
    case K::kString:
      return item.text;
    case K::kNull:
      return std::nullopt;
    case K::kGlobalVariable:
      if (item.text == "@@VERSION") return EmulatorVersionString();
      if (item.text == "@@SERVERNAME") return HostName();
      if (item.text == "@@SPID") return std::to_string(getpid() % 32768);
      return std::nullopt;
    case K::kFunction:
      if (item.text == "SERVERPROPERTY" && item.argument) {
        if (*item.argument == "ProductVersion") return "16.0.4000.0";
        if (*item.argument == "Edition") return "vdi-emulator";
        if (*item.argument == "ServerName" || *item.argument == "MachineName") return HostName();
        // The server's process id, as `vdibackup doctor` uses it to compare namespaces.
        if (*item.argument == "ProcessID") return std::to_string(getpid());
      }
      if (item.text == "GETDATE" || item.text == "SYSDATETIME") return "2026-01-01 00:00:00.000";
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void EmulatorExecutor::RunCreate(const tsql::CreateDatabaseStatement& s, int line,
                                 frontend::ISqlSink& sink) {
  CreateDatabaseOptions o;
  o.size_bytes = 8 << 20;
  if (!s.data_files.empty() && s.data_files[0].size_bytes)
    o.size_bytes = *s.data_files[0].size_bytes;
  o.profile = PageProfile::kZeros;  // a new database: allocated, mostly empty pages
  auto db = CreateDatabase(catalog_, s.name, o);
  if (!db.ok()) {
    EmitErrors(db.status(), line, sink);
  }
}

void EmulatorExecutor::RunDrop(const tsql::DropDatabaseStatement& s, int line,
                               frontend::ISqlSink& sink) {
  for (const std::string& name : s.names) {
    if (!catalog_.Exists(name)) {
      if (!s.if_exists) {
        sink.Error(SqlError{3701, 11, 1,
                            "Cannot drop the database '" + name +
                                "', because it does not exist or you do not have permission.",
                            line, ""});
      }
      continue;
    }
    Status st = CheckNotFrozen(name, 3702);
    if (st.ok()) st = catalog_.Drop(name);
    if (!st.ok()) {
      EmitErrors(st, line, sink);
    }
  }
}

void EmulatorExecutor::RunSelect(const tsql::SelectStatement& s, int /*line*/,
                                 frontend::ISqlSink& sink) {
  if (s.database_size_of) {  // SUM(size pages)*8192 over the files; NULL for no such database
    std::optional<std::string> bytes;
    if (Result<Database> db = catalog_.Open(*s.database_size_of); db.ok()) {
      uint64_t pages = 0;
      for (const DbFile& f : db->files()) pages += (f.size + kPageSize - 1) / kPageSize;
      bytes = std::to_string(pages * kPageSize);
    }
    sink.BeginResult({tsql::BigIntColumn("")});
    sink.Row({bytes});
    sink.EndResult(1);
    return;
  }
  std::vector<tsql::Column> columns;
  tsql::Row row;
  for (const auto& item : s.items) {
    auto v = Value(item);
    const bool numeric = item.kind == tsql::SelectItem::Kind::kInteger;
    columns.push_back(numeric
                          ? tsql::IntColumn(item.alias)
                          : tsql::NVarCharColumn(item.alias, v ? static_cast<int>(v->size()) : 4));
    row.push_back(v);
  }
  sink.BeginResult(columns);
  sink.Row(row);
  sink.EndResult(1);
}

void EmulatorExecutor::RunPrint(const tsql::PrintStatement& s, int line, frontend::ISqlSink& sink) {
  sink.Message(SqlError{0, 0, 1, Value(s.value).value_or(""), line, ""});
}

}  // namespace vdibk::emulator
