// Tabular results (RESTORE HEADERONLY/FILELISTONLY, SELECT): column metadata with SQL Server
// types, rows of optional text cells, and the display widths sqlcmd uses for each type.
#ifndef VDIBK_EMULATOR_TSQL_RESULT_SET_H_
#define VDIBK_EMULATOR_TSQL_RESULT_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vdibk::emulator::tsql {

enum class ColumnType : uint8_t {
  kInt = 1,
  kBigInt = 2,
  kSmallInt = 3,
  kTinyInt = 4,
  kBit = 5,
  kDecimal = 6,  // size = precision
  kFloat = 7,
  kNVarChar = 8,  // size = characters; 0 = nvarchar(max)
  kVarChar = 9,
  kDateTime = 10,
  kUniqueIdentifier = 11,
  kVarBinary = 12,  // size = bytes; 0 = varbinary(max)
};

struct Column {
  std::string name;  // may be empty (unnamed expression)
  ColumnType type = ColumnType::kNVarChar;
  int size = 0;
  bool operator==(const Column&) const = default;
};

using Cell = std::optional<std::string>;  // nullopt is NULL
using Row = std::vector<Cell>;

struct ResultSet {
  std::vector<Column> columns;
  std::vector<Row> rows;
};

// Column factories.
Column IntColumn(std::string name);
Column BigIntColumn(std::string name);
Column SmallIntColumn(std::string name);
Column TinyIntColumn(std::string name);
Column BitColumn(std::string name);
Column DecimalColumn(std::string name, int precision);
Column NVarCharColumn(std::string name, int chars);  // chars 0 = max
Column DateTimeColumn(std::string name);
Column UniqueIdentifierColumn(std::string name);

// A datetime cell: `unix_seconds` in UTC (the emulator's server time zone) as sqlcmd prints it,
// "YYYY-MM-DD hh:mm:ss.000".
std::string DateTimeCell(int64_t unix_seconds);

// Width of the type as sqlcmd displays it (int 11, bigint 20, smallint 6, tinyint 3, bit 1,
// decimal(p) p+2, float 24, datetime 23, uniqueidentifier 36, n/varchar(n) n (max: 256),
// varbinary(n) 2+2n (max: 514)). The printed column is at least as wide as the name.
int TypeDisplayWidth(const Column& column);
// Numbers are right-aligned by sqlcmd, everything else left-aligned.
bool IsRightAligned(ColumnType type);

}  // namespace vdibk::emulator::tsql

#endif  // VDIBK_EMULATOR_TSQL_RESULT_SET_H_
