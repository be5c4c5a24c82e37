// Server side of the sqlcmd request protocol: a ZeroMQ ROUTER bound to a local endpoint that
// accepts requests, runs each on its own thread through an IStatementExecutor and streams the
// events back as they happen (plus keepalives while a request runs).
#ifndef VDIBK_EMULATOR_FRONTEND_SQL_LISTENER_H_
#define VDIBK_EMULATOR_FRONTEND_SQL_LISTENER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "emulator/frontend/statement_executor.h"
#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

struct SqlListenerOptions {
  // ipc://PATH (the parent directory is created with mode 0770) or tcp://127.0.0.1:PORT
  // (PORT may be * for an ephemeral port). Default: DefaultEndpoint().
  std::string endpoint;
  // Name printed in "Msg ..., Server <name>, Line N". Default: the host name.
  std::string server_name;
  // When set, requests whose password differs are refused with 18456. Default: accept any.
  std::optional<std::string> password;
  // Interval of keepalive events to clients of running requests, sent by the I/O thread (never by
  // a request's thread). Clients do not need them to know the server lives. Default: 1 s.
  std::chrono::milliseconds keepalive{1000};
};

class SqlListener {
 public:
  // Binds and starts the I/O thread. `executor` must outlive the listener.
  static Result<std::unique_ptr<SqlListener>> Start(SqlListenerOptions options,
                                                    IStatementExecutor* executor);
  // Stop(): cancels running requests (their sinks report Cancelled()), waits for their threads
  // and the I/O thread, closes the socket (the ipc file is removed).
  ~SqlListener();
  void Stop();

  SqlListener(const SqlListener&) = delete;
  SqlListener& operator=(const SqlListener&) = delete;

  // The bound endpoint (for tcp://127.0.0.1:* the actual port).
  const std::string& endpoint() const;
  const std::string& server_name() const;
  // Requests accepted so far / currently running (for tests and status output).
  uint64_t requests_started() const;
  size_t requests_running() const;

  class Impl;

 private:
  explicit SqlListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SQL_LISTENER_H_
