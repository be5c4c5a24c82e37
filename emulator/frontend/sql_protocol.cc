// Little-endian, length-prefixed encoding of requests and events.
#include "emulator/frontend/sql_protocol.h"

namespace vdibk::emulator::frontend {
namespace {

class Writer {
 public:
  explicit Writer(uint8_t type) {
    out_.append(kProtocolMagic);
    U8(type);
  }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i)
      *v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i)
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool I32(int* v) {
    uint32_t u = 0;
    if (!U32(&u)) return false;
    *v = static_cast<int32_t>(u);
    return true;
  }
  bool Str(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Magic() {
    if (in_.substr(0, kProtocolMagic.size()) != kProtocolMagic) return false;
    in_.remove_prefix(kProtocolMagic.size());
    return true;
  }
  bool AtEnd() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void PutMessage(Writer& w, const SqlError& m) {
  w.I32(m.number);
  w.I32(m.level);
  w.I32(m.state);
  w.I32(m.line);
  w.Str(m.text);
  w.Str(m.procedure);
}

bool GetMessage(Reader& r, SqlError* m) {
  return r.I32(&m->number) && r.I32(&m->level) && r.I32(&m->state) && r.I32(&m->line) &&
         r.Str(&m->text) && r.Str(&m->procedure);
}

Status Malformed(const char* what) { return Status::Failed(std::string("malformed ") + what); }

}  // namespace

std::string EncodeRequest(const SqlRequest& q) {
  Writer w(static_cast<uint8_t>(ClientMessageType::kRequest));
  w.U64(q.id);
  w.Str(q.login);
  w.Str(q.password);
  w.Str(q.database);
  w.Str(q.app_name);
  w.Str(q.text);
  return w.Take();
}

std::string EncodeCancel(uint64_t request_id) {
  Writer w(static_cast<uint8_t>(ClientMessageType::kCancel));
  w.U64(request_id);
  return w.Take();
}

Result<ClientMessage> DecodeClientMessage(std::string_view bytes) {
  Reader r(bytes);
  uint8_t type = 0;
  ClientMessage m;
  if (!r.Magic() || !r.U8(&type) || !r.U64(&m.request.id)) return Malformed("client message");
  if (type == static_cast<uint8_t>(ClientMessageType::kCancel)) {
    m.type = ClientMessageType::kCancel;
  } else if (type == static_cast<uint8_t>(ClientMessageType::kRequest)) {
    m.type = ClientMessageType::kRequest;
    SqlRequest& q = m.request;
    if (!r.Str(&q.login) || !r.Str(&q.password) || !r.Str(&q.database) || !r.Str(&q.app_name) ||
        !r.Str(&q.text)) {
      return Malformed("request");
    }
  } else {
    return Malformed("client message type");
  }
  if (!r.AtEnd()) return Malformed("client message (trailing bytes)");
  return m;
}

std::string EncodeEvent(const SqlEvent& e) {
  Writer w(static_cast<uint8_t>(e.type));
  w.U64(e.request_id);
  switch (e.type) {
    case EventType::kAccepted:
      w.Str(e.server_name);
      w.U32(e.server.pid);
      w.U64(e.server.pid_ns);
      w.U64(e.server.start_ticks);
      break;
    case EventType::kLoginFailed:
    case EventType::kMessage:
    case EventType::kError:
      PutMessage(w, e.message);
      break;
    case EventType::kResultBegin:
      w.U32(static_cast<uint32_t>(e.columns.size()));
      for (const auto& c : e.columns) {
        w.Str(c.name);
        w.U8(static_cast<uint8_t>(c.type));
        w.I32(c.size);
      }
      break;
    case EventType::kRow:
      w.U32(static_cast<uint32_t>(e.row.size()));
      for (const auto& cell : e.row) {
        w.U8(cell ? 1 : 0);
        w.Str(cell ? *cell : std::string());
      }
      break;
    case EventType::kResultEnd:
      w.U64(e.row_count);
      w.U8(e.has_count ? 1 : 0);
      break;
    case EventType::kDone:
      w.U8(e.success ? 1 : 0);
      break;
    case EventType::kKeepalive:
      break;
  }
  return w.Take();
}

Result<SqlEvent> DecodeEvent(std::string_view bytes) {
  Reader r(bytes);
  uint8_t type = 0;
  SqlEvent e;
  if (!r.Magic() || !r.U8(&type) || !r.U64(&e.request_id)) return Malformed("event");
  if (type < static_cast<uint8_t>(EventType::kAccepted) ||
      type > static_cast<uint8_t>(EventType::kKeepalive)) {
    return Malformed("event type");
  }
  e.type = static_cast<EventType>(type);
  bool ok = true;
  switch (e.type) {
    case EventType::kAccepted:
      ok = r.Str(&e.server_name);
      // The server's identity is optional (absent: unknown, pid 0).
      if (ok && !r.AtEnd()) {
        ok = r.U32(&e.server.pid) && r.U64(&e.server.pid_ns) && r.U64(&e.server.start_ticks);
      }
      break;
    case EventType::kLoginFailed:
    case EventType::kMessage:
    case EventType::kError:
      ok = GetMessage(r, &e.message);
      break;
    case EventType::kResultBegin: {
      uint32_t n = 0;
      ok = r.U32(&n) && n <= 4096;
      for (uint32_t i = 0; ok && i < n; ++i) {
        tsql::Column c;
        uint8_t t = 0;
        ok = r.Str(&c.name) && r.U8(&t) && r.I32(&c.size) && t >= 1 &&
             t <= static_cast<uint8_t>(tsql::ColumnType::kVarBinary);
        c.type = static_cast<tsql::ColumnType>(t);
        if (ok) e.columns.push_back(std::move(c));
      }
      break;
    }
    case EventType::kRow: {
      uint32_t n = 0;
      ok = r.U32(&n) && n <= 4096;
      for (uint32_t i = 0; ok && i < n; ++i) {
        uint8_t present = 0;
        std::string value;
        ok = r.U8(&present) && r.Str(&value);
        if (ok) e.row.push_back(present ? tsql::Cell(std::move(value)) : std::nullopt);
      }
      break;
    }
    case EventType::kResultEnd: {
      uint8_t has = 0;
      ok = r.U64(&e.row_count) && r.U8(&has);
      e.has_count = has != 0;
      break;
    }
    case EventType::kDone: {
      uint8_t success = 0;
      ok = r.U8(&success);
      e.success = success != 0;
      break;
    }
    case EventType::kKeepalive:
      break;
  }
  if (!ok || !r.AtEnd()) return Malformed("event body");
  return e;
}

}  // namespace vdibk::emulator::frontend
