// Wire format of the sqlcmd <-> emulator request protocol (see README.md): one ZeroMQ message per
// request/event, "VSQ1" magic, a type byte, the request id, then little-endian length-prefixed
// fields. Pure encode/decode; decoding never trusts lengths.
#ifndef VDIBK_EMULATOR_FRONTEND_SQL_PROTOCOL_H_
#define VDIBK_EMULATOR_FRONTEND_SQL_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/base/sql_error.h"
#include "emulator/frontend/server_process.h"
#include "emulator/tsql/result_set.h"
#include "shared/base/result.h"

namespace vdibk::emulator::frontend {

inline constexpr std::string_view kProtocolMagic = "VSQ1";
inline constexpr size_t kMaxWireMessage = 64u << 20;  // ZMQ_MAXMSGSIZE on both sides

// One batch to run. The client picks `id` (unique per connection); every event echoes it.
struct SqlRequest {
  uint64_t id = 0;
  std::string login;
  std::string password;
  std::string database;  // -d; empty: the login's default (master)
  std::string app_name;  // e.g. "sqlcmd"
  std::string text;      // the batch (no GO lines)
  bool operator==(const SqlRequest&) const = default;
};

enum class ClientMessageType : uint8_t { kRequest = 1, kCancel = 2 };

struct ClientMessage {
  ClientMessageType type = ClientMessageType::kRequest;
  SqlRequest request;  // kRequest; for kCancel only request.id is set
};

enum class EventType : uint8_t {
  kAccepted = 16,     // login ok, execution started; server_name and server set
  kLoginFailed = 17,  // message set (e.g. 18456, 4060); no kDone follows
  kMessage = 18,      // informational (level <= 10)
  kError = 19,        // error (level > 10)
  kResultBegin = 20,  // columns set
  kRow = 21,          // row set
  kResultEnd = 22,    // row_count set; has_count false under SET NOCOUNT ON
  kDone = 23,         // success set; last event of the request
  kKeepalive = 24,    // the request is still running (sent by the listener's I/O thread)
};

struct SqlEvent {
  EventType type = EventType::kKeepalive;
  uint64_t request_id = 0;
  std::string server_name;            // kAccepted
  ProcessIdentity server;             // kAccepted (pid 0 from a server that did not send it)
  SqlError message;                   // kLoginFailed, kMessage, kError
  std::vector<tsql::Column> columns;  // kResultBegin
  tsql::Row row;                      // kRow
  uint64_t row_count = 0;             // kResultEnd
  bool has_count = true;              // kResultEnd
  bool success = true;                // kDone
};

std::string EncodeRequest(const SqlRequest& request);
std::string EncodeCancel(uint64_t request_id);
Result<ClientMessage> DecodeClientMessage(std::string_view bytes);  // kFailed on malformed input

std::string EncodeEvent(const SqlEvent& event);
Result<SqlEvent> DecodeEvent(std::string_view bytes);  // kFailed on malformed input

}  // namespace vdibk::emulator::frontend

#endif  // VDIBK_EMULATOR_FRONTEND_SQL_PROTOCOL_H_
