// Renders SQL Server output exactly as sqlcmd prints it: informational messages as plain lines,
// errors as "Msg N, Level L, State S, Server X, Line N" + text, result sets as padded columns with
// a dashes line, a blank line and "(N rows affected)". Pure string formatting; no I/O.
#ifndef VDIBK_EMULATOR_TSQL_OUTPUT_FORMATTER_H_
#define VDIBK_EMULATOR_TSQL_OUTPUT_FORMATTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/tsql/result_set.h"

namespace vdibk::emulator::tsql {

struct OutputOptions {
  bool headers = true;          // -h -1 turns column headers and the dashes line off
  bool trim_spaces = false;     // -W: no padding, trailing spaces removed
  std::string separator = " ";  // -s: column separator
  // -m: messages with level >= this get the "Msg ..." header; lower ones print the text only.
  // Default 11 (errors only); -1 puts the header on every message.
  int header_level = 11;
};

// Stateful only for the result set being printed (column widths). Not thread-safe.
class SqlcmdFormatter {
 public:
  explicit SqlcmdFormatter(OutputOptions options = {}) : options_(std::move(options)) {}

  // One message, newline-terminated. `server` is the server name of the header.
  std::string FormatMessage(const SqlError& message, const std::string& server) const;

  // Streaming result sets: BeginResult (header + dashes), FormatRow per row, EndResult
  // (blank line + "(N rows affected)" unless `nocount`).
  std::string BeginResult(const std::vector<Column>& columns);
  std::string FormatRow(const Row& row) const;
  std::string EndResult(uint64_t row_count, bool nocount) const;

  // A whole result set at once (BeginResult + rows + EndResult).
  std::string FormatResultSet(const ResultSet& result, bool nocount = false);

 private:
  std::string Join(const std::vector<std::string>& cells) const;

  OutputOptions options_;
  std::vector<Column> columns_;
  std::vector<int> widths_;
};

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_OUTPUT_FORMATTER_H_
