// Texts and severities of the emulator's SQL Server message catalogue.
#include "emulator/tsql/messages.h"

#include <cmath>
#include <cstdio>

namespace vdibk::emulator::tsql::msg {
namespace {

SqlError Make(int number, int level, int state, std::string text, int line = 1) {
  SqlError e;
  e.number = number;
  e.level = level;
  e.state = state;
  e.text = std::move(text);
  e.line = line;
  return e;
}

std::string Q(std::string_view s) { return "'" + std::string(s) + "'"; }
std::string DQ(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string S(std::string_view s) { return std::string(s); }

// "d.ddd" with exactly three decimals.
std::string Millis(double value) {
  if (!(value >= 0) || !std::isfinite(value)) value = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  return buf;
}

}  // namespace

SqlError At(SqlError e, int line) {
  e.line = line;
  return e;
}

SqlError IncorrectSyntaxNear(std::string_view token, int line) {
  return Make(102, 15, 1, "Incorrect syntax near " + Q(token) + ".", line);
}
SqlError IncorrectSyntaxNearKeyword(std::string_view keyword, int line) {
  return Make(156, 15, 1, "Incorrect syntax near the keyword " + Q(keyword) + ".", line);
}
SqlError IdentifierTooLong(std::string_view prefix, int line) {
  return Make(103, 15, 4,
              "The identifier that starts with " + Q(prefix.substr(0, 128)) +
                  " is too long. Maximum length is 128.",
              line);
}
SqlError UnclosedQuotation(std::string_view rest, int line) {
  return Make(105, 15, 1, "Unclosed quotation mark after the character string " + Q(rest) + ".",
              line);
}
SqlError MissingEndComment(int line) {
  return Make(113, 15, 1, "Missing end comment mark '*/'.", line);
}
SqlError UndeclaredVariable(std::string_view name, int line) {
  return Make(137, 15, 2, "Must declare the scalar variable " + DQ(name) + ".", line);
}
SqlError UnrecognizedOption(std::string_view option, std::string_view statement_kind,
                            bool with_value, int line) {
  return Make(155, 15, with_value ? 2 : 1,
              Q(option) + " is not a recognized " + S(statement_kind) + " option.", line);
}
SqlError UnrecognizedFunction(std::string_view name, int line) {
  return Make(195, 15, 10, Q(name) + " is not a recognized built-in function name.", line);
}
SqlError StoredProcedureNotFound(std::string_view name, int line) {
  return Make(2812, 16, 62, "Could not find stored procedure " + Q(name) + ".", line);
}
SqlError InvalidColumnName(std::string_view name, int line) {
  return Make(207, 16, 1, "Invalid column name " + Q(name) + ".", line);
}
SqlError UnsupportedStatement(std::string_view keyword, int line) {
  return Make(50000, 16, 1, "The " + S(keyword) + " statement is not supported by vdi-emulator.",
              line);
}

SqlError OptionConflict(std::string_view option, std::string_view others) {
  return Make(3031, 16, 1,
              "Option " + Q(option) + " conflicts with option(s) " + Q(others) +
                  ". Remove the conflicting option and reissue the statement.");
}
SqlError OptionsNotSupported(std::string_view options) {
  return Make(3032, 16, 2,
              "One or more of the options (" + S(options) +
                  ") are not supported for this statement. Review the documentation for "
                  "supported options.");
}
SqlError DevicesNotSameClass() {
  return Make(3011, 16, 1,
              "All backup devices must be of the same general class (for example, DISK and TAPE).");
}
SqlError ZeroLengthDeviceName() {
  return Make(3044, 16, 2,
              "Invalid zero-length device name. Reissue the BACKUP statement with a valid device "
              "name.");
}
SqlError TooManyDevices(int max_devices) {
  return Make(3205, 16, 2,
              "Too many backup devices specified for backup or restore; only " +
                  std::to_string(max_devices) + " are allowed.");
}
SqlError NoBackupDevice() {
  return Make(3207, 16, 1,
              "Backup or restore requires at least one backup device. Rerun your statement "
              "specifying a backup device.");
}
SqlError BackupDeviceDoesNotExist(std::string_view logical_name) {
  return Make(3206, 16, 1,
              "Backup device " + Q(logical_name) +
                  " does not exist. To view existing backup devices, use the sys.backup_devices "
                  "catalog view. To create a new backup device use either sp_addumpdevice or SQL "
                  "Server Management Studio.");
}
SqlError ValueOutOfRange(int64_t value, std::string_view parameter) {
  return Make(3250, 16, 1,
              "The value '" + std::to_string(value) + "' is not within range for the " +
                  S(parameter) + " parameter.");
}
SqlError BlockSizeNotPowerOfTwo() {
  return Make(3253, 16, 1, "The block size parameter must supply a value that is a power of 2.");
}
SqlError SnapshotNeedsOneVirtualDevice() {
  return Make(3277, 16, 1, "WITH SNAPSHOT must be used with only one virtual device.");
}
SqlError FaultOptionNeedsVirtualDevice() {
  return Make(3032, 16, 3,
              "One or more of the options (vdibk_fault) are not supported for this statement. "
              "VDIBK_FAULT is a vdi-emulator extension that injects faults into the VDI command "
              "stream; it applies only to VIRTUAL_DEVICE backups and restores.");
}
SqlError InvalidDatabaseName(std::string_view name) {
  return Make(3123, 16, 1,
              "Invalid database name " + Q(name) + " specified for backup or restore operation.");
}

SqlError TerminatingAbnormally(std::string_view operation) {
  return Make(3013, 16, 1, S(operation) + " is terminating abnormally.");
}
SqlError SuccessfullyProcessed(std::string_view operation, int64_t pages, double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) seconds = 0;
  double rounded = std::round(seconds * 1000.0) / 1000.0;
  double mb = static_cast<double>(pages) * 8192.0 / (1024.0 * 1024.0);
  double rate = rounded > 0 ? mb / rounded : 0.0;
  return Make(3014, 0, 1,
              S(operation) + " successfully processed " + std::to_string(pages) + " pages in " +
                  Millis(rounded) + " seconds (" + Millis(rate) + " MB/sec).");
}
SqlError ProcessedPages(int64_t pages, std::string_view database, std::string_view logical_file,
                        int file_number) {
  return Make(4035, 0, 1,
              "Processed " + std::to_string(pages) + " pages for database " + Q(database) +
                  ", file " + Q(logical_file) + " on file " + std::to_string(file_number) + ".");
}
SqlError PercentProcessed(int percent) {
  return Make(3211, 0, 1, std::to_string(percent) + " percent processed.");
}
SqlError BackupSetValid(int file_number) {
  return Make(3262, 0, 1, "The backup set on file " + std::to_string(file_number) + " is valid.");
}
SqlError CannotOpenBackupDevice(std::string_view device, std::string_view os_error, int state) {
  return Make(
      3201, 16, state,
      "Cannot open backup device " + Q(device) + ". Operating system error " + S(os_error) + ".");
}
SqlError WriteFailed(std::string_view device, std::string_view os_error) {
  return Make(3202, 16, 1, "Write on " + DQ(device) + " failed: " + S(os_error));
}
SqlError ReadFailed(std::string_view device, std::string_view os_error) {
  return Make(3203, 16, 1, "Read on " + DQ(device) + " failed: " + S(os_error));
}
SqlError BackupOrRestoreAborted() {
  return Make(3204, 16, 1, "The backup or restore was aborted.");
}
SqlError DeviceRequestTimedOut(std::string_view device) {
  return Make(3229, 16, 1, "Request for device " + Q(device) + " timed out.");
}
SqlError VirtualDeviceConfigUnusable() {
  return Make(3261, 16, 1, "SQL Server cannot use the virtual device configuration.");
}
SqlError VirtualDeviceNeedsSysadmin() {
  return Make(3265, 16, 1,
              "The login has insufficient authority. Membership of the sysadmin role is required "
              "to use VIRTUAL_DEVICE with BACKUP or RESTORE.");
}
SqlError BackupFailedToComplete(std::string_view command) {
  return Make(3041, 16, 1,
              "BACKUP failed to complete the command " + S(command) +
                  ". Check the backup application log for detailed messages.");
}
SqlError VirtualDeviceFailure(std::string_view function, std::string_view what,
                              std::string_view device, std::string_view os_error) {
  return Make(18210, 16, 1,
              S(function) + ": " + S(what) + " failure on backup device " + Q(device) +
                  ". Operating system error " + S(os_error) + ".");
}
SqlError MediaFamiliesMissing(int families, int provided) {
  return Make(3132, 16, 1,
              "The media set has " + std::to_string(families) + " media families but only " +
                  std::to_string(provided) + " are provided. All members must be provided.");
}
SqlError RestorePageError(int file_id, int64_t page_id, std::string_view database) {
  return Make(3183, 16, 2,
              "RESTORE detected an error on page (" + std::to_string(file_id) + ":" +
                  std::to_string(page_id) + ") in database " + DQ(database) +
                  " as read from the backup set.");
}
SqlError MediaFamilyIncorrectlyFormed(std::string_view device) {
  return Make(3241, 16, 0,
              "The media family on device " + Q(device) +
                  " is incorrectly formed. SQL Server cannot process this media family.");
}
SqlError NotValidTapeFormat(std::string_view device) {
  return Make(
      3242, 16, 2,
      "The file on device " + Q(device) + " is not a valid Microsoft Tape Format backup set.");
}
SqlError NotSqlServerBackupSet(std::string_view device) {
  return Make(3143, 16, 1,
              "The data set on device " + Q(device) + " is not a SQL Server backup set.");
}
SqlError VolumeEmpty(std::string_view device) {
  return Make(3254, 16, 1, "The volume on device " + Q(device) + " is empty.");
}
SqlError BackupSetIncomplete(std::string_view device) {
  return Make(3256, 16, 1,
              "The backup set on device " + Q(device) +
                  " was terminated while it was being created and is incomplete. RESTORE "
                  "sequence is terminated abnormally.");
}
SqlError BackupSetDamaged() { return Make(3189, 16, 1, "Damage to the backup set was detected."); }
SqlError ChecksumNotInBackupSet() {
  return Make(3187, 16, 1,
              "RESTORE WITH CHECKSUM cannot be specified because the backup set does not contain "
              "checksum information.");
}
SqlError RestoreRequiresMaxTransferSize(uint32_t required, uint32_t given) {
  return Make(3199, 16, 1,
              "RESTORE requires MAXTRANSFERSIZE=" + std::to_string(required) + " but " +
                  std::to_string(given) + " was specified.");
}
SqlError SnapshotRestoreNeedsSnapshotBackup() {
  return Make(3276, 16, 1,
              "WITH SNAPSHOT can be used only if the backup set was created WITH SNAPSHOT.");
}
SqlError LogBackupSimpleRecovery() {
  return Make(4208, 16, 1,
              "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use "
              "BACKUP DATABASE or change the recovery model using ALTER DATABASE.");
}
SqlError NoCurrentDatabaseBackup() {
  return Make(4214, 16, 1,
              "BACKUP LOG cannot be performed because there is no current database backup.");
}
SqlError DifferentialWithoutBase(std::string_view database) {
  return Make(3035, 16, 1,
              "Cannot perform a differential backup for database " + DQ(database) +
                  ", because a current database backup does not exist. Perform a full database "
                  "backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option.");
}
SqlError LogTooRecent(std::string_view first_lsn, std::string_view needed_lsn) {
  return Make(4305, 16, 1,
              "The log in this backup set begins at LSN " + S(first_lsn) +
                  ", which is too recent to apply to the database. An earlier log backup that "
                  "includes LSN " +
                  S(needed_lsn) + " can be restored.");
}
SqlError LogTooEarly(std::string_view last_lsn) {
  return Make(4326, 16, 1,
              "The log in this backup set terminates at LSN " + S(last_lsn) +
                  ", which is too early to apply to the database. A more recent log backup that "
                  "includes a later LSN can be restored.");
}
SqlError BackupOfOtherDatabase(std::string_view existing) {
  return Make(3154, 16, 4,
              "The backup set holds a backup of a database other than the existing " + Q(existing) +
                  " database.");
}
SqlError NoFilesReadyToRollForward() {
  return Make(3117, 16, 1,
              "The log or differential backup cannot be restored because no files are ready to "
              "rollforward.");
}
SqlError RestoreCannotCreateDatabase(std::string_view database) {
  return Make(3118, 16, 1,
              "The database " + DQ(database) +
                  " does not exist. RESTORE can only create a database when restoring either a "
                  "full backup or a file backup of the primary file.");
}
SqlError PlanningProblems() {
  return Make(3119, 16, 1,
              "Problems were identified while planning for the RESTORE statement. Previous "
              "messages provide details.");
}
SqlError TailOfLogNotBackedUp(std::string_view database) {
  return Make(3159, 16, 1,
              "The tail of the log for the database " + DQ(database) +
                  " has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if "
                  "it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT "
                  "clause of the RESTORE statement to just overwrite the contents of the log.");
}
SqlError AlreadyFullyRecovered() {
  return Make(3153, 16, 2, "The database is already fully recovered.");
}
SqlError LogicalFileNotInDatabase(std::string_view logical, std::string_view database) {
  return Make(3234, 16, 2,
              "Logical file " + Q(logical) + " is not part of database " + Q(database) +
                  ". Use RESTORE FILELISTONLY to list the logical file names.");
}
SqlError FileCannotBeRestoredTo(std::string_view file, std::string_view path) {
  return Make(3156, 16, 3,
              "File " + Q(file) + " cannot be restored to " + Q(path) +
                  ". Use WITH MOVE to identify a valid location for the file.");
}
SqlError DirectoryLookupFailed(std::string_view path, std::string_view os_error) {
  return Make(5133, 16, 1,
              "Directory lookup for the file " + DQ(path) +
                  " failed with the operating system error " + S(os_error) + ".");
}
SqlError ExclusiveAccessFailed() {
  return Make(3101, 16, 1,
              "Exclusive access could not be obtained because the database is in use.");
}
SqlError TempdbNotAllowed() {
  return Make(3147, 16, 3, "Backup and restore operations are not allowed on database tempdb.");
}

SqlError DatabaseAlreadyExists(std::string_view database) {
  return Make(1801, 16, 3,
              "Database " + Q(database) + " already exists. Choose a different database name.");
}
SqlError CannotDropDatabase(std::string_view database) {
  return Make(3701, 11, 1,
              "Cannot drop the database " + Q(database) +
                  ", because it does not exist or you do not have permission.");
}
SqlError DatabaseInUse(std::string_view database) {
  return Make(3702, 16, 4,
              "Cannot drop database " + DQ(database) + " because it is currently in use.");
}
SqlError DatabaseDoesNotExist(std::string_view database, int state) {
  return Make(
      911, 16, state,
      "Database " + Q(database) + " does not exist. Make sure that the name is entered correctly.");
}
SqlError DatabaseRestoring(std::string_view database) {
  return Make(927, 14, 2,
              "Database " + Q(database) + " cannot be opened. It is in the middle of a restore.");
}
SqlError CannotOpenDatabase(std::string_view database) {
  return Make(
      4060, 11, 1,
      "Cannot open database " + DQ(database) + " requested by the login. The login failed.");
}
SqlError LoginFailed(std::string_view user) {
  return Make(18456, 14, 1, "Login failed for user " + Q(user) + ".");
}
SqlError ChangedDatabaseContext(std::string_view database) {
  return Make(5701, 0, 2, "Changed database context to " + Q(database) + ".");
}
SqlError Print(std::string_view text) { return Make(0, 0, 1, S(text)); }

}  // namespace vdibk::emulator::tsql::msg
