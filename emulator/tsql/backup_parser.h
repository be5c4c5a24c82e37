// Internal to the parser: BACKUP and RESTORE statement grammar, including WITH option lists.
#ifndef VDIBK_EMULATOR_TSQL_BACKUP_PARSER_H_
#define VDIBK_EMULATOR_TSQL_BACKUP_PARSER_H_

#include "emulator/tsql/statements.h"
#include "emulator/tsql/token_cursor.h"

namespace vdibk::emulator::tsql {

// Both expect the cursor on the BACKUP / RESTORE keyword and stop after the last token of the
// statement. On a syntax error they return false with the error stored in the cursor.
bool ParseBackup(TokenCursor& cursor, BackupStatement* out);
bool ParseRestore(TokenCursor& cursor, RestoreStatement* out);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_BACKUP_PARSER_H_
