// Message codec: round trip of every message kind, each check of a received message with its
// error, the size bounds, and malformed bytes (random, truncated, bit-flipped) never crashing.
#include "shared/transport/message_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "proto/envelope.pb.h"
#include "tests/harness/status_matchers.h"

namespace vdibk::transport {
namespace {

// One message of every body kind, every field set to something other than its default.
std::vector<Message> EveryKind() {
  const RequestHeader h{3, 12};
  Assign assign;
  assign.set_name = "vdibk-set";
  assign.backup_set_id = std::string(16, '\x5A');
  assign.database = "SalesDb";
  assign.backup_type = BackupType::kDiff;
  assign.direction = Direction::kBackup;
  assign.target_kind = TargetKind::kNull;
  assign.target_dir = "/backups/SalesDb";
  assign.compression = Compression::kLz4;
  assign.compression_level = 9;
  assign.device_count = 4;
  assign.devices = {{1, "dev-1", "stripe-02-of-04.lz4", "/t1", DeviceRole::kOwner},
                    {2, "dev-2", "stripe-03-of-04.lz4", "", DeviceRole::kEncoder}};
  assign.max_transfer_size = 4 << 20;
  Reply reply{3, 12, 0x10002, 7, 112, 1 << 20, "", "disk full", 4096, std::string(8, '\xFF')};
  reply.digest = std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  Batch requests{{WriteRequest{h, 9, 65536, -1}, FlushRequest{{3, 13}}, ReadRequest{h, 1, 2, 3}}};
  Batch replies{{reply, Reply{1, 2, 3, 0, 0, 4, "", "", 0, ""}}};
  std::vector<Body> bodies = {
      Hello{"w0", 4242, 1000, "0.1.0", kCapabilityLz4 | kCapabilityRestore},
      Ready{{0, 2, 4}},
      assign,
      Heartbeat{},
      Abort{5, "aborted"},
      Shutdown{"backup finished"},
      WriteRequest{h, 0x10002, 1 << 20, 8192},
      ReadRequest{h, 0x10003, 65536, -7},
      FlushRequest{h},
      CompleteRequest{h},
      EncodeRequest{h, 17, 4096},
      PlaceRequest{h, 1234567},
      AdoptRequest{h, 17, 4096, 1234567, 2048},
      reply,
      requests,
      replies,
  };
  std::vector<Message> out;
  uint64_t seq = 1;
  for (Body& b : bodies) {
    out.push_back(Message{seq % 2 ? "coordinator" : "w0", seq++, std::move(b)});
  }
  return out;
}

std::string Bytes(const Message& m) {
  std::string out;
  EXPECT_OK(EncodeMessage(m, out));
  return out;
}

// A raw Envelope (version current unless changed), serialized.
std::string Raw(const proto::Envelope& env) { return env.SerializeAsString(); }

proto::Envelope Current() {
  proto::Envelope env;
  env.set_protocol_version(proto::PROTOCOL_VERSION_CURRENT);
  env.set_sender("w0");
  env.set_seq(1);
  return env;
}

Status DecodeStatus(const std::string& bytes, size_t max = kDefaultMaxMessageBytes) {
  return DecodeMessage(bytes.data(), bytes.size(), max).status();
}

TEST(MessageCodecTest, EveryKindRoundTrips) {
  const std::vector<Message> all = EveryKind();
  ASSERT_EQ(all.size(), std::variant_size_v<Body> + 1);  // every alternative, two Batches
  for (const Message& m : all) {
    SCOPED_TRACE("body " + std::to_string(BodyNumber(m.body)));
    const std::string bytes = Bytes(m);
    Result<Message> back = DecodeMessage(bytes.data(), bytes.size());
    ASSERT_OK(back);
    EXPECT_TRUE(*back == m);
    EXPECT_EQ(back->body.index(), m.body.index());
  }
}

TEST(MessageCodecTest, TheEnvelopeCarriesTheVersionAndTheBodyNumber) {
  for (const Message& m : EveryKind()) {
    proto::Envelope env;
    ToEnvelope(m, env);
    EXPECT_EQ(env.protocol_version(), static_cast<uint32_t>(proto::PROTOCOL_VERSION_CURRENT));
    EXPECT_EQ(env.sender(), m.sender);
    EXPECT_EQ(env.seq(), m.seq);
    EXPECT_EQ(static_cast<int>(env.body_case()), BodyNumber(m.body));
  }
}

TEST(MessageCodecTest, BatchItemsCarryOnlyTheirBody) {
  proto::Envelope env;
  ToEnvelope(EveryKind().back(), env);
  ASSERT_EQ(env.batch().items_size(), 2);
  for (const proto::Envelope& item : env.batch().items()) {
    EXPECT_EQ(item.body_case(), proto::Envelope::kReply);
    EXPECT_EQ(item.protocol_version(), 0u);
    EXPECT_EQ(item.sender(), "");
    EXPECT_EQ(item.seq(), 0u);
  }
}

TEST(MessageCodecTest, ADataRequestIsSmall) {
  Message m{"coordinator", 77, WriteRequest{{3, 12}, 0x10002, 1 << 20, 0}};
  EXPECT_LT(Bytes(m).size(), 64u);  // handles, never payload
}

TEST(MessageCodecTest, UnknownEnumValuesKeepTheirNumber) {
  Assign a;
  a.target_kind = static_cast<TargetKind>(7);
  a.direction = static_cast<Direction>(9);
  const std::string bytes = Bytes(Message{"coordinator", 1, a});
  Result<Message> back = DecodeMessage(bytes.data(), bytes.size());
  ASSERT_OK(back);
  EXPECT_EQ(static_cast<int>(std::get<Assign>(back->body).target_kind), 7);
  EXPECT_EQ(static_cast<int>(std::get<Assign>(back->body).direction), 9);
}

TEST(MessageCodecTest, KindsOfBodies) {
  EXPECT_EQ(BodyNumber(Hello{}), 10);
  EXPECT_EQ(BodyNumber(Shutdown{}), 15);
  EXPECT_EQ(BodyNumber(WriteRequest{}), 30);
  EXPECT_EQ(BodyNumber(CompleteRequest{}), 33);
  EXPECT_EQ(BodyNumber(EncodeRequest{}), 35);
  EXPECT_EQ(BodyNumber(AdoptRequest{}), 37);
  EXPECT_EQ(BodyNumber(Reply{}), 50);
  EXPECT_EQ(BodyNumber(Batch{}), 51);
  int data = 0;
  for (const Message& m : EveryKind()) data += IsDataRequest(m.body) ? 1 : 0;
  EXPECT_EQ(data, 7);  // Write, Read, Flush, Complete, Encode, Place, Adopt
  EXPECT_FALSE(IsDataRequest(Reply{}));
  EXPECT_FALSE(IsDataRequest(Batch{}));
}

TEST(MessageCodecTest, RefusesAnotherProtocolVersion) {
  for (uint32_t v : {0u, 1u, 2u, 4u, 99u}) {
    proto::Envelope env = Current();
    env.set_protocol_version(v);
    env.mutable_shutdown();
    Status st = DecodeStatus(Raw(env));
    EXPECT_EQ(st.code(), ErrorCode::kConfiguration) << v;
    EXPECT_EQ(st.message(), "protocol version " + std::to_string(v) + ", this build speaks 3");
  }
}

TEST(MessageCodecTest, RefusesAnEnvelopeWithoutAKnownBody) {
  Status st = DecodeStatus(Raw(Current()));
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), "envelope without a (known) body");
  // A body this build does not know (field 99 of a newer peer) is an unknown field: no body.
  std::string newer = Raw(Current()) + std::string("\x9a\x06\x00", 3);
  st = DecodeStatus(newer);
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), "envelope without a (known) body");
}

