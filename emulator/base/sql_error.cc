// SqlMessages bookkeeping and the one SqlError <-> Status encoding.
#include "emulator/base/sql_error.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace vdibk::emulator {

void SqlMessages::Info(int number, std::string text, int line) {
  SqlError m;
  m.number = number;
  m.level = 0;
  m.state = 1;
  m.text = std::move(text);
  m.line = line;
  items_.push_back(std::move(m));
}

void SqlMessages::Append(const SqlMessages& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool SqlMessages::HasError() const {
  return std::any_of(items_.begin(), items_.end(), [](const SqlError& e) { return e.IsError(); });
}

int SqlMessages::MaxLevel() const {
  int level = 0;
  for (const auto& e : items_) level = std::max(level, e.level);
  return level;
}

const SqlError& SqlMessages::FirstError() const {
  for (const auto& e : items_) {
    if (e.IsError()) return e;
  }
  std::abort();  // precondition violated
}

namespace {

std::string EncodeLine(const SqlError& e) {
  char head[96];
  if (e.line == 1) {
    std::snprintf(head, sizeof head, "Msg %d, Level %d, State %d: ", e.number, e.level, e.state);
  } else {
    std::snprintf(head, sizeof head, "Msg %d, Level %d, State %d, Line %d: ", e.number, e.level,
                  e.state, e.line);
  }
  std::string line(head);
  for (char c : e.text) line += (c == '\n') ? ' ' : c;
  return line;
}

// Parses "[context: ]Msg N, Level L, State S[, Line X]: text" (no ", Line X": line 1); false when
// the line has another shape.
bool DecodeLine(std::string_view line, SqlError* out) {
  size_t at = line.find("Msg ");
  if (at == std::string_view::npos) return false;
  std::string copy(line.substr(at));
  int number = 0, level = 0, state = 0, consumed = 0;
  if (std::sscanf(copy.c_str(), "Msg %d, Level %d, State %d%n", &number, &level, &state,
                  &consumed) != 3) {
    return false;
  }
  size_t pos = static_cast<size_t>(consumed);
  int ln = 1;
  int more = 0;
  if (std::sscanf(copy.c_str() + pos, ", Line %d%n", &ln, &more) == 1)
    pos += static_cast<size_t>(more);
  if (copy.compare(pos, 2, ": ") != 0) return false;
  out->number = number;
  out->level = level;
  out->state = state;
  out->line = ln;
  out->text = copy.substr(pos + 2);
  return true;
}

}  // namespace

Status ToStatus(const SqlError& error, ErrorCode code) { return Status(code, EncodeLine(error)); }

Status ToStatus(const SqlMessages& messages) {
  std::string text;
  for (const auto& e : messages.items()) {
    if (!e.IsError()) continue;
    if (!text.empty()) text += '\n';
    text += EncodeLine(e);
  }
  if (text.empty()) return Status::Ok();
  return Status::SqlError(std::move(text));
}

Status SqlErrorStatus(int number, std::string text, ErrorCode code, int level) {
  SqlError e;
  e.number = number;
  e.level = level;
  e.state = 1;
  e.text = std::move(text);
  return ToStatus(e, code);
}

SqlMessages SqlMessagesFromStatus(const Status& status) {
  SqlMessages out;
  if (status.ok()) return out;
  if (status.code() == ErrorCode::kSqlError) {
    SqlMessages decoded;
    std::string_view rest = status.message();
    bool all_ok = true;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      SqlError e;
      if (!DecodeLine(line, &e)) {
        all_ok = false;
        break;
      }
      decoded.Add(std::move(e));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    if (all_ok && !decoded.empty()) return decoded;
  }
  SqlError generic;
  generic.number = 50000;
  generic.level = 16;
  generic.state = 1;
  generic.text = status.message();
  out.Add(std::move(generic));
  return out;
}

int SqlErrorNumber(const Status& status) {
  const std::string& m = status.message();
  SqlError e;
  return DecodeLine(std::string_view(m).substr(0, m.find('\n')), &e) ? e.number : 0;
}

std::string SqlErrorText(const Status& status) {
  const std::string& m = status.message();
  SqlError e;
  return DecodeLine(std::string_view(m).substr(0, m.find('\n')), &e) ? e.text : m;
}

}  // namespace vdibk::emulator
