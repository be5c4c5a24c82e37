// sqlcmd output rendering: message headers, column padding, rows-affected footer.
#include "emulator/tsql/output_formatter.h"

#include <algorithm>

namespace vdibk::emulator::tsql {
namespace {

std::string Pad(const std::string& value, int width, bool right) {
  if (static_cast<int>(value.size()) >= width) return value;
  std::string fill(static_cast<size_t>(width) - value.size(), ' ');
  return right ? fill + value : value + fill;
}

std::string TrimRight(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::string SqlcmdFormatter::FormatMessage(const SqlError& m, const std::string& server) const {
  std::string out;
  if (m.level >= options_.header_level) {
    out += "Msg " + std::to_string(m.number) + ", Level " + std::to_string(m.level) + ", State " +
           std::to_string(m.state) + ", Server " + server;
    if (!m.procedure.empty()) out += ", Procedure " + m.procedure;
    out += ", Line " + std::to_string(m.line) + "\n";
  }
  out += m.text;
  out += "\n";
  return out;
}

std::string SqlcmdFormatter::Join(const std::vector<std::string>& cells) const {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += options_.separator;
    line += cells[i];
  }
  if (options_.trim_spaces) line = TrimRight(std::move(line));
  return line + "\n";
}

std::string SqlcmdFormatter::BeginResult(const std::vector<Column>& columns) {
  columns_ = columns;
  widths_.clear();
  for (const auto& c : columns) {
    widths_.push_back(std::max(TypeDisplayWidth(c), static_cast<int>(c.name.size())));
  }
  if (!options_.headers) return "";
  std::vector<std::string> names, dashes;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (options_.trim_spaces) {
      names.push_back(columns[i].name);
      dashes.push_back(std::string(std::max<size_t>(1, columns[i].name.size()), '-'));
    } else {
      names.push_back(Pad(columns[i].name, widths_[i], false));
      dashes.push_back(std::string(static_cast<size_t>(widths_[i]), '-'));
    }
  }
  return Join(names) + Join(dashes);
}

std::string SqlcmdFormatter::FormatRow(const Row& row) const {
  std::vector<std::string> cells;
  for (size_t i = 0; i < row.size(); ++i) {
    std::string value = row[i] ? *row[i] : "NULL";
    if (options_.trim_spaces) {
      size_t first = value.find_first_not_of(' ');
      value = first == std::string::npos ? "" : TrimRight(value.substr(first));
      cells.push_back(std::move(value));
      continue;
    }
    int width = i < widths_.size() ? widths_[i] : 0;
    bool right = i < columns_.size() && IsRightAligned(columns_[i].type);
    cells.push_back(Pad(value, width, right));
  }
  return Join(cells);
}

std::string SqlcmdFormatter::EndResult(uint64_t row_count, bool nocount) const {
  if (nocount) return "";
  return "\n(" + std::to_string(row_count) + " rows affected)\n";
}

std::string SqlcmdFormatter::FormatResultSet(const ResultSet& result, bool nocount) {
  std::string out = BeginResult(result.columns);
  for (const auto& row : result.rows) out += FormatRow(row);
  out += EndResult(result.rows.size(), nocount);
  return out;
}

}  // namespace vdibk::emulator::tsql
