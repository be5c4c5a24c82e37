// Default implementations of the executor seam's helpers.
#include "emulator/frontend/statement_executor.h"

namespace vdibk::emulator::frontend {

void ISqlSink::Emit(const SqlError& message) {
  if (message.IsError()) {
    Error(message);
  } else {
    Message(message);
  }
}

void ISqlSink::Emit(const SqlMessages& messages) {
  for (const auto& m : messages.items()) Emit(m);
}

std::optional<SqlError> IStatementExecutor::CheckLogin(const SqlRequest&) { return std::nullopt; }

}  // namespace vdibk::emulator::frontend
