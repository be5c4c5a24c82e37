// T-SQL parser of the emulator (hand-written recursive descent over the tokenizer's output).
// Parsing finds syntax errors (level 15: 102, 156, 155, 105, 113, 137, ...) that stop a whole
// batch; option rules (level 16: 3031, 3250, 3253, ...) are checked per statement at execution
// time by ValidateStatement (option_validation.h), as SQL Server does.
#ifndef VDIBK_EMULATOR_TSQL_PARSER_H_
#define VDIBK_EMULATOR_TSQL_PARSER_H_

#include <string_view>

#include "emulator/base/sql_error.h"
#include "emulator/tsql/statements.h"
#include "shared/base/result.h"

namespace vdibk::emulator::tsql {

struct ParseOutput {
  Batch batch;         // complete only when ok()
  SqlMessages errors;  // empty on success; otherwise the (single) batch-level error
  bool ok() const { return errors.empty(); }
};

// Parses one batch (no GO lines: split scripts with SplitBatches first). Statements may be
// separated by ';' or simply follow each other. `first_line` numbers the batch's first line.
// Never throws or crashes on any input; an empty batch (only blanks/comments) has no statements.
ParseOutput Parse(std::string_view sql, int first_line = 1);

// Same, as a Result: errors come back as a kSqlError Status (decode with SqlMessagesFromStatus).
Result<Batch> ParseBatch(std::string_view sql, int first_line = 1);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_PARSER_H_