TEST(MessageCodecTest, RefusesABatchItemWithoutABodyOrANestedBatch) {
  const std::string text = "batch item without a (known) body, or a nested batch";
  proto::Envelope empty_item = Current();
  empty_item.mutable_batch()->add_items()->mutable_reply();
  empty_item.mutable_batch()->add_items();
  Status st = DecodeStatus(Raw(empty_item));
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), text);

  proto::Envelope nested = Current();
  nested.mutable_batch()->add_items()->mutable_batch()->add_items()->mutable_reply();
  st = DecodeStatus(Raw(nested));
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), text);

  // Any other item decodes: whether it belongs in a Batch is the receiver's protocol check.
  proto::Envelope hello_item = Current();
  hello_item.mutable_batch()->add_items()->mutable_hello()->set_worker_id("w0");
  const std::string hello_bytes = Raw(hello_item);
  Result<Message> m = DecodeMessage(hello_bytes.data(), hello_bytes.size());
  ASSERT_OK(m);
  EXPECT_EQ(BodyNumber(std::get<Batch>(m->body).items.at(0)), 10);
  // An empty Batch is well-formed.
  proto::Envelope no_items = Current();
  no_items.mutable_batch();
  EXPECT_OK(DecodeStatus(Raw(no_items)));
}

TEST(MessageCodecTest, SizeBoundsAndUnparsableBytes) {
  const std::string bytes = Bytes(EveryKind().front());
  Status st = DecodeStatus(bytes, bytes.size() - 1);
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), "envelope of " + std::to_string(bytes.size()) +
                              " bytes exceeds the limit " + std::to_string(bytes.size() - 1));
  EXPECT_OK(DecodeStatus(bytes, bytes.size()));

  std::string out;
  st = EncodeMessage(Message{"w0", 1, Abort{0, std::string(2000, 'x')}}, out, 1024);
  EXPECT_EQ(st.code(), ErrorCode::kFailed);
  EXPECT_NE(st.message().find("exceeds the limit 1024"), std::string::npos) << st.ToString();

  const std::string junk = "\xff\xff\xff\xff\x0f garbage";
  st = DecodeStatus(junk);
  EXPECT_EQ(st.code(), ErrorCode::kIntegrity);
  EXPECT_EQ(st.message(), "malformed envelope (" + std::to_string(junk.size()) + " bytes)");
}

