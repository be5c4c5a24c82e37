// Database size query and the parsing of its sqlcmd output.
#include "coordinator/sql/database_size.h"

#include <charconv>
#include <sstream>

namespace vdibk::coordinator {

std::string DatabaseSizeQuery(const std::string& database) {
  std::string quoted;
  for (char c : database) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return "SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = "
         "DB_ID(N'" +
         quoted + "')";
}

std::optional<uint64_t> ParseDatabaseSizeOutput(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const size_t e = line.find_last_not_of(" \t\r");
    const std::string word = line.substr(b, e - b + 1);
    if (word == "NULL") return std::nullopt;
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec == std::errc() && p == word.data() + word.size()) return v;
  }
  return std::nullopt;
}

std::optional<uint64_t> QueryDatabaseSize(SqlRunner& sql, const std::string& database) {
  Result<std::unique_ptr<SqlExecution>> run = sql.Start(DatabaseSizeQuery(database));
  if (!run.ok()) return std::nullopt;
  ExitInfo exit = (*run)->Wait();
  if (!exit.ok()) return std::nullopt;
  return ParseDatabaseSizeOutput((*run)->Output());
}

}  // namespace vdibk::coordinator
