// The size of a database as the server reports it (sys.master_files), for the progress ETA.
#ifndef VDIBK_COORDINATOR_SQL_DATABASE_SIZE_H_
#define VDIBK_COORDINATOR_SQL_DATABASE_SIZE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/sql/sql_runner.h"

namespace vdibk::coordinator {

// SELECT SUM(CAST(size AS bigint))*8192 FROM sys.master_files WHERE database_id = DB_ID(N'db')
// (size counts 8 KiB pages; names are quoted as N'...' literals).
std::string DatabaseSizeQuery(const std::string& database);

// The number in sqlcmd's output of that query: the first line that is a non-negative integer.
// nullopt for NULL (no such database) or output without one.
std::optional<uint64_t> ParseDatabaseSizeOutput(const std::string& output);

// Runs the query; nullopt when it fails or gives no number (the caller then shows no ETA).
std::optional<uint64_t> QueryDatabaseSize(SqlRunner& sql, const std::string& database);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_SQL_DATABASE_SIZE_H_
