// Column factories and sqlcmd display widths.
#include "emulator/tsql/result_set.h"

#include <ctime>

namespace vdibk::emulator::tsql {
namespace {
constexpr int kMaxVariableWidth = 256;  // sqlcmd -y default for (max) types
Column Make(std::string name, ColumnType type, int size = 0) {
  return Column{std::move(name), type, size};
}
}  // namespace

std::string DateTimeCell(int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S.000", &tm);
  return buf;
}

Column IntColumn(std::string name) { return Make(std::move(name), ColumnType::kInt); }
Column BigIntColumn(std::string name) { return Make(std::move(name), ColumnType::kBigInt); }
Column SmallIntColumn(std::string name) { return Make(std::move(name), ColumnType::kSmallInt); }
Column TinyIntColumn(std::string name) { return Make(std::move(name), ColumnType::kTinyInt); }
Column BitColumn(std::string name) { return Make(std::move(name), ColumnType::kBit); }
Column DecimalColumn(std::string name, int precision) {
  return Make(std::move(name), ColumnType::kDecimal, precision);
}
Column NVarCharColumn(std::string name, int chars) {
  return Make(std::move(name), ColumnType::kNVarChar, chars);
}
Column DateTimeColumn(std::string name) { return Make(std::move(name), ColumnType::kDateTime); }
Column UniqueIdentifierColumn(std::string name) {
  return Make(std::move(name), ColumnType::kUniqueIdentifier);
}

int TypeDisplayWidth(const Column& c) {
  switch (c.type) {
    case ColumnType::kInt:
      return 11;
    case ColumnType::kBigInt:
      return 20;
    case ColumnType::kSmallInt:
      return 6;
    case ColumnType::kTinyInt:
      return 3;
    case ColumnType::kBit:
      return 1;
    case ColumnType::kDecimal:
      return (c.size > 0 ? c.size : 18) + 2;
    case ColumnType::kFloat:
      return 24;
    case ColumnType::kNVarChar:
    case ColumnType::kVarChar:
      return c.size > 0 ? c.size : kMaxVariableWidth;
    case ColumnType::kDateTime:
      return 23;
    case ColumnType::kUniqueIdentifier:
      return 36;
    case ColumnType::kVarBinary:
      return c.size > 0 ? 2 + 2 * c.size : 2 + 2 * kMaxVariableWidth;
  }
  return 1;
}

bool IsRightAligned(ColumnType type) {
  switch (type) {
    case ColumnType::kInt:
    case ColumnType::kBigInt:
    case ColumnType::kSmallInt:
    case ColumnType::kTinyInt:
    case ColumnType::kBit:
    case ColumnType::kDecimal:
    case ColumnType::kFloat:
      return true;
    default:
      return false;
  }
}

}  // namespace vdibk::emulator::tsql
