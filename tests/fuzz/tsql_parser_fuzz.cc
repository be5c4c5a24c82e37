// Fuzz target: the emulator's T-SQL front end (SplitBatches, Parse, ValidateStatement) on client
// text. Invariants: parser_fuzz_test's (one well-formed error, validation errors end in 3013) and
// more: error lines inside the batch, statement text from the batch, the SQL-error Status round
// trip.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/tsql/batch_splitter.h"
#include "emulator/tsql/option_validation.h"
#include "emulator/tsql/parser.h"
#include "tests/fuzz/fuzz_support.h"

namespace vdibk::emulator::tsql {
namespace {

// What an error keeps through a Status (emulator/base/sql_error.h): one line each, so a newline in
// the text becomes a blank; the procedure is not carried (the emulator has none).
SqlError ThroughStatus(SqlError e) {
  std::replace(e.text.begin(), e.text.end(), '\n', ' ');
  e.procedure.clear();
  return e;
}

// A SqlMessages list survives ToStatus and SqlMessagesFromStatus.
void CheckStatusRoundTrip(const SqlMessages& errors) {
  const Status st = ToStatus(errors);
  fuzz::CheckError(st, {ErrorCode::kSqlError});
  const SqlMessages back = SqlMessagesFromStatus(st);
  FUZZ_CHECK(back.size() == errors.size(), "error count changed through a Status: " + st.message());
  for (size_t i = 0; i < back.size(); ++i) {
    FUZZ_CHECK(back.items()[i] == ThroughStatus(errors.items()[i]),
               "an error changed through a Status: " + st.message());
  }
}

void CheckError(const SqlError& e, int first_line, int last_line) {
  FUZZ_CHECK(e.number > 0, "error number " + std::to_string(e.number));
  FUZZ_CHECK(e.level >= 11 && e.level <= 25, "error level " + std::to_string(e.level));
  FUZZ_CHECK(e.state >= 0 && e.state <= 255, "error state " + std::to_string(e.state));
  FUZZ_CHECK(!e.text.empty(), "an error without text");
  FUZZ_CHECK(e.line >= first_line && e.line <= last_line,
             "error line " + std::to_string(e.line) + " outside the batch");
}

// Options a statement that passed validation holds in range (statements.h, option_validation.h).
template <typename S>
void CheckValidated(const S& s) {
  FUZZ_CHECK(s.devices.size() <= static_cast<size_t>(kMaxBackupDevices), "too many devices");
  for (const BackupDevice& d : s.devices) {
    FUZZ_CHECK(!d.name.empty(), "an empty device name passed");
    FUZZ_CHECK(d.type == s.devices.front().type, "devices of two classes passed");
  }
  if (s.block_size) {
    const int64_t b = *s.block_size;
    FUZZ_CHECK(b >= kMinBlockSize && b <= kMaxBlockSize && (b & (b - 1)) == 0, "BLOCKSIZE");
  }
  if (s.max_transfer_size) {
    const int64_t m = *s.max_transfer_size;
    FUZZ_CHECK(m >= kTransferSizeUnit && m <= kMaxTransferSizeLimit && m % kTransferSizeUnit == 0,
               "MAXTRANSFERSIZE");
  }
  if (s.buffer_count)
    FUZZ_CHECK(*s.buffer_count >= 1 && *s.buffer_count <= 0x7fffffff, "BUFFERCOUNT");
  if (s.stats) FUZZ_CHECK(*s.stats >= 1 && *s.stats <= 100, "STATS");
}

void CheckStatement(const Statement& st, std::string_view sql, int first_line, int last_line) {
  FUZZ_CHECK(st.line >= first_line && st.line <= last_line, "statement line outside the batch");
  FUZZ_CHECK(!st.text.empty() && sql.find(st.text) != std::string_view::npos,
             "statement text is not from the batch: " + st.text);
  const SqlMessages m = ValidateStatement(st);
  if (!m.empty()) {
    FUZZ_CHECK(m.HasError(), "validation gave messages without an error");
    FUZZ_CHECK(m.items().back().number == 3013, "validation errors do not end in 3013");
    for (const SqlError& e : m.items()) {
      CheckError(e, st.line, st.line);
    }
    CheckStatusRoundTrip(m);
    return;
  }
  if (const auto* b = std::get_if<BackupStatement>(&st.body)) CheckValidated(*b);
  if (const auto* r = std::get_if<RestoreStatement>(&st.body)) {
    CheckValidated(*r);
    if (r->file) FUZZ_CHECK(*r->file >= 1, "FILE");
  }
  // A statement's own text parses on its own to the same kind of statement.
  const ParseOutput alone = Parse(st.text, st.line);
  FUZZ_CHECK(alone.ok(), "a statement's text alone does not parse: " + st.text);
  FUZZ_CHECK(alone.batch.statements.size() == 1 &&
                 alone.batch.statements[0].body.index() == st.body.index(),
             "a statement's text alone parses to something else: " + st.text);
}

void CheckBatch(std::string_view sql, int first_line) {
  const int last_line = first_line + static_cast<int>(std::count(sql.begin(), sql.end(), '\n'));
  const ParseOutput out = Parse(sql, first_line);
  Result<Batch> batch = ParseBatch(sql, first_line);
  FUZZ_CHECK(batch.ok() == out.ok(), "Parse and ParseBatch disagree");
  if (!out.ok()) {
    FUZZ_CHECK(out.errors.size() == 1, "a batch-level failure is one error");
    CheckError(out.errors.items()[0], first_line, last_line);
    CheckStatusRoundTrip(out.errors);
    FUZZ_CHECK(
        SqlMessagesFromStatus(batch.status()).items()[0] == ThroughStatus(out.errors.items()[0]),
        "ParseBatch's error is not Parse's");
    return;
  }
  FUZZ_CHECK(batch->statements.size() == out.batch.statements.size(), "statement count");
  int line = first_line;
  for (const Statement& st : out.batch.statements) {
    FUZZ_CHECK(st.line >= line, "statements out of line order");
    line = st.line;
    CheckStatement(st, sql, first_line, last_line);
  }
}

void FuzzTsql(std::string_view script) {
  CheckBatch(script, 1);  // as one batch (a client that sends text without GO lines)
  int line = 1;
  for (const BatchText& b : SplitBatches(script)) {  // as sqlcmd sends a script
    FUZZ_CHECK(b.first_line >= line && b.repeat >= 1, "batches out of order or repeat < 1");
    line = b.first_line;
    FUZZ_CHECK(script.find(b.text) != std::string_view::npos, "a batch is not from the script");
    CheckBatch(b.text, b.first_line);
  }
}

}  // namespace
}  // namespace vdibk::emulator::tsql

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vdibk::emulator::tsql::FuzzTsql(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// What vdibackup sends (coordinator/tsql_builder.cc's shapes), sqlcmd scripts and health checks.
std::vector<std::string> FuzzSeeds() {
  return {
      "BACKUP DATABASE [SalesDb] TO VIRTUAL_DEVICE = N'vdibk-1', VIRTUAL_DEVICE = N'vdibk-2' "
      "WITH BUFFERCOUNT = 4, MAXTRANSFERSIZE = 1048576, BLOCKSIZE = 65536, CHECKSUM, STATS = 10, "
      "NAME = N'vdibackup 0123', DESCRIPTION = N'x', COPY_ONLY",
      "BACKUP LOG [SalesDb] TO VIRTUAL_DEVICE = N'v' WITH NORECOVERY, NO_COMPRESSION, FORMAT, INIT",
      "BACKUP DATABASE db TO DISK = '/x' WITH DIFFERENTIAL, COMPRESSION (ALGORITHM = ZSTD)",
      "RESTORE DATABASE [Db2] FROM VIRTUAL_DEVICE = N'a' WITH MOVE N'd' TO N'/var/d.mdf', "
      "MOVE N'l' TO N'/var/l.ldf', REPLACE, NORECOVERY, STATS = 5, VDIBK_FAULT = 'abort@3'",
      "RESTORE LOG db FROM VIRTUAL_DEVICE = 'a' WITH STANDBY = '/u', STOPAT = '2024-01-01'\n"
      "RESTORE DATABASE db WITH RECOVERY",
      "RESTORE HEADERONLY FROM DISK = '/x' WITH FILE = 1; RESTORE VERIFYONLY FROM DISK = '/x'",
      "CREATE DATABASE d ON (NAME = a, FILENAME = '/a', SIZE = 8MB, MAXSIZE = UNLIMITED, "
      "FILEGROWTH = 10%) LOG ON (NAME = b, FILENAME = '/b', SIZE = 1GB)",
      "DROP DATABASE IF EXISTS a, [b]; ALTER DATABASE d SET RECOVERY FULL WITH ROLLBACK IMMEDIATE",
      "SET NOCOUNT ON;\nSELECT @@VERSION, @@SERVERNAME AS n, SERVERPROPERTY('ProductVersion'), "
      "1.5, "
      "NULL, N'x'\nPRINT N'ok'\nUSE master",
      "SELECT TOP (1) backup_set_id, first_lsn, last_lsn FROM msdb.dbo.backupset WHERE "
      "database_name = N'db' ORDER BY backup_set_id DESC",
      "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = "
      "DB_ID(N'db')",
      ":setvar x 1\nSELECT 1 -- c\nGO 2\n/* GO */ PRINT 'a''b'\ngo\nEXEC sp_who\nGO\n",
  };
}
