// ClassifyStatement: sqlcmd's exit and output -> succeeded / failed / unknown.
#include "coordinator/sql/statement_outcome.h"

#include <charconv>
#include <sstream>

#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator {
namespace {

// The level of a "Msg N, Level L, State S, ..." header line; -1 for any other line.
int ErrorLevel(const std::string& line) {
  if (line.rfind("Msg ", 0) != 0) return -1;
  const size_t at = line.find(", Level ");
  if (at == std::string::npos) return -1;
  const char* begin = line.data() + at + 8;
  const char* end = line.data() + line.size();
  int level = -1;
  auto [p, ec] = std::from_chars(begin, end, level);
  if (ec != std::errc() || p == begin) return -1;
  return level;
}

std::string LastLine(const std::string& output) {
  std::istringstream in(output);
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) last = line;
  }
  return last;
}

}  // namespace

const char* StatementVerdictName(StatementVerdict v) {
  switch (v) {
    case StatementVerdict::kSucceeded:
      return "succeeded";
    case StatementVerdict::kFailed:
      return "failed";
    case StatementVerdict::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool HasServerError(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (ErrorLevel(line) >= 11) return true;
  }
  return false;
}

StatementOutcome ClassifyStatement(const ExitInfo& exit, const std::string& output) {
  if (exit.ok()) return {StatementVerdict::kSucceeded, ""};
  // An error the server itself reported is its verdict, whatever happened to the connection
  // afterwards.
  if (HasServerError(output)) return {StatementVerdict::kFailed, SummarizeSqlErrors(output)};
  std::string why =
      std::string(exit.signal != 0 ? "the SQL client was " : "the SQL client ended with ") +
      exit.ToString();
  const std::string last = LastLine(output);
  if (!last.empty()) why += ": " + last;
  return {StatementVerdict::kUnknown, why};
}

}  // namespace vdibk::coordinator
