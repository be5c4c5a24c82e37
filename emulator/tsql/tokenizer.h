// T-SQL tokenizer: turns one batch of text into tokens, skipping whitespace and comments.
// Lexical errors come back as SQL Server errors (105 unclosed quote, 113 missing */, 103, 102).
#ifndef VDIBK_EMULATOR_TSQL_TOKENIZER_H_
#define VDIBK_EMULATOR_TSQL_TOKENIZER_H_

#include <string_view>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/tsql/token.h"

namespace vdibk::emulator::tsql {

// Tokenizes `sql`. On success the vector ends with exactly one kEnd token. On a lexical error
// returns false and fills `*error` (line numbers count from `first_line`). Never throws; any byte
// sequence is accepted as input. Non-ASCII bytes are treated as identifier characters.
bool Tokenize(std::string_view sql, std::vector<Token>* tokens, SqlError* error,
              int first_line = 1);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_TOKENIZER_H_
