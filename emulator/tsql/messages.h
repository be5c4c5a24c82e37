// The SQL Server message catalogue of the emulator: message numbers, severities and texts of the
// errors and informational messages BACKUP/RESTORE/CREATE/DROP and the parser can produce.
#ifndef VDIBK_EMULATOR_TSQL_MESSAGES_H_
#define VDIBK_EMULATOR_TSQL_MESSAGES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/base/sql_error.h"

// Every function returns a complete SqlError with SQL Server's number, level and usual state and
// line 1; callers set `.line` to the statement's line. Texts follow SQL Server's wording where
// tools match on it ("is terminating abnormally", "successfully processed", "Processed N pages").
namespace vdibk::emulator::tsql::msg {

// Returns `e` with its line set (convenience for `return msg::At(msg::X(...), stmt.line)`).
SqlError At(SqlError e, int line);

// ---- Parser / compile errors (level 15 unless noted) ----
SqlError IncorrectSyntaxNear(std::string_view token, int line);           // 102
SqlError IncorrectSyntaxNearKeyword(std::string_view keyword, int line);  // 156
SqlError IdentifierTooLong(std::string_view prefix, int line);            // 103
SqlError UnclosedQuotation(std::string_view rest, int line);              // 105
SqlError MissingEndComment(int line);                                     // 113
SqlError UndeclaredVariable(std::string_view name, int line);             // 137
// 155 "'X' is not a recognized BACKUP option." State 1 for a bare word, 2 for `word = value`.
SqlError UnrecognizedOption(std::string_view option, std::string_view statement_kind,
                            bool with_value, int line);
SqlError UnrecognizedFunction(std::string_view name, int line);     // 195
SqlError StoredProcedureNotFound(std::string_view name, int line);  // 2812, level 16
SqlError InvalidColumnName(std::string_view name, int line);        // 207, level 16
// Msg 50000, level 16: a statement SQL Server has but the emulator does not implement.
SqlError UnsupportedStatement(std::string_view keyword, int line);

// ---- Option validation (level 16; BACKUP/RESTORE follow them with 3013) ----
SqlError OptionConflict(std::string_view option, std::string_view others);  // 3031
SqlError OptionsNotSupported(std::string_view options);                     // 3032
SqlError DevicesNotSameClass();                                             // 3011
SqlError ZeroLengthDeviceName();                                            // 3044
SqlError TooManyDevices(int max_devices);                                   // 3205
SqlError NoBackupDevice();                                                  // 3207
SqlError BackupDeviceDoesNotExist(std::string_view logical_name);           // 3206
SqlError ValueOutOfRange(int64_t value, std::string_view parameter);        // 3250
SqlError BlockSizeNotPowerOfTwo();                                          // 3253
SqlError SnapshotNeedsOneVirtualDevice();                                   // 3277
SqlError FaultOptionNeedsVirtualDevice();  // 3032, for the emulator's VDIBK_FAULT extension
SqlError InvalidDatabaseName(std::string_view name);  // 3123

// ---- BACKUP / RESTORE run time ----
// 3013 "<operation> is terminating abnormally." operation e.g. "BACKUP DATABASE", "RESTORE LOG",
// "VERIFY DATABASE" (RESTORE VERIFYONLY), "RESTORE HEADERONLY".
SqlError TerminatingAbnormally(std::string_view operation);
// 3014 "<operation> successfully processed N pages in S.sss seconds (R.rrr MB/sec)." (level 0)
SqlError SuccessfullyProcessed(std::string_view operation, int64_t pages, double seconds);
// 4035 "Processed N pages for database 'db', file 'logical' on file F." (level 0)
SqlError ProcessedPages(int64_t pages, std::string_view database, std::string_view logical_file,
                        int file_number = 1);
SqlError PercentProcessed(int percent);    // 3211, level 0
SqlError BackupSetValid(int file_number);  // 3262, level 0
// 3201 "Cannot open backup device 'dev'. Operating system error 2(The system cannot find ...)."
SqlError CannotOpenBackupDevice(std::string_view device, std::string_view os_error, int state = 1);
SqlError WriteFailed(std::string_view device, std::string_view os_error);  // 3202
SqlError ReadFailed(std::string_view device, std::string_view os_error);   // 3203
SqlError BackupOrRestoreAborted();                                         // 3204
SqlError DeviceRequestTimedOut(std::string_view device);                   // 3229
SqlError VirtualDeviceConfigUnusable();                                    // 3261
SqlError VirtualDeviceNeedsSysadmin();                                     // 3265
SqlError BackupFailedToComplete(std::string_view command);                 // 3041
// 18210 "<function>: <what> failure on backup device 'dev'. Operating system error <os>."
// e.g. ("BackupVirtualDeviceSet::AllocateBuffer", "AllocateBuffer", "set", "995(...)").
SqlError VirtualDeviceFailure(std::string_view function, std::string_view what,
                              std::string_view device, std::string_view os_error);
SqlError MediaFamiliesMissing(int families, int provided);                               // 3132
SqlError RestorePageError(int file_id, int64_t page_id, std::string_view database);      // 3183
SqlError MediaFamilyIncorrectlyFormed(std::string_view device);                          // 3241
SqlError NotValidTapeFormat(std::string_view device);                                    // 3242
SqlError NotSqlServerBackupSet(std::string_view device);                                 // 3143
SqlError VolumeEmpty(std::string_view device);                                           // 3254
SqlError BackupSetIncomplete(std::string_view device);                                   // 3256
SqlError BackupSetDamaged();                                                             // 3189
SqlError ChecksumNotInBackupSet();                                                       // 3187
SqlError RestoreRequiresMaxTransferSize(uint32_t required, uint32_t given);              // 3199
SqlError SnapshotRestoreNeedsSnapshotBackup();                                           // 3276
SqlError LogBackupSimpleRecovery();                                                      // 4208
SqlError NoCurrentDatabaseBackup();                                                      // 4214
SqlError DifferentialWithoutBase(std::string_view database);                             // 3035
SqlError LogTooRecent(std::string_view first_lsn, std::string_view needed_lsn);          // 4305
SqlError LogTooEarly(std::string_view last_lsn);                                         // 4326
SqlError BackupOfOtherDatabase(std::string_view existing);                               // 3154
SqlError NoFilesReadyToRollForward();                                                    // 3117
SqlError RestoreCannotCreateDatabase(std::string_view database);                         // 3118
SqlError PlanningProblems();                                                             // 3119
SqlError TailOfLogNotBackedUp(std::string_view database);                                // 3159
SqlError AlreadyFullyRecovered();                                                        // 3153
SqlError LogicalFileNotInDatabase(std::string_view logical, std::string_view database);  // 3234
SqlError FileCannotBeRestoredTo(std::string_view file, std::string_view path);           // 3156
SqlError DirectoryLookupFailed(std::string_view path, std::string_view os_error);        // 5133
SqlError ExclusiveAccessFailed();                                                        // 3101
SqlError TempdbNotAllowed();                                                             // 3147

// ---- Databases / sessions ----
SqlError DatabaseAlreadyExists(std::string_view database);                // 1801
SqlError CannotDropDatabase(std::string_view database);                   // 3701, level 11
SqlError DatabaseInUse(std::string_view database);                        // 3702
SqlError DatabaseDoesNotExist(std::string_view database, int state = 1);  // 911
SqlError DatabaseRestoring(std::string_view database);                    // 927, level 14
SqlError CannotOpenDatabase(std::string_view database);                   // 4060, level 11
SqlError LoginFailed(std::string_view user);                              // 18456, level 14
SqlError ChangedDatabaseContext(std::string_view database);               // 5701, level 0
// PRINT output: number 0, level 0.
SqlError Print(std::string_view text);

// Well-known OS error texts for 3201/3202/3203 (number plus the Windows-style description).
inline constexpr std::string_view kOsErrorFileNotFound =
    "2(The system cannot find the file specified.)";
inline constexpr std::string_view kOsErrorPathNotFound =
    "3(The system cannot find the path specified.)";
inline constexpr std::string_view kOsErrorAccessDenied = "5(Access is denied.)";
inline constexpr std::string_view kOsErrorSharingViolation =
    "32(The process cannot access the file because it is being used by another process.)";
inline constexpr std::string_view kOsErrorOperationAborted =
    "995(The I/O operation has been aborted because of either a thread exit or an application "
    "request.)";
inline constexpr std::string_view kOsErrorDiskFull = "112(There is not enough space on the disk.)";

}  // namespace vdibk::emulator::tsql::msg

#endif  // VDIBK_EMULATOR_TSQL_MESSAGES_H_