// What a decoded message must satisfy: it re-encodes and decodes to itself.
void CheckDecoded(const std::string& bytes, int* accepted) {
  Result<Message> m = DecodeMessage(bytes.data(), bytes.size());
  if (!m.ok()) {
    EXPECT_TRUE(m.status().code() == ErrorCode::kIntegrity ||
                m.status().code() == ErrorCode::kConfiguration)
        << m.status().ToString();
    return;
  }
  ++*accepted;
  if (const auto* batch = std::get_if<Batch>(&m->body)) {
    for (const Body& item : batch->items) {
      EXPECT_FALSE(std::holds_alternative<Batch>(item)) << "a nested Batch was accepted";
    }
  }
  std::string again;
  ASSERT_OK(EncodeMessage(*m, again));
  Result<Message> back = DecodeMessage(again.data(), again.size());
  ASSERT_OK(back);
  EXPECT_TRUE(*back == *m);
}

TEST(MessageCodecTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    CheckDecoded(bytes, &accepted);
  }
  EXPECT_LT(accepted, 20000);
}

TEST(MessageCodecTest, TruncatedAndFlippedMessagesNeverCrash) {
  std::mt19937 rng(7);
  int accepted = 0;
  for (const Message& m : EveryKind()) {
    const std::string bytes = Bytes(m);
    for (size_t n = 0; n < bytes.size(); ++n) CheckDecoded(bytes.substr(0, n), &accepted);
    for (int i = 0; i < 500; ++i) {
      std::string flipped = bytes;
      flipped[rng() % flipped.size()] ^= static_cast<char>(1u << (rng() % 8));
      if (rng() % 2) flipped[rng() % flipped.size()] = static_cast<char>(rng());
      CheckDecoded(flipped, &accepted);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace vdibk::transport
