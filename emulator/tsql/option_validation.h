// Execution-time checks of BACKUP/RESTORE options and devices, with SQL Server's level-16 errors
// followed by 3013 "<operation> is terminating abnormally." (3205, 3011, 3044, 3201, 3031, 3032,
// 3250, 3253, 3277). Executors call ValidateStatement before running a statement.
#ifndef VDIBK_EMULATOR_TSQL_OPTION_VALIDATION_H_
#define VDIBK_EMULATOR_TSQL_OPTION_VALIDATION_H_

#include "emulator/base/sql_error.h"
#include "emulator/tsql/statements.h"

namespace vdibk::emulator::tsql {

// BLOCKSIZE is a power of 2 in 512..65536 and MAXTRANSFERSIZE a multiple of 65536 up to 4 MiB,
// so every accepted MAXTRANSFERSIZE is a whole number of blocks: the VDI server's Reads and
// Writes (whole blocks, at most MAXTRANSFERSIZE) rely on it.
// Empty result: the statement may run. Otherwise the errors to report (line = statement line);
// the statement must not run. Only BACKUP and RESTORE have rules; other statements give empty.
SqlMessages ValidateBackup(const BackupStatement& s, int line = 1);
SqlMessages ValidateRestore(const RestoreStatement& s, int line = 1);
SqlMessages ValidateStatement(const Statement& statement);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_OPTION_VALIDATION_H_
