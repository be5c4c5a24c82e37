// Client side of the sqlcmd request protocol: a DEALER connected to the emulator's SqlListener
// that sends one batch at a time and hands each event to a callback as it arrives.
#ifndef VDIBK_EMULATOR_FRONTEND_SQL_CLIENT_H_
#define VDIBK_EMULATOR_FRONTEND_SQL_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "emulator/frontend/sql_protocol.h"
#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

struct SqlClientOptions {
  std::string endpoint;  // ZeroMQ endpoint (see ResolveServer)
  std::string login;
  std::string password;
  std::string database;
  std::string app_name = "sqlcmd";
  // Time to get the login answer (kAccepted) for a batch; 0 = no limit. sqlcmd -l. Default 8 s.
  std::chrono::milliseconds login_timeout{8000};
  // Whole-batch limit; 0 = none (sqlcmd -t). On expiry the request is cancelled.
  std::chrono::milliseconds query_timeout{0};
  // Silence is never a failure while the server lives. After this much of it (and every period
  // after) the client looks at the server process (/proc, where it shares the server's pid
  // namespace); a lost connection is noticed at once without it.
  std::chrono::milliseconds liveness_interval{1000};
};

// Why Execute ended without a kDone event. The message is sqlcmd's wording for the failure.
enum class ClientFailure { kNone, kLoginTimeout, kLoginFailed, kQueryTimeout, kLinkFailure };

struct ExecuteOutcome {
  ClientFailure failure = ClientFailure::kNone;
  std::string message;         // e.g. "Login timeout expired", "Communication link failure"
  std::string detail;          // kLinkFailure: what was lost, e.g. "... server process ... ended"
  bool server_ended = false;   // kLinkFailure: the server process is known to have ended
  SqlError login_error;        // kLoginFailed: the server's error (18456, 4060, ...)
  bool success = false;        // kDone's success flag (no failure)
};

// Not thread-safe: one batch at a time. Move-only via unique_ptr.
class SqlClient {
 public:
  static Result<std::unique_ptr<SqlClient>> Connect(SqlClientOptions options);
  ~SqlClient();
  SqlClient(const SqlClient&) = delete;
  SqlClient& operator=(const SqlClient&) = delete;

  // Sends `batch` and calls `on_event` for every event (kAccepted, messages, rows, kDone;
  // keepalives are absorbed) until kDone or a failure. Blocks; never times out while the
  // connection is up and the server process lives, however long it is silent (unless
  // query_timeout is set). kLinkFailure: the connection was lost (the server closed it or its
  // process ended) or the server process ended. Errors only for socket failures.
  Result<ExecuteOutcome> Execute(std::string_view batch,
                                 const std::function<void(const SqlEvent&)>& on_event);

  class Impl;

 private:
  explicit SqlClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SQL_CLIENT_H_
