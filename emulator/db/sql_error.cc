// SqlError implementation: formatting and parsing of "Msg N, Level L, State 1: text".
#include "emulator/db/sql_error.h"

#include <cstdlib>

namespace vdibk::emulator {
namespace {
constexpr std::string_view kMsg = "Msg ";
constexpr std::string_view kState = ", State 1: ";
}  // namespace

Status SqlError(int number, std::string text, ErrorCode code, int level) {
  return Status(code, "Msg " + std::to_string(number) + ", Level " + std::to_string(level) +
                          std::string(kState) + text);
}

int SqlErrorNumber(const Status& status) {
  const std::string& m = status.message();
  size_t p = m.find(kMsg);
  if (p == std::string::npos || m.find(kState, p) == std::string::npos) return 0;
  return std::atoi(m.c_str() + p + kMsg.size());
}

int SqlErrorLevel(const Status& status) {
  const std::string& m = status.message();
  size_t p = m.find(", Level ");
  if (SqlErrorNumber(status) == 0 || p == std::string::npos) return 0;
  return std::atoi(m.c_str() + p + 8);
}

std::string SqlErrorText(const Status& status) {
  const std::string& m = status.message();
  size_t p = m.find(kMsg);
  if (p == std::string::npos) return m;
  size_t s = m.find(kState, p);
  if (s == std::string::npos) return m;
  return m.substr(s + kState.size());
}

}  // namespace vdibk::emulator
