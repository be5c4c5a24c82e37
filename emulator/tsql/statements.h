// Typed statements of the emulator's T-SQL subset: BACKUP, RESTORE, CREATE/DROP DATABASE and the
// trivial health-check statements (SELECT constants, PRINT, USE, SET). Produced by ParseBatch.
#ifndef VDIBK_EMULATOR_TSQL_STATEMENTS_H_
#define VDIBK_EMULATOR_TSQL_STATEMENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace vdibk::emulator::tsql {

inline constexpr int kMaxBackupDevices = 64;
inline constexpr uint32_t kMinBlockSize = 512;
inline constexpr uint32_t kMaxBlockSize = 65536;
inline constexpr uint32_t kTransferSizeUnit = 65536;
inline constexpr uint32_t kMaxTransferSizeLimit = 4194304;
inline constexpr int kDefaultStatsPercent = 10;

enum class DeviceType {
  kVirtualDevice,  // VIRTUAL_DEVICE = 'set name'
  kDisk,           // DISK = 'path'
  kTape,           // TAPE = 'name' (parsed; the emulator may reject it)
  kUrl,            // URL = 'url' (parsed; the emulator may reject it)
  kLogical,        // TO logical_name (a sp_addumpdevice name)
};

struct BackupDevice {
  DeviceType type = DeviceType::kVirtualDevice;
  std::string name;
  bool operator==(const BackupDevice&) const = default;
};

// An accepted WITH option the emulator only records (e.g. SKIP, MEDIANAME='x', RETAINDAYS=3).
// `name` is upper-case; `value` is empty for a bare word.
struct OtherOption {
  std::string name;
  std::string value;
  bool operator==(const OtherOption&) const = default;
};

enum class BackupKind { kDatabase, kLog };

struct BackupStatement {
  BackupKind kind = BackupKind::kDatabase;
  std::string database;
  std::vector<BackupDevice> devices;  // 1..64, all of one class, no duplicates
  // Numeric options are kept as written (int64) so validation can report bad values; after
  // ValidateStatement succeeded they are in range.
  std::optional<int64_t> buffer_count;       // >= 1
  std::optional<int64_t> max_transfer_size;  // multiple of 65536, <= 4194304
  std::optional<int64_t> block_size;         // power of 2 in 512..65536
  std::optional<bool> checksum;              // CHECKSUM = true, NO_CHECKSUM = false
  bool copy_only = false;
  bool differential = false;
  std::optional<bool> format;              // FORMAT = true, NOFORMAT = false
  std::optional<bool> init;                // INIT = true, NOINIT = false
  std::optional<int64_t> stats;            // STATS[=n]; bare STATS is 10
  bool snapshot = false;                   // SNAPSHOT or METADATA_ONLY
  bool metadata_only_spelling = false;     // true when written METADATA_ONLY
  std::optional<bool> compression;         // COMPRESSION = true, NO_COMPRESSION = false
  std::string compression_algorithm;       // COMPRESSION (ALGORITHM = x), upper-case; may be empty
  std::optional<std::string> name;         // NAME = '...'
  std::optional<std::string> description;  // DESCRIPTION = '...'
  bool norecovery = false;                 // BACKUP LOG ... WITH NORECOVERY (tail-log)
  // VDIBK_FAULT = 'spec' (emulator extension, VIRTUAL_DEVICE only): this statement's fault plan
  // (engine/fault_plan.h syntax), replacing the server's `--fault` plan; '' = no faults.
  std::optional<std::string> fault;
  std::vector<OtherOption> other_options;
  std::vector<std::string> option_order;  // upper-case WITH option names as written, in order
};

enum class RestoreKind { kDatabase, kLog, kVerifyOnly, kHeaderOnly, kFileListOnly, kLabelOnly };

struct MoveClause {
  std::string logical_name;
  std::string physical_path;
  bool operator==(const MoveClause&) const = default;
};

struct RestoreStatement {
  RestoreKind kind = RestoreKind::kDatabase;
  std::string database;                // empty for VERIFYONLY/HEADERONLY/FILELISTONLY/LABELONLY
  std::vector<BackupDevice> devices;   // empty: "RESTORE DATABASE db WITH RECOVERY" (recover only)
  std::optional<bool> recovery;        // RECOVERY = true, NORECOVERY = false; unset means RECOVERY
  std::optional<std::string> standby;  // STANDBY = 'undo file'
  bool replace = false;
  std::vector<MoveClause> moves;
  std::optional<bool> checksum;
  std::optional<int64_t> buffer_count;
  std::optional<int64_t> max_transfer_size;
  std::optional<int64_t> block_size;
  std::optional<int64_t> file;  // FILE = n (position in the media set), >= 1
  bool snapshot = false;        // SNAPSHOT or METADATA_ONLY
  std::optional<int64_t> stats;
  std::optional<std::string> stop_at;  // STOPAT = 'time' (recorded only)
  std::optional<std::string> fault;    // VDIBK_FAULT = 'spec', as for BACKUP
  std::vector<OtherOption> other_options;
  std::vector<std::string> option_order;  // upper-case WITH option names as written, in order

