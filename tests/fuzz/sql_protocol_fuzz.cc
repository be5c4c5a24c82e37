// Fuzz target: the VSQ1 wire protocol of the emulator's SQL front end (a frame from a client or
// from the server). Invariants: errors are kFailed "malformed ..."; a decoded client message
// re-encodes to the same bytes; a decoded event re-encodes canonically (no longer, a fixpoint).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/frontend/sql_protocol.h"
#include "tests/fuzz/fuzz_support.h"

namespace vdibk::emulator::frontend {
namespace {

void CheckMalformed(const Status& st) {
  fuzz::CheckError(st, {ErrorCode::kFailed});
  FUZZ_CHECK(st.message().rfind("malformed ", 0) == 0, "error text: " + st.message());
}

void FuzzClientMessage(std::string_view bytes) {
  Result<ClientMessage> m = DecodeClientMessage(bytes);
  if (!m.ok()) return CheckMalformed(m.status());
  // Every byte of a client message is a field: its encoding is the input itself.
  const std::string again = m->type == ClientMessageType::kCancel ? EncodeCancel(m->request.id)
                                                                  : EncodeRequest(m->request);
  FUZZ_CHECK(again == bytes, "a client message does not re-encode to its bytes");
  if (m->type == ClientMessageType::kRequest) {
    Result<ClientMessage> back = DecodeClientMessage(again);
    FUZZ_CHECK(back.ok() && back->request == m->request, "a request changed through a round trip");
  }
}

void FuzzEvent(std::string_view bytes) {
  Result<SqlEvent> e = DecodeEvent(bytes);
  if (!e.ok()) return CheckMalformed(e.status());
  FUZZ_CHECK(e->type >= EventType::kAccepted && e->type <= EventType::kKeepalive, "event type");
  // Flags re-encode as 0/1 and a NULL cell drops its value: canonical, never longer; but an
  // Accepted of an older server (its name only, no process identity) gains the identity fields.
  const std::string canonical = EncodeEvent(*e);
  const bool old_accepted = e->type == EventType::kAccepted && e->server == ProcessIdentity{};
  FUZZ_CHECK(canonical.size() <= bytes.size() || old_accepted,
             "an event re-encodes longer than it came");
  Result<SqlEvent> back = DecodeEvent(canonical);
  FUZZ_CHECK(back.ok(), "a re-encoded event does not decode: " + back.status().ToString());
  FUZZ_CHECK(back->type == e->type && back->request_id == e->request_id &&
                 back->server_name == e->server_name && back->message == e->message &&
                 back->columns == e->columns && back->row == e->row &&
                 back->row_count == e->row_count && back->has_count == e->has_count &&
                 back->success == e->success && back->server == e->server,
             "an event changed through a round trip");
  FUZZ_CHECK(EncodeEvent(*back) == canonical, "event encoding is not a fixpoint");
}

}  // namespace
}  // namespace vdibk::emulator::frontend

// The same bytes go to both decoders: the type byte after the magic tells them apart.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  vdibk::emulator::frontend::FuzzClientMessage(bytes);
  vdibk::emulator::frontend::FuzzEvent(bytes);
  return 0;
}

// A request, a cancel and one event of each type.
std::vector<std::string> FuzzSeeds() {
  using namespace vdibk::emulator;
  using namespace vdibk::emulator::frontend;
  std::vector<std::string> seeds;
  SqlRequest q{7, "sa", "secret", "master", "sqlcmd", "BACKUP DATABASE d TO VIRTUAL_DEVICE='v'"};
  seeds.push_back(EncodeRequest(q));
  seeds.push_back(EncodeCancel(7));
  for (uint8_t t = static_cast<uint8_t>(EventType::kAccepted);
       t <= static_cast<uint8_t>(EventType::kKeepalive); ++t) {
    SqlEvent e;
    e.type = static_cast<EventType>(t);
    e.request_id = 7;
    e.server_name = "vdi-emulator";
    e.message = SqlError{3013, 16, 1, "BACKUP DATABASE is terminating abnormally.", 2, ""};
    e.columns = {{"name", tsql::ColumnType::kNVarChar, 128}, {"n", tsql::ColumnType::kInt, 4}};
    e.row = {tsql::Cell("db"), std::nullopt};
    e.row_count = 1;
    e.has_count = t % 2 == 0;
    e.success = false;
    seeds.push_back(EncodeEvent(e));
  }
  return seeds;
}
