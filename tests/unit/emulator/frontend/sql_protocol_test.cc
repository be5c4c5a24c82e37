// Round-trip and robustness tests of the request/event wire format.
#include "emulator/frontend/sql_protocol.h"

#include <gtest/gtest.h>

#include <random>

namespace vdibk::emulator::frontend {
namespace {

TEST(SqlProtocolTest, RequestRoundTrip) {
  SqlRequest q{42, "sa", "pw", "db", "sqlcmd", "BACKUP DATABASE db TO VIRTUAL_DEVICE='s'"};
  auto m = DecodeClientMessage(EncodeRequest(q));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, ClientMessageType::kRequest);
  EXPECT_EQ(m->request, q);
  auto c = DecodeClientMessage(EncodeCancel(7));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, ClientMessageType::kCancel);
  EXPECT_EQ(c->request.id, 7u);
}

TEST(SqlProtocolTest, EventRoundTrips) {
  SqlEvent err;
  err.type = EventType::kError;
  err.request_id = 3;
  err.message = SqlError{3013, 16, 1, "BACKUP DATABASE is terminating abnormally.", 2, "p"};
  auto e = DecodeEvent(EncodeEvent(err));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->message, err.message);

  SqlEvent cols;
  cols.type = EventType::kResultBegin;
  cols.columns = {tsql::IntColumn("a"), tsql::NVarCharColumn("b", 12)};
  EXPECT_EQ(DecodeEvent(EncodeEvent(cols))->columns, cols.columns);

  SqlEvent row;
  row.type = EventType::kRow;
  row.row = {std::string("x"), std::nullopt, std::string("")};
  EXPECT_EQ(DecodeEvent(EncodeEvent(row))->row, row.row);

  SqlEvent end;
  end.type = EventType::kResultEnd;
  end.row_count = 5;
  end.has_count = false;
  auto d = DecodeEvent(EncodeEvent(end));
  EXPECT_EQ(d->row_count, 5u);
  EXPECT_FALSE(d->has_count);

  SqlEvent done;
  done.type = EventType::kDone;
  done.success = false;
  EXPECT_FALSE(DecodeEvent(EncodeEvent(done))->success);
  SqlEvent acc;
  acc.type = EventType::kAccepted;
  acc.server_name = "emu";
  EXPECT_EQ(DecodeEvent(EncodeEvent(acc))->server_name, "emu");
}

TEST(SqlProtocolTest, AcceptedCarriesTheServerProcess) {
  SqlEvent acc;
  acc.type = EventType::kAccepted;
  acc.request_id = 9;
  acc.server_name = "emu";
  acc.server = ProcessIdentity{4242, 4026531836u, 123456789u};
  auto d = DecodeEvent(EncodeEvent(acc));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->server, acc.server);
  // A server that sends only its name (the first protocol revision): identity unknown.
  std::string old_style = EncodeEvent(acc);
  old_style.resize(old_style.size() - 20);
  auto o = DecodeEvent(old_style);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->server_name, "emu");
  EXPECT_EQ(o->server.pid, 0u);
  EXPECT_FALSE(DecodeEvent(old_style + "xyz").ok());  // a partial identity is malformed
}

TEST(SqlProtocolTest, MalformedInputIsRejected) {
  EXPECT_FALSE(DecodeEvent("").ok());
  EXPECT_FALSE(DecodeEvent("XXXX").ok());
  std::string good = EncodeRequest(SqlRequest{1, "a", "b", "c", "d", "e"});
  EXPECT_FALSE(DecodeClientMessage(good.substr(0, good.size() - 1)).ok());
  EXPECT_FALSE(DecodeClientMessage(good + "z").ok());
  std::mt19937 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string s = good;
    s[rng() % s.size()] = static_cast<char>(rng());
    (void)DecodeClientMessage(s);
    (void)DecodeEvent(s);
  }
}

}  // namespace
}  // namespace vdibk::emulator::frontend
