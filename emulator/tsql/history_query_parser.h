// Internal to the parser: the one msdb query the emulator answers, the backup history query
// SELECT TOP (n) <backupset columns> FROM msdb.dbo.backupset WHERE database_name = N'db'
// [AND name = N'backup name'] ORDER BY backup_set_id [DESC|ASC].
#ifndef VDIBK_EMULATOR_TSQL_HISTORY_QUERY_PARSER_H_
#define VDIBK_EMULATOR_TSQL_HISTORY_QUERY_PARSER_H_

#include <string_view>
#include <vector>

#include "emulator/tsql/statements.h"
#include "emulator/tsql/token_cursor.h"

namespace vdibk::emulator::tsql {

// The msdb.dbo.backupset columns the emulator can return (lower case).
const std::vector<std::string_view>& BackupsetColumns();

// Expects the cursor on the TOP after SELECT; stops after the last token of the statement and
// stores the query in out->backup_history. Errors (false, stored in the cursor): syntax errors
// (102/156), 207 for a column backupset does not have (or the emulator does not keep), 50000 for
// another table or another WHERE / ORDER BY.
bool ParseBackupHistoryQuery(TokenCursor& cursor, SelectStatement* out);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_HISTORY_QUERY_PARSER_H_
