// SQL Server-style errors raised by the emulator's engine: a Status whose message reads
// "Msg <number>, Level <level>, State 1: <text>", so front ends can recover the number and text.
#ifndef VDIBK_EMULATOR_DB_SQL_ERROR_H_
#define VDIBK_EMULATOR_DB_SQL_ERROR_H_

#include <string>

#include "shared/base/error_code.h"
#include "shared/base/status.h"

namespace vdibk::emulator {

// Builds the Status. `code` classifies it for exit codes: kSqlError by default, kIntegrity for
// corrupt media, kMissing for missing media families.
Status SqlError(int number, std::string text, ErrorCode code = ErrorCode::kSqlError,
                int level = 16);

// The SQL error number of a Status made by SqlError (possibly WithContext()-prefixed), else 0.
int SqlErrorNumber(const Status& status);
// The SQL Server text (after "State 1: "), or the whole message when not a SqlError.
std::string SqlErrorText(const Status& status);
int SqlErrorLevel(const Status& status);

}  // namespace vdibk::emulator

#endif  // VDIBK_EMULATOR_DB_SQL_ERROR_H_