  bool RecoverOnly() const { return devices.empty(); }
  bool WantsRecovery() const { return recovery.value_or(standby ? false : true); }
};

// One file of CREATE DATABASE ... ON (...) / LOG ON (...). Sizes are in bytes.
struct DatabaseFileSpec {
  std::string logical_name;
  std::string file_name;
  std::optional<uint64_t> size_bytes;
  std::optional<uint64_t> max_size_bytes;  // unset also for UNLIMITED
  std::optional<std::string> growth;       // as written, e.g. "64MB" or "10%"
  bool operator==(const DatabaseFileSpec&) const = default;
};

struct CreateDatabaseStatement {
  std::string name;
  std::vector<DatabaseFileSpec> data_files;
  std::vector<DatabaseFileSpec> log_files;
};

// ALTER DATABASE name SET <option> [<value>] [WITH ROLLBACK IMMEDIATE | NO_WAIT], e.g.
// option "RECOVERY" value "FULL"; option "OFFLINE" value "". Upper-case.
struct AlterDatabaseStatement {
  std::string name;
  std::string option;
  std::string value;
};

struct DropDatabaseStatement {
  std::vector<std::string> names;
  bool if_exists = false;
};

// SELECT with constant items only: numbers, strings, @@VARIABLES and zero-argument functions.
struct SelectItem {
  enum class Kind { kInteger, kDecimal, kString, kGlobalVariable, kFunction, kNull };
  Kind kind = Kind::kInteger;
  std::string text;  // number digits, string contents, upper-case @@NAME or FUNCTION name
  std::optional<std::string>
      argument;         // kFunction: the one string argument, e.g. SERVERPROPERTY('x')
  int64_t integer = 0;  // kInteger value
  bool national = false;
  std::string alias;  // empty: unnamed column
};

// SELECT TOP (n) <columns> FROM msdb.dbo.backupset WHERE database_name = N'db'
// ORDER BY backup_set_id [ASC|DESC]: the backup history query (vdibackup reads the LSNs of the
// backup it just took). Columns are lower-case names of msdb.dbo.backupset, in select order.
struct BackupHistoryQuery {
  int64_t top = 1;
  std::vector<std::string> columns;
  std::string database;
  std::optional<std::string> name;  // AND name = N'...': only the rows of that backup NAME
  bool descending = false;          // ORDER BY ... DESC
};

struct SelectStatement {
  std::vector<SelectItem> items;
  // Set instead of items for the backup history query above.
  std::optional<BackupHistoryQuery> backup_history;
  // Set (to the database name) for the one catalog query the emulator answers, instead of items:
  // SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = DB_ID(N'db')
  std::optional<std::string> database_size_of;
};

struct PrintStatement {
  SelectItem value;  // what to print (string, number, @@VARIABLE or function)
};

struct UseStatement {
  std::string database;
};

// SET <option> ON|OFF (NOCOUNT, QUOTED_IDENTIFIER, ...). option upper-case.
struct SetStatement {
  std::string option;
  bool on = true;
};

using StatementBody = std::variant<BackupStatement, RestoreStatement, CreateDatabaseStatement,
                                   DropDatabaseStatement, AlterDatabaseStatement, SelectStatement,
                                   PrintStatement, UseStatement, SetStatement>;

struct Statement {
  StatementBody body;
  int line = 1;      // line of the statement's first token within the batch text
  std::string text;  // source text of the statement (without the trailing ';')
};

struct Batch {
  std::vector<Statement> statements;
};

// "BACKUP DATABASE", "BACKUP LOG", "RESTORE DATABASE", "RESTORE LOG", "VERIFY DATABASE"
// (VERIFYONLY), "RESTORE HEADERONLY", ... : the operation name used in messages 3013/3014.
std::string OperationName(const BackupStatement& s);
std::string OperationName(const RestoreStatement& s);
// The operation named in the 3014 success message: adds " WITH DIFFERENTIAL" for differential
// backups; otherwise as OperationName.
std::string SuccessOperationName(const BackupStatement& s);

// Lower-case names for messages: "virtual_device", "disk", ...
const char* DeviceTypeName(DeviceType type);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_STATEMENTS_H_
