// Canned statement execution for tests: realistic message sequences without a real engine.
#include "emulator/frontend/test_executor.h"

#include <thread>

#include "emulator/tsql/messages.h"
#include "emulator/tsql/option_validation.h"
#include "emulator/tsql/parser.h"

namespace vdibk::emulator::frontend {

using namespace tsql;  // NOLINT: this file is all about tsql types

namespace {

std::string ValueText(const SelectItem& item, const SqlRequest& request) {
  switch (item.kind) {
    case SelectItem::Kind::kGlobalVariable:
      if (item.text == "@@VERSION") return "vdi-emulator (SQL Server compatible) - test executor";
      if (item.text == "@@SERVERNAME") return "vdi-emulator";
      return "0";
    case SelectItem::Kind::kFunction:
      if (item.text == "DB_NAME") return request.database.empty() ? "master" : request.database;
      return "vdi-emulator";
    default:
      return item.text;
  }
}

}  // namespace

TestStatementExecutor::TestStatementExecutor(Options options) : options_(std::move(options)) {}

bool TestStatementExecutor::WaitForCancelled(int count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cancelled_cv_.wait_for(lock, timeout, [&] { return cancelled_ >= count; });
}

void TestStatementExecutor::NoteCancelled() {
  std::lock_guard<std::mutex> lock(mu_);
  ++cancelled_;
  cancelled_cv_.notify_all();
}

bool TestStatementExecutor::StaySilent(ISqlSink& sink) {
  const auto end = std::chrono::steady_clock::now() + options_.silent_for;
  while (!sink.Cancelled()) {
    if (options_.silent_for.count() > 0 && std::chrono::steady_clock::now() >= end) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  NoteCancelled();
  return false;
}

bool TestStatementExecutor::HasDatabase(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.databases.count(name) > 0;
}

std::optional<SqlError> TestStatementExecutor::CheckLogin(const SqlRequest& request) {
  if (!request.database.empty() && !HasDatabase(request.database)) {
    return msg::CannotOpenDatabase(request.database);
  }
  return std::nullopt;
}

void TestStatementExecutor::RunSelect(const SelectStatement& s, bool nocount,
                                      const SqlRequest& request, ISqlSink& sink) {
  std::vector<Column> columns;
  Row row;
  for (const auto& item : s.items) {
    std::string value = ValueText(item, request);
    switch (item.kind) {
      case SelectItem::Kind::kInteger:
        columns.push_back(IntColumn(item.alias));
        break;
      case SelectItem::Kind::kNull:
        columns.push_back(IntColumn(item.alias));
        break;
      case SelectItem::Kind::kDecimal:
        columns.push_back(DecimalColumn(item.alias, static_cast<int>(value.size())));
        break;
      default:
        columns.push_back(
            NVarCharColumn(item.alias, item.kind == SelectItem::Kind::kString
                                           ? std::max<int>(1, static_cast<int>(value.size()))
                                           : 128));
    }
    row.push_back(item.kind == SelectItem::Kind::kNull ? Cell() : Cell(value));
  }
  sink.BeginResult(columns);
  sink.Row(row);
  sink.EndResult(nocount ? std::nullopt : std::optional<uint64_t>(1));
}

bool TestStatementExecutor::RunBackupOrRestore(const Statement& st, ISqlSink& sink) {
  const auto* backup = std::get_if<BackupStatement>(&st.body);
  const auto* restore = std::get_if<RestoreStatement>(&st.body);
  std::string database = backup ? backup->database : restore->database;
  std::string operation = backup ? OperationName(*backup) : OperationName(*restore);
  const auto& devices = backup ? backup->devices : restore->devices;
  auto fail = [&](SqlError e) {
    sink.Error(msg::At(std::move(e), st.line));
    sink.Error(msg::At(msg::TerminatingAbnormally(operation), st.line));
    return false;
  };
  if (database == "missing") return fail(msg::DatabaseDoesNotExist(database, 11));
  for (const auto& d : devices) {
    if (d.type == DeviceType::kDisk && d.name.rfind("/nonexistent", 0) == 0) {
      return fail(msg::CannotOpenBackupDevice(d.name, msg::kOsErrorPathNotFound, restore ? 2 : 1));
    }
  }
  if (backup && backup->kind == BackupKind::kLog && database == "simple") {
    return fail(msg::LogBackupSimpleRecovery());
  }
  if (restore && restore->kind == RestoreKind::kVerifyOnly) {
    sink.Message(msg::BackupSetValid(static_cast<int>(restore->file.value_or(1))));
    return true;
  }
  if (restore &&
      (restore->kind == RestoreKind::kHeaderOnly || restore->kind == RestoreKind::kFileListOnly)) {
    if (restore->kind == RestoreKind::kFileListOnly) {
      sink.BeginResult({NVarCharColumn("LogicalName", 128), NVarCharColumn("PhysicalName", 260),
                        NVarCharColumn("Type", 1), DecimalColumn("Size", 20)});
      sink.Row({"db", "/var/opt/mssql/data/db.mdf", "D", "8388608"});
      sink.Row({"db_log", "/var/opt/mssql/data/db_log.ldf", "L", "8388608"});
      sink.EndResult(2);
    } else {
      sink.BeginResult({NVarCharColumn("BackupName", 128), SmallIntColumn("BackupType"),
                        NVarCharColumn("DatabaseName", 128), SmallIntColumn("Position")});
      sink.Row({std::nullopt, "1", "db", "1"});
      sink.EndResult(1);
    }
    return true;
  }
  std::optional<int64_t> stats = backup ? backup->stats : restore->stats;
  if (database == "slow") {
    int percent = 0;
    while (!sink.Cancelled()) {
      percent = percent >= 99 ? 99 : percent + 1;
      sink.Message(msg::PercentProcessed(percent));
      std::this_thread::sleep_for(std::max(options_.progress_step, std::chrono::milliseconds(10)));
    }
    NoteCancelled();
    return fail(msg::BackupOrRestoreAborted());
  }
  if (database == "silent" && !StaySilent(sink)) return fail(msg::BackupOrRestoreAborted());
  if (stats) {
    for (int64_t p = *stats; p <= 100 && !sink.Cancelled(); p += *stats) {
      sink.Message(msg::PercentProcessed(static_cast<int>(p)));
      if (options_.progress_step.count() > 0) std::this_thread::sleep_for(options_.progress_step);
    }
  }
  if (database == "dropped") {  // as a connection dropped after the commit: no success, no Done
    sink.DropConnection();
    return true;
  }
  if (restore && restore->RecoverOnly()) {
    sink.Message(msg::SuccessfullyProcessed(operation, 0, 0.01));
    return true;
  }
  sink.Message(msg::ProcessedPages(options_.data_pages, database, database));
  sink.Message(msg::ProcessedPages(options_.log_pages, database, database + "_log"));
  std::string success = backup ? SuccessOperationName(*backup) : operation;
  sink.Message(msg::SuccessfullyProcessed(success, options_.data_pages + options_.log_pages, 0.12));
  if (restore) {
    std::lock_guard<std::mutex> lock(mu_);
    options_.databases.insert(database);
  }
  return true;
}

void TestStatementExecutor::Execute(const SqlRequest& request, ISqlSink& sink) {
  if (options_.on_request) options_.on_request(request);
  ParseOutput parsed = Parse(request.text);
  if (!parsed.ok()) {
    sink.Emit(parsed.errors);
    return;
  }
  bool nocount = false;
  bool ok = true;
  for (const auto& st : parsed.batch.statements) {
    if (sink.Cancelled()) break;
    SqlMessages invalid = ValidateStatement(st);
    if (!invalid.empty()) {
      sink.Emit(invalid);
      ok = false;
      continue;
    }
    if (std::holds_alternative<BackupStatement>(st.body) ||
        std::holds_alternative<RestoreStatement>(st.body)) {
      ok = RunBackupOrRestore(st, sink) && ok;
    } else if (const auto* c = std::get_if<CreateDatabaseStatement>(&st.body)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!options_.databases.insert(c->name).second) {
        sink.Error(msg::At(msg::DatabaseAlreadyExists(c->name), st.line));
        ok = false;
      }
    } else if (const auto* d = std::get_if<DropDatabaseStatement>(&st.body)) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& name : d->names) {
        if (options_.databases.erase(name) == 0 && !d->if_exists) {
          sink.Error(msg::At(msg::CannotDropDatabase(name), st.line));
          ok = false;
        }
      }
    } else if (const auto* u = std::get_if<UseStatement>(&st.body)) {
      if (!HasDatabase(u->database)) {
        sink.Error(msg::At(msg::DatabaseDoesNotExist(u->database), st.line));
        ok = false;
      } else {
        sink.Message(msg::ChangedDatabaseContext(u->database));
      }
    } else if (const auto* s = std::get_if<SetStatement>(&st.body)) {
      if (s->option == "NOCOUNT") nocount = s->on;
    } else if (const auto* sel = std::get_if<SelectStatement>(&st.body)) {
      RunSelect(*sel, nocount, request, sink);
    } else if (const auto* p = std::get_if<PrintStatement>(&st.body)) {
      sink.Message(msg::Print(ValueText(p->value, request)));
    }
  }
  sink.Done(ok);
}

}  // namespace vdibk::emulator::frontend
