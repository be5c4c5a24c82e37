// GO-line detection and script splitting.
#include "emulator/tsql/batch_splitter.h"

#include <cctype>

namespace vdibk::emulator::tsql {
namespace {

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

bool IsGoLine(std::string_view line, int* count) {
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
  };
  skip_blanks();
  if (i + 2 > line.size()) return false;
  if (std::toupper(static_cast<unsigned char>(line[i])) != 'G' ||
      std::toupper(static_cast<unsigned char>(line[i + 1])) != 'O') {
    return false;
  }
  i += 2;
  size_t after_go = i;
  skip_blanks();
  int n = 1;
  if (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) {
    if (i == after_go) return false;  // "GO5" is not a GO line
    long v = 0;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) {
      v = v * 10 + (line[i] - '0');
      if (v > 1000000) v = 1000000;
      ++i;
    }
    if (v < 1) return false;
    n = static_cast<int>(v);
    skip_blanks();
  }
  if (i < line.size() && !(line.compare(i, 2, "--") == 0)) return false;
  if (count) *count = n;
  return true;
}

std::vector<BatchText> SplitBatches(std::string_view script) {
  std::vector<BatchText> out;
  BatchText current;
  int line_no = 1;
  size_t pos = 0;
  auto flush = [&](int repeat) {
    if (!IsBlank(current.text)) {
      current.repeat = repeat;
      out.push_back(current);
    }
    current = BatchText{};
  };
  current.first_line = 1;
  while (pos <= script.size()) {
    size_t nl = script.find('\n', pos);
    std::string_view line =
        script.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    int count = 1;
    if (IsGoLine(line, &count)) {
      flush(count);
      current.first_line = line_no + 1;
    } else {
      current.text.append(line);
      if (nl != std::string_view::npos) current.text.push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line_no;
  }
  flush(1);
  return out;
}

}  // namespace vdibk::emulator::tsql
